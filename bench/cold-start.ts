/**
 * Cold start, measured: each Lambda entry bundled exactly as the CDK ServiceFunction bundles it (esbuild, minified
 * CJS, node22 target, the pinned AWS SDK bundled in, names kept), then loaded in fresh Node processes next to an empty
 * module. The entries read their configuration at module load, so each gets a dummy environment that satisfies
 * its schema in src/composition/aws/environment.ts. The bundles need nothing from node_modules (NODE_PATH stays set
 * only so that an external, should one return, resolves as the Lambda runtime would provide it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type * as z from 'zod';
import { BUNDLE_TARGET, EXTERNAL_MODULES } from '../lib/constructs/service-function';
import * as config from '../src/composition/aws/environment';

const run = promisify(execFile);

export interface ColdStartRow {
  /** Entry name, e.g. `intake` (src/lambda/intake.ts); `(empty module)` for the baseline. */
  readonly name: string;
  readonly bundleBytes: number;
  /** Median time of `require(bundle)` in a fresh process. */
  readonly requireMs: number;
  /** Median time from process start until the bundle is loaded (what a cold start waits before the handler). */
  readonly readyMs: number;
  readonly runs: number;
}

/** The Lambda entries: src/lambda/*.ts exporting `handler` (environment.ts holds their schemas). */
export function lambdaEntries(dir = resolve('src/lambda')): { name: string; file: string }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ name: file.replace(/\.ts$/, ''), file: join(dir, file) }))
    .filter(({ file }) =>
      /export\s+(?:const|let|async\s+function|function)\s+handler\b/.test(readFileSync(file, 'utf8')),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Bundles one entry with the ServiceFunction's esbuild options; returns the code and its size. */
export async function bundleEntry(file: string): Promise<{ code: string; bytes: number }> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: false,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    external: [...EXTERNAL_MODULES],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return { code, bytes: Buffer.byteLength(code) };
}

/**
 * The entry's schema by naming convention: `rules-loader` → `rulesLoaderEnvSchema` in
 * src/composition/aws/environment.ts.
 */
export function envSchemaFor(name: string): z.ZodObject {
  const key = `${name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())}EnvSchema`;
  const schema = (config as Record<string, unknown>)[key];
  if (!schema || typeof schema !== 'object' || !('shape' in schema))
    throw new Error(`src/composition/aws/environment.ts has no ${key} for src/lambda/${name}.ts`);
  return schema as z.ZodObject;
}

/** Placeholder values that satisfy an entry's schema (checked with the schema itself). */
export function dummyEnv(schema: z.ZodObject): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    if (/_DAYS$|_SECONDS$|_RANGE$|SHOPIFY/.test(key)) continue; // optional or defaulted
    if (key.endsWith('_ARN')) env[key] = 'arn:aws:lambda:us-east-1:123456789012:function:cart-recovery-bench';
    else if (key.endsWith('_URL')) env[key] = 'https://bench.lambda-url.us-east-1.on.aws/';
    else if (key.endsWith('_EMAIL') || key.endsWith('_REPLY_TO')) env[key] = 'owner@example.com';
    else if (key.endsWith('_ADDRESS')) env[key] = '"Bench" <reminders@example.com>';
    else if (key.endsWith('_PARAM')) env[key] = '/cart-recovery/bench';
    else if (key.endsWith('_MODEL_ID')) env[key] = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
    else if (key.endsWith('_PER_SEND')) env[key] = '1';
    else env[key] = 'bench';
  }
  const checked = schema.safeParse(env);
  if (!checked.success)
    throw new Error(
      'dummy env does not satisfy the schema: ' +
        `${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return env;
}

const LOADER = [
  "const { performance } = require('node:perf_hooks');",
  'const started = performance.now();',
  'require(process.argv[1]);',
  'const loaded = performance.now();',
  'process.stdout.write(JSON.stringify({ requireMs: loaded - started, readyMs: loaded }));',
  'process.exit(0);',
].join('\n');

async function loadOnce(file: string, env: Record<string, string>): Promise<{ requireMs: number; readyMs: number }> {
  const { stdout } = await run(process.execPath, ['-e', LOADER, file], {
    // A fresh process with only what Lambda would give: no tsx loader, no inherited NODE_OPTIONS.
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: resolve('node_modules'),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as { requireMs: number; readyMs: number };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Bundles the entries (all Lambda entries unless `names` picks some) and loads each `runs` times in fresh
 * processes, round-robin with the empty module so machine noise spreads evenly. The empty module comes first.
 */
export async function measureColdStarts(options: { runs: number; names?: readonly string[] }): Promise<ColdStartRow[]> {
  const entries = lambdaEntries().filter((entry) => !options.names || options.names.includes(entry.name));
  const dir = mkdtempSync(join(tmpdir(), 'cr-bundles-'));
  try {
    const targets: { name: string; file: string; bytes: number; env: Record<string, string> }[] = [];
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, '');
    targets.push({ name: '(empty module)', file: empty, bytes: 0, env: {} });
    for (const entry of entries) {
      const { code, bytes } = await bundleEntry(entry.file);
      const file = join(dir, `${entry.name}.js`);
      writeFileSync(file, code);
      targets.push({ name: entry.name, file, bytes, env: dummyEnv(envSchemaFor(entry.name)) });
    }
    const samples = new Map<string, { requireMs: number[]; readyMs: number[] }>(
      targets.map((t) => [t.name, { requireMs: [], readyMs: [] }]),
    );
    for (let round = 0; round < options.runs; round++) {
      for (const target of targets) {
        const sample = await loadOnce(target.file, target.env);
        const into = samples.get(target.name)!;
        into.requireMs.push(sample.requireMs);
        into.readyMs.push(sample.readyMs);
      }
    }
    return targets.map((target) => {
      const s = samples.get(target.name)!;
      return {
        name: target.name,
        bundleBytes: target.bytes,
        requireMs: median(s.requireMs),
        readyMs: median(s.readyMs),
        runs: options.runs,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bundles each function entry with esbuild's JS API and the options the ServiceFunction construct gives
 * NodejsFunction (`BUNDLING`: minified CJS for node22 with source maps, the pinned AWS SDK bundled in, names
 * kept), then holds each bundle to its budget in BUNDLE_BUDGETS_KB and checks what it may contain: Google API code
 * only in the two Google readers, Bedrock only in the sender. Init time is billed since Aug 2025, so bundle size is
 * cost. This is the one place the CDK tests bundle: the stack tests synthesize without it.
 *
 * One esbuild build for all entries: without code splitting each output holds the same code as a build of its entry
 * alone (as NodejsFunction builds it), and the modules the entries share are read and parsed once, not once each.
 */
import { builtinModules } from 'node:module';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_ENTRIES } from '../../lib/cart-recovery-stack';
import {
  BEDROCK_ROLES,
  BUNDLE_BUDGETS_KB,
  BUNDLING,
  type FunctionRole,
  GOOGLE_ROLES,
} from '../../lib/constructs/service-function';

interface Bundle {
  readonly bytes: number;
  readonly inputs: string[];
  /** Bytes in the output per npm package (or `src`), largest first. */
  readonly largest: string[];
  /** Modules left as `require()` calls (externals). */
  readonly externals: string[];
  /** The bundle's code. */
  readonly code: string;
}

/** Bundles every entry as NodejsFunction would (`BUNDLING`), in one esbuild build; by role. */
async function bundleAll(entries: Readonly<Record<FunctionRole, string>>): Promise<Map<FunctionRole, Bundle>> {
  const roles = Object.keys(entries) as FunctionRole[];
  const result = await build({
    entryPoints: roles.map((role) => ({ in: entries[role], out: role })),
    outdir: 'out',
    bundle: true,
    minify: BUNDLING.minify,
    keepNames: BUNDLING.keepNames,
    sourcemap: BUNDLING.sourceMap, // `--sourcemap`, as NodejsFunction passes it
    platform: 'node',
    target: BUNDLING.target,
    format: BUNDLING.format === OutputFormat.CJS ? 'cjs' : 'esm',
    external: [...BUNDLING.externalModules],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const metafile: Metafile = result.metafile;
  const code = new Map(result.outputFiles.map((file) => [file.path, file.text]));
  const codeOf = (role: FunctionRole) => [...code].find(([path]) => path.endsWith(`/out/${role}.js`))?.[1] ?? '';
  return new Map(roles.map((role) => [role, summarize(metafile.outputs[`out/${role}.js`]!, codeOf(role))]));
}

function summarize(output: Metafile['outputs'][string], code: string): Bundle {
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'src';
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  return {
    bytes: output.bytes,
    inputs: Object.keys(output.inputs),
    largest: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`),
    externals: output.imports.filter((imported) => imported.external).map((imported) => imported.path),
    code,
  };
}

/** Node's own modules, which esbuild leaves as requires on the node platform. */
const BUILTIN = new Set(builtinModules);
const ROLES = Object.keys(BUNDLE_BUDGETS_KB) as FunctionRole[];
const GOOGLE_CODE = new RegExp(
  /node_modules\//.source +
    /(?:@googleapis\/|googleapis(?:-common)?\/|google-auth-library\/|gaxios\/|gtoken\/|google-logging-utils\/)/.source,
);
const BEDROCK_CODE = /bedrock|polish/i;

let bundles: Map<FunctionRole, Bundle>;

beforeAll(async () => {
  bundles = await bundleAll(HANDLER_ENTRIES);
});

const of = (role: FunctionRole): Bundle => bundles.get(role)!;
const googleInputs = (role: FunctionRole) => of(role).inputs.filter((input) => GOOGLE_CODE.test(input));
const bedrockCode = (role: FunctionRole) => [
  ...of(role).inputs.filter((input) => BEDROCK_CODE.test(input) && !input.includes('node_modules/')),
  ...of(role).inputs.filter((input) => input.includes('node_modules/') && /bedrock/i.test(input)),
  ...of(role).externals.filter((path) => /bedrock/i.test(path)),
];

describe('function bundles', () => {
  it('has a budget and an entry for every function', () => {
    expect(ROLES.sort()).toEqual((Object.keys(HANDLER_ENTRIES) as FunctionRole[]).sort());
  });

  it.each(ROLES)('%s: minified bundle fits its budget', (role) => {
    const { bytes, largest } = of(role);
    const budget = BUNDLE_BUDGETS_KB[role];
    const summary = `${role} bundle ${(bytes / 1024).toFixed(1)} KB of ${budget} KB (largest: ${largest.join(', ')})`;
    console.info(summary);
    expect(bytes / 1024, summary).toBeLessThanOrEqual(budget);
  });

  it.each(ROLES)(
    '%s: carries the pinned AWS SDK, whose request timeouts throw, and requires nothing from node_modules',
    (role) => {
      expect(of(role).inputs.filter((input) => input.includes('node_modules/@aws-sdk/')).length).toBeGreaterThan(0);
      // The handler that enforces the stated timeouts (src/composition/aws/policy.ts) is in the bundle, in a version
      // that knows `throwOnRequestTimeout`; with the runtime's SDK neither would be ours to say.
      expect(of(role).inputs.some((input) => input.includes('node_modules/@smithy/node-http-handler/'))).toBe(true);
      expect(of(role).code).toContain('throwOnRequestTimeout');
      expect(of(role).externals.filter((path) => !path.startsWith('node:') && !BUILTIN.has(path))).toEqual([]);
    },
  );

  it.each(ROLES.filter((role) => !GOOGLE_ROLES.includes(role)))('%s: contains no Google API code', (role) => {
    expect(googleInputs(role)).toEqual([]);
  });

  it.each(GOOGLE_ROLES)('%s: reads Google through the per-API packages, never the googleapis monolith', (role) => {
    const packages = new Set(googleInputs(role).map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)![1]));
    expect(packages.has('@googleapis/docs')).toBe(true);
    expect([...packages].filter((name) => name === 'googleapis')).toEqual([]);
  });

  it.each(ROLES.filter((role) => !BEDROCK_ROLES.includes(role)))('%s: contains no Bedrock code', (role) => {
    expect(bedrockCode(role)).toEqual([]);
  });

  it('the sender does call Bedrock (so the check above can see it)', () => {
    expect(of('sender').inputs.some((input) => input.includes('node_modules/@aws-sdk/client-bedrock-runtime/'))).toBe(
      true,
    );
  });

  it.each(ROLES.filter((role) => role !== 'intake'))(
    '%s: contains no Stripe code (only the intake reads Stripe)',
    (role) => {
      expect(of(role).inputs.filter((input) => input.includes('node_modules/stripe/'))).toEqual([]);
    },
  );

  it('the intake does carry the official stripe package (so the check above can see it)', () => {
    expect(of('intake').inputs.some((input) => input.includes('node_modules/stripe/'))).toBe(true);
  });
});

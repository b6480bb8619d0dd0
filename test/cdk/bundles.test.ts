/**
 * Bundles each function entry with esbuild's JS API and the options the ServiceFunction construct gives
 * NodejsFunction (minified CJS for node22, `@aws-sdk/*` left to the runtime, names kept), then holds each bundle to
 * its budget in BUNDLE_BUDGETS_KB. Init time is billed since Aug 2025, so bundle size is cost.
 */
import { existsSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { HANDLER_ENTRIES } from '../../lib/cart-recovery-stack';
import { BUNDLE_BUDGETS_KB, BUNDLE_TARGET, EXTERNAL_MODULES, type FunctionRole } from '../../lib/constructs/service-function';

interface Bundle {
  readonly bytes: number;
  readonly inputs: string[];
  /** Bytes in the output per npm package (or `src`), largest first. */
  readonly largest: string[];
  /** Modules left as `require()` calls (externals). */
  readonly externals: string[];
}

async function bundle(entry: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: 'external',
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    external: EXTERNAL_MODULES,
    outfile: 'index.js',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const metafile: Metafile = result.metafile;
  const [, output] = Object.entries(metafile.outputs).find(([path]) => path.endsWith('index.js'))!;
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
  };
}

const ROLES = Object.keys(BUNDLE_BUDGETS_KB) as FunctionRole[];

describe('function bundles', () => {
  for (const role of ROLES) {
    const entry = HANDLER_ENTRIES[role];
    const budget = BUNDLE_BUDGETS_KB[role];
    const missing = !existsSync(entry);
    const title = missing
      ? `${role}: skipped, src/handlers/${role}.ts does not exist yet`
      : `${role}: minified bundle fits its ${budget} KB budget`;
    it.skipIf(missing)(title, async () => {
      const { bytes, largest } = await bundle(entry);
      const summary = `${role} bundle ${(bytes / 1024).toFixed(1)} KB of ${budget} KB (largest: ${largest.join(', ')})`;
      console.info(summary);
      expect(bytes / 1024, summary).toBeLessThanOrEqual(budget);
    });
  }

  it('keeps Google APIs and Bedrock out of the intake bundle', async () => {
    const { inputs, externals } = await bundle(HANDLER_ENTRIES.intake);
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((input) => /googleapis|google-auth-library|gaxios|gtoken/.test(input))).toEqual([]);
    expect(inputs.filter((input) => /bedrock|polish/i.test(input))).toEqual([]);
    expect(externals.filter((path) => /bedrock/i.test(path))).toEqual([]);
    // The AWS SDK stays external: it comes from the runtime.
    expect(inputs.filter((input) => input.includes('node_modules/@aws-sdk/'))).toEqual([]);
  });
});

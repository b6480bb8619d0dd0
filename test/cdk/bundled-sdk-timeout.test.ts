/**
 * The stated timeouts hold in the SDK the functions carry, not only in this repository's node_modules: an entry built
 * with the ServiceFunction's own esbuild options (`BUNDLING`: the pinned AWS SDK bundled in) is run by a plain `node`
 * from a folder with no node_modules, against a server that accepts the request and never answers. The call must end
 * with the SDK's TimeoutError at the SES policy's request timeout (src/composition/aws/policy.ts), far inside the
 * sender's 30 s.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLING } from '../../lib/constructs/service-function';
import { AWS_CLIENT_POLICY } from '../../src/composition/aws/policy';

const run = promisify(execFile);

describe('the bundled SDK', () => {
  let server: Server;
  let endpoint: string;
  let dir: string;

  beforeAll(async () => {
    // Reads the request, never answers, keeps the connection open.
    server = createServer((request) => request.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'cr-bundled-sdk-'));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends a hung SES call with a TimeoutError at the stated request timeout', async () => {
    const result = await build({
      entryPoints: [new URL('../support/bundled-ses-probe.ts', import.meta.url).pathname],
      bundle: true,
      minify: BUNDLING.minify,
      keepNames: BUNDLING.keepNames,
      platform: 'node',
      target: BUNDLING.target,
      format: BUNDLING.format === OutputFormat.CJS ? 'cjs' : 'esm',
      external: [...BUNDLING.externalModules],
      write: false,
      logLevel: 'silent',
    });
    const file = join(dir, 'probe.js');
    writeFileSync(file, result.outputFiles[0]!.text);
    const { stdout } = await run(process.execPath, [file], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        PROBE_ENDPOINT: endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeout: 60_000,
    });
    const outcome = JSON.parse(stdout) as { outcome: string; name?: string; message?: string; ms: number };
    expect(outcome).toMatchObject({ outcome: 'failed', name: 'TimeoutError' });
    expect(outcome.message).toContain(`${AWS_CLIENT_POLICY.ses.requestTimeoutMs} ms requestTimeout`);
    expect(outcome.ms).toBeGreaterThanOrEqual(AWS_CLIENT_POLICY.ses.requestTimeoutMs - 100);
    expect(outcome.ms).toBeLessThan(30_000);
  });
});

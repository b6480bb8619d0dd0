/**
 * `npm run preview -- --aws` renders with the docs a deployed stack last accepted: run here as the operator runs it,
 * with the SDK pointed at DynamoDB Local (AWS_ENDPOINT_URL_DYNAMODB) holding the stored copies the rules loader writes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DynamoDbOwnerDocsStore } from '../../src/adapters/aws/dynamodb-owner-docs-store';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { DEFAULT_VOICE } from '../../src/domain/owner-docs/voice';
import { freshTables } from '../support/dynamo';

const run = promisify(execFile);

describe('npm run preview -- --aws', () => {
  it('renders the stored live docs, and says plainly when none was ever accepted', async () => {
    const { endpoint, documents, names } = await freshTables();
    const out = mkdtempSync(join(tmpdir(), 'preview-aws-'));
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const preview = () =>
      run(process.execPath, ['--import', 'tsx', 'scripts/preview.ts', '--aws', '--table', names.sends, '--out', out], {
        env,
      });

    await expect(preview()).rejects.toMatchObject({
      stderr: expect.stringContaining(`no rules doc was ever accepted in ${names.sends}: run npm run doctor -- --aws`),
    });

    const store = new DynamoDbOwnerDocsStore(documents, names.sends);
    const rules = { ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, name: 'Harbour Lights Candles' } };
    await store.saveRules({ value: rules, sourceHash: 'h1', savedAt: '2026-11-20T10:00:00.000Z' });
    await store.saveVoice({ value: DEFAULT_VOICE, sourceHash: 'h2', savedAt: '2026-11-20T10:05:00.000Z' });
    const { stdout } = await preview();
    expect(stdout).toContain(
      'Rendering with rules accepted 2026-11-20T10:00:00.000Z, voice accepted 2026-11-20T10:05:00.000Z.',
    );
    expect(readFileSync(join(out, 'first-reminder.html'), 'utf8')).toContain('Harbour Lights Candles');
  });
});

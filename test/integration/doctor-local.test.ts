/**
 * `npm run doctor` on the laptop: the same use case over the local adapters (the example docs on disk, the monthly
 * counters in DynamoDB Local), as scripts/doctor.ts wires them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynamoDbStats } from '../../src/adapters/aws/dynamodb-stats';
import { FileOwnerDrive } from '../../src/adapters/local/file-owner-drive';
import { EXAMPLE_DOCS } from '../../src/local/system';
import { diagnoseSetup } from '../../src/use-cases/diagnose-setup';
import { freshTables } from '../support/dynamo';

const now = new Date('2026-11-20T12:00:00Z');

describe('npm run doctor, locally', () => {
  it(
    'accepts the example docs, sees carts once the counters have some, ' + 'and names a doc line that does not parse',
    async () => {
      const { documents, names } = await freshTables();
      const stats = new DynamoDbStats(documents, names.sends, async () => 'UTC');
      const run = (rules: string) =>
        diagnoseSetup({
          where: 'local',
          clock: { now: () => now },
          drive: new FileOwnerDrive(),
          docIds: { rules, voice: EXAMPLE_DOCS.voice },
          stats,
        });

      const empty = await run(EXAMPLE_DOCS.rules);
      expect(empty.findings.map((f) => `${f.status} ${f.check}`)).toEqual([
        'ok Rules doc',
        'ok Voice doc',
        'warn Carts from the storefront',
      ]);

      await stats.add(now, { counter: 'cartsSeen' });
      const broken = join(mkdtempSync(join(tmpdir(), 'doctor-')), 'rules.md');
      writeFileSync(broken, '# Rules\nQuiet hours: 25:00 to 07:00\n');
      const { findings } = await run(broken);
      expect(findings.find((f) => f.check === 'Carts from the storefront')).toMatchObject({
        status: 'ok',
        said: '1 cart this month, 0 last month.',
      });
      expect(findings.find((f) => f.check === 'Rules doc')).toMatchObject({
        status: 'fail',
        said: expect.stringContaining('(line 2: '),
      });

      const missing = await run(join(tmpdir(), 'no-such-rules-doc.md'));
      expect(missing.findings.find((f) => f.check === 'Rules doc')).toMatchObject({
        status: 'fail',
        said: expect.stringMatching(/^cannot read .*no-such-rules-doc\.md \(not_found: /),
      });
    },
  );
});

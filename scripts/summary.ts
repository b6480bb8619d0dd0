/**
 * `npm run summary -- [2026-11]`: renders a month's summary (default: the month just ended, by the local test clock)
 * into the running local system's outbox, exactly as the owner would get it. `--recount` also recounts the month
 * from the records and prints both, so any difference shows.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOwnerDocsStore } from '../src/adapters/aws/dynamodb-owner-docs-store';
import { scanMonthRecords } from '../src/adapters/aws/dynamodb-records';
import { DynamoDbStats } from '../src/adapters/aws/dynamodb-stats';
import { consoleLog } from '../src/adapters/local/console-log';
import { ControllableClock } from '../src/adapters/local/controllable-clock';
import { LOCAL_AWS } from '../src/local/dynamodb-local';
import { OutboxMailer } from '../src/adapters/local/outbox-mailer';
import { StoredOwnerDocs } from '../src/use-cases/stored-owner-docs';
import { localEndpointFile } from '../src/local/system';
import { tableNames } from '../src/resources/tables';
import { recountMonth, sendMonthlySummary } from '../src/use-cases/monthly-summary';

try {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { recount: { type: 'boolean', default: false } } });
  const month = positionals[0];
  if (month !== undefined && !/^\d{4}-\d{2}$/.test(month)) throw new Error(`"${month}" is not a month; write it as 2026-11`);
  const dataDir = resolve(process.env.CR_DATA_DIR ?? '.local');
  let endpoint: string;
  try {
    ({ endpoint } = JSON.parse(readFileSync(localEndpointFile(dataDir), 'utf8')) as { endpoint: string });
  } catch {
    throw new Error('the local system is not running: start it with npm start');
  }
  const client = new DynamoDBClient({ endpoint, ...LOCAL_AWS });
  const documents = DynamoDBDocumentClient.from(client);
  const tables = tableNames();
  const clock = new ControllableClock(join(dataDir, 'clock.json'));
  const rules = new StoredOwnerDocs(new DynamoDbOwnerDocsStore(documents, tables.sends), clock, 0);
  const stats = new DynamoDbStats(documents, tables.sends, async () => (await rules.current()).store.timeZone);
  const result = await sendMonthlySummary(month ? { month } : {}, {
    stats,
    rules,
    mailer: new OutboxMailer(join(dataDir, 'outbox'), clock),
    clock,
    log: consoleLog(),
    owner: { email: 'owner@shop.example', from: 'cart-recovery <reminders@shop.example>' },
  });
  console.log(`Summary for ${result.month} is in the outbox: ${process.env.CR_URL ?? 'http://127.0.0.1:3000'}/outbox/`);
  console.log(JSON.stringify(result.counters, null, 2));
  if (values.recount) {
    const recount = recountMonth(result.month, await scanMonthRecords(documents, tables), await rules.current());
    console.log('Recount from the records:');
    console.log(JSON.stringify(recount, null, 2));
  }
  client.destroy();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

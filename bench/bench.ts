/**
 * `npm run bench`: intake against its unavoidable write, cold starts against an empty module, and per-cart growth,
 * all measured in one run (so the ratios hold on a noisy machine). Prints one table and writes it, with the
 * machine and the date, into docs/performance.md between the `bench` markers.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, localTables } from '../src/local/create-tables';
import { LOCAL_AWS } from '../src/local/dynamodb-local';
import { measureColdStarts } from './cold-start';
import { playMorningRush } from './rush';
import { withDynamoDbLocal } from './harness';
import { measureGrowth, measureIntake, measureIntakeAfterSweep } from './measure';
import { AFTER_SWEEP_TARGET_RATIO, machine, renderBenchTable, writeSection, type BenchResult } from './report';

const EVENTS_PER_RUN = 2_000;
const CONCURRENCY = [8, 32] as const;
/** Rounds of raw, intake, intake, raw per concurrency: more samples on both sides, same ratio semantics. */
const ROUNDS = 3;
const COLD_START_RUNS = 5;
const GROWTH_SIZES = [1, 10, 100] as const;
const GROWTH_CARTS = 3;
/** The 8 am rush: reminders held overnight, against a new production SES account's rate. */
const RUSH_REMINDERS = 2_000;
const RUSH_RATE = 14;
/** Valid deliveries per side around the intake sweeps, and how many sweeps (5,840 requests each) come between. */
const SWEEP_EVENTS = 1_000;
const SWEEPS = 2;
const SWEEP_CONCURRENCY = 8;

async function main(): Promise<void> {
  const started = Date.now();
  const log = (message: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${message}`);

  const { intake, afterSweep, growth, rush } = await withDynamoDbLocal(async (engine) => {
    log(`DynamoDB Local on ${engine.endpoint}; intake: ${ROUNDS} rounds of ${EVENTS_PER_RUN} events per side at concurrency ${CONCURRENCY.join(' and ')}`);
    const intakeRows = await measureIntake({ dynamoEndpoint: engine.endpoint, events: EVENTS_PER_RUN, concurrency: CONCURRENCY, rounds: ROUNDS });
    log(`after the sweep: ${SWEEP_EVENTS} valid events twice, ${SWEEPS} sweeps, ${SWEEP_EVENTS} valid events twice`);
    const afterSweep = await measureIntakeAfterSweep({ dynamoEndpoint: engine.endpoint, events: SWEEP_EVENTS, concurrency: SWEEP_CONCURRENCY, sweeps: SWEEPS });
    log(`growth: carts with ${GROWTH_SIZES.join(', ')} changes`);
    const growthRows = await measureGrowth({ dynamoEndpoint: engine.endpoint, sizes: GROWTH_SIZES, cartsPerSize: GROWTH_CARTS });
    log(`morning rush: ${RUSH_REMINDERS} reminders held overnight, SES stand-in throttling above ${RUSH_RATE} a second`);
    const client = new DynamoDBClient({ endpoint: engine.endpoint, ...LOCAL_AWS });
    try {
      const { names, tables } = localTables('rush-');
      await ensureTables(client, tables);
      const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
      const rush = await playMorningRush({ documents, tables: names, reminders: RUSH_REMINDERS, ratePerSecond: RUSH_RATE });
      return { intake: intakeRows, afterSweep, growth: growthRows, rush };
    } finally {
      client.destroy();
    }
  });
  // After DynamoDB Local has stopped, so the Java engine does not compete with the fresh processes.
  log(`cold starts: ${COLD_START_RUNS} fresh processes per bundle`);
  const coldStarts = await measureColdStarts({ runs: COLD_START_RUNS });

  const result: BenchResult = { intake, afterSweep, coldStarts, growth, rush };
  const tableText = renderBenchTable(result);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const section = [
    `Measured ${when} UTC on ${machine()}, in ${seconds} s (\`npm run bench\`).`,
    '',
    tableText,
    '',
    'Notes on this table:',
    '',
    '- **Intake** is the local system\'s own intake handler (`createIntakeHandler`: signature check, schema, the',
    '  ingest use case, `DynamoDbCartStore`, logging), called in-process, on DynamoDB Local; the owner\'s docs come',
    '  from memory, as a warm Lambda serves them from its 120 s cache. **Raw UpdateItem** is the exact conditional',
    '  write intake sent for the same event (captured during the warm-up), replayed on fresh cart ids through a plain',
    `  DynamoDB client at the same concurrency. After a full warm-up, ${ROUNDS} rounds of raw, intake, intake, raw (two`,
    `  halves of ${EVENTS_PER_RUN} events per round and side); figures are over all rounds.`,
    '  Workload: carts of 6 changes (the month\'s average), 45% give an email from their second change. Wake-ups go to',
    '  the local scheduler table (in AWS: one CreateSchedule per emailed cart).',
    `- **Intake after the sweep**: one warm local intake (the same handler, caches and tables) takes ${SWEEP_EVENTS} valid`,
    `  deliveries twice, then ${SWEEPS} sweeps of forged, mutated, oversized, mistyped and replayed requests to both webhook`,
    '  URLs (`bench/intake-sweep.ts`, the requests `test/integration/intake-sweep.test.ts` checks), then the same valid',
    `  workload twice on fresh carts; "after" ÷ "before" must be at least ${AFTER_SWEEP_TARGET_RATIO}, and every sweep answer is checked.`,
    '- **Cold start**: each entry in `src/lambda/*.ts` that exports `handler`, bundled as `ServiceFunction` bundles',
    '  it (esbuild, minified CJS, node22 target, `@aws-sdk/*` external, names kept), loaded with `require` in a fresh',
    '  `node` with a dummy environment satisfying its schema in `src/lambda/environment.ts`. `@aws-sdk/*` resolves from this',
    '  repository\'s node_modules (the Lambda runtime provides it), so its load time is included. "Ready" counts from',
    '  process start; this machine\'s Node is not Lambda\'s Node 22 on arm64, so compare rows, not absolutes.',
    '- **Growth**: carts whose N changes come 30 s apart (email from the first), through intake, then played to the',
    '  end of the chase on the test clock. Cart changes never call the Scheduler: the intake column stays at one',
    '  wake-up per cart. Over the whole chase a cart that changed after its first wake-up was set gets one',
    '  "still shopping" wake-up more, whether it changed 10 or 100 times. WRU include the GSI writes DynamoDB',
    '  reports; RRU are the waiter\'s and sender\'s reads (docs served from memory here).',
    `- **Morning rush**: ${RUSH_REMINDERS} carts whose first reminders quiet hours held overnight, released at 08:00`,
    `  against an SES stand-in (HTTP, the real SES v2 client) that throttles above ${RUSH_RATE} messages a second: the real`,
    '  sender and ledger on DynamoDB Local, simulated time (`bench/rush.ts`). Each reminder has its own second of a',
    '  2½ minute window; a throttled send is deferred 1-16 s. The lower bound is reminders / rate; the target is 1.5x it.',
  ].join('\n');
  console.log(tableText);
  writeSection('bench', section);
  log(`done; written to docs/performance.md`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `npm run carts -- <command>`: the operator's view of carts and of what failed, in plain words.
 *
 *   npm run carts -- story <cartId>     the cart, where its chase stands, and every decision with its reason
 *   npm run carts -- failures           what landed in the failure queue after every retry, one sentence each
 *   npm run carts -- replay <id>|all    runs failed work again with its original event (safe: nothing is sent twice)
 *
 * Where: the local system by default (it must be running: npm start; CR_DATA_DIR as for it); `--aws` uses your AWS
 * credentials and region and the deployed tables (`--carts-table`, `--sends-table` to name others) and the
 * failed-invocations SQS queue: `--queue-url` (or CR_FAILED_INVOCATIONS_QUEUE_URL) with the stack output
 * FailedInvocationsQueueUrl, else the one queue named `<stack>-FailedInvocationsQueue…` (`--stack`, default CartRecovery).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActivityLog } from '../src/adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../src/adapters/aws/dynamodb-cart-store';
import { DynamoDbOwnerDocsStore } from '../src/adapters/aws/dynamodb-owner-docs-store';
import { type AwsFailureQueue, awsFailureQueue } from '../src/composition/aws/operator';
import { LOCAL_SCHEDULES_TABLE, LocalScheduler } from '../src/adapters/local/local-scheduler';
import { LOCAL_AWS } from '../src/local/dynamodb-local';
import { localEndpointFile } from '../src/local/system';
import { systemClock } from '../src/ports/clock';
import { silentLog } from '../src/ports/log';
import { CARTS_TABLE, SENDS_TABLE } from '../src/resources/tables';
import { runCartsCommand } from '../src/use-cases/operator-carts';

const USAGE = 'usage: npm run carts -- [--aws [--queue-url <url>] [--stack <name>]] story <cartId> | failures | replay <id>|all';

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      aws: { type: 'boolean', default: false },
      'carts-table': { type: 'string' },
      'sends-table': { type: 'string' },
      'queue-url': { type: 'string' },
      stack: { type: 'string', default: 'CartRecovery' },
    },
  });
  const client = values.aws ? new DynamoDBClient({}) : new DynamoDBClient({ endpoint: localEndpoint(), ...LOCAL_AWS });
  const documents = DynamoDBDocumentClient.from(client);
  const sendsTable = values['sends-table'] ?? SENDS_TABLE.name;
  const docs = new DynamoDbOwnerDocsStore(documents, sendsTable);
  let queue: AwsFailureQueue | undefined;
  try {
    const queueUrl = values['queue-url'] ?? process.env.CR_FAILED_INVOCATIONS_QUEUE_URL;
    // Only the commands that read the queue look for it (a story needs no SQS permissions).
    if (values.aws && (positionals[0] === 'failures' || positionals[0] === 'replay')) {
      queue = await awsFailureQueue({ stackName: values.stack, ...(queueUrl ? { queueUrl } : {}) });
    }
    console.log(
      await runCartsCommand(positionals, {
        carts: new DynamoDbCartStore(documents, values['carts-table'] ?? CARTS_TABLE.name),
        activity: new DynamoDbActivityLog(documents, sendsTable, 90),
        ...(values.aws
          ? queue
            ? { failures: queue.failures }
            : { failuresUnavailable: 'the failure queue is read only by the failures and replay commands' }
          : { failures: new LocalScheduler(documents, LOCAL_SCHEDULES_TABLE.name, systemClock, silentLog) }),
        zone: async () => (await docs.rules())?.value.store.timeZone ?? 'UTC',
      }),
    );
  } finally {
    queue?.destroy();
    client.destroy();
  }
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exitCode = 1;
}

function localEndpoint(): string {
  try {
    return (JSON.parse(readFileSync(localEndpointFile(), 'utf8')) as { endpoint: string }).endpoint;
  } catch {
    throw new Error('the local system is not running (start it with npm start), or pass --aws for a deployed stack');
  }
}

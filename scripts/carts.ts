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
 * FailedInvocationsQueueUrl, else the one queue named `<stack>-FailedInvocationsQueue…` (`--stack`, default
 * CartRecovery).
 */
import { parseArgs } from 'node:util';
import { openOperator } from '../src/local/operator';
import { runCartsCommand } from '../src/use-cases/operator-carts';

const USAGE =
  'usage: npm run carts -- [--aws [--queue-url <url>] [--stack <name>]] story <cartId> | failures | replay <id>|all';

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
  const system = openOperator({
    where: values.aws ? 'aws' : 'local',
    tables: { carts: values['carts-table'], sends: values['sends-table'] },
    failureQueue: {
      stackName: values.stack,
      queueUrl: values['queue-url'] ?? process.env.CR_FAILED_INVOCATIONS_QUEUE_URL,
    },
  });
  try {
    // Only the commands that read the queue look for it (a story needs no SQS permissions).
    const readsQueue = positionals[0] === 'failures' || positionals[0] === 'replay';
    console.log(
      await runCartsCommand(positionals, {
        carts: system.carts,
        activity: system.activity,
        ...(readsQueue
          ? { failures: await system.failures() }
          : { failuresUnavailable: 'the failure queue is read only by the failures and replay commands' }),
        zone: system.zone,
      }),
    );
  } finally {
    system.destroy();
  }
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exitCode = 1;
}

import { renderCartStory, renderFailures } from '../domain/operations/cart-story';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import { type FailureQueue, ReplayRefusedError } from '../ports/failure-queue';

/** What `npm run carts` reads: the cart table, the activity log, and (where it can be read) the failure queue. */
export interface OperatorCartsDeps {
  readonly carts: Pick<CartStore, 'get'>;
  readonly activity: Pick<ActivityLog, 'history'>;
  /** Absent where the queue cannot be read from this checkout; the commands that need it say so. */
  readonly failures?: FailureQueue;
  /** Why {@link failures} is absent, for the message. */
  readonly failuresUnavailable?: string;
  /** The store's zone for the times shown (from the stored rules). */
  readonly zone: () => Promise<string>;
}

/** A usage problem or an unknown target: its message is for the operator, with no stack trace. */
export class OperatorCommandError extends Error {
  override readonly name = 'OperatorCommandError';
}

/**
 * Runs one operator command and returns what to print:
 * `story <cartId>`, `failures`, `replay <id>` or `replay all`.
 */
export async function runCartsCommand(words: readonly string[], deps: OperatorCartsDeps): Promise<string> {
  const [command, argument] = words;
  switch (command) {
    case 'story': {
      if (!argument) throw new OperatorCommandError('story needs a cart id, e.g. npm run carts -- story shopify-8f2k1');
      const [cart, entries, zone] = await Promise.all([
        deps.carts.get(argument),
        deps.activity.history(argument),
        deps.zone(),
      ]);
      return renderCartStory(argument, cart, entries, zone);
    }
    case 'failures':
      return renderFailures(await queue(deps).list(), await deps.zone());
    case 'replay': {
      if (!argument) throw new OperatorCommandError('replay needs an id from npm run carts -- failures, or "all"');
      const failures = queue(deps);
      const ids = argument === 'all' ? (await failures.list()).map((work) => work.id) : [argument];
      if (ids.length === 0) return 'The failure queue is empty: nothing to replay.';
      const replayed: string[] = [];
      const missing: string[] = [];
      const refused: string[] = [];
      for (const id of ids) {
        try {
          ((await failures.replay(id)) ? replayed : missing).push(id);
        } catch (error) {
          // Work the queue lists but cannot run again itself: say why and go on with the rest.
          if (!(error instanceof ReplayRefusedError)) throw error;
          refused.push(`${id}: ${error.message}`);
        }
      }
      return [
        ...(replayed.length > 0
          ? [
              `Replayed ${replayed.length}: ${replayed.join(', ')}. Each runs again now with its original event; ` +
                `npm run carts -- story <cartId> shows what it did.`,
            ]
          : []),
        ...(missing.length > 0
          ? [`Not in the failure queue (replayed already, or a wrong id): ${missing.join(', ')}.`]
          : []),
        ...(refused.length > 0 ? ['Not replayed (still in the queue):', ...refused.map((line) => `  ${line}`)] : []),
      ].join('\n');
    }
    default:
      throw new OperatorCommandError(command ? `unknown command "${command}"` : 'no command');
  }
}

function queue(deps: OperatorCartsDeps): FailureQueue {
  if (!deps.failures)
    throw new OperatorCommandError(deps.failuresUnavailable ?? 'the failure queue cannot be read here');
  return deps.failures;
}

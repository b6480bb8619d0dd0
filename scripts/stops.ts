/**
 * `npm run stops -- <command>`: the operator's three manual stops, against the local system or a deployed stack.
 *
 *   npm run stops -- list
 *   npm run stops -- pause "stock count this week"      npm run stops -- resume
 *   npm run stops -- stop-cart <cartId> "reason"         npm run stops -- unstop-cart <cartId>
 *   npm run stops -- stop-shopper <email> "reason"       npm run stops -- unstop-shopper <email>
 *
 * Where: the local system by default (it must be running: `npm start`; CR_DATA_DIR as for it); `--aws` uses your AWS
 * credentials and region and the deployed `cr-sends` table (`--table` to name another).
 */
import { parseArgs } from 'node:util';
import { openOperator } from '../src/local/operator';
import type { OperatorStops } from '../src/domain/owner-docs/rules';
import { applyOperatorCommand, type OperatorCommand } from '../src/use-cases/operator-stops';

const USAGE =
  'usage: npm run stops -- [--aws] [--table cr-sends] list | pause <reason> | resume | stop-cart <id> <reason> | ' +
  'unstop-cart <id> | stop-shopper <email> <reason> | unstop-shopper <email>';

function command(words: string[]): OperatorCommand {
  const [kind, first = '', ...rest] = words;
  const reason = [first, ...rest].join(' ');
  switch (kind) {
    case 'list':
      return { kind };
    case 'pause':
      return { kind, reason };
    case 'resume':
      return { kind };
    case 'stop-cart':
    case 'unstop-cart':
      if (!first) throw new Error(`${kind} needs a cart id`);
      return kind === 'stop-cart' ? { kind, cartId: first, reason: rest.join(' ') } : { kind, cartId: first };
    case 'stop-shopper':
    case 'unstop-shopper':
      if (!first) throw new Error(`${kind} needs an email`);
      return kind === 'stop-shopper' ? { kind, email: first, reason: rest.join(' ') } : { kind, email: first };
    default:
      throw new Error(kind ? `unknown command "${kind}"` : 'no command');
  }
}

function describe(stops: OperatorStops): string {
  const lines = [
    `Pause:    ${stops.pause ? stops.pause.reason : 'none'}`,
    `Carts:    ${stops.carts.map((s) => `${s.target} (${s.reason})`).join(', ') || 'none'}`,
    `Shoppers: ${stops.emails.map((s) => `${s.target} (${s.reason})`).join(', ') || 'none'}`,
  ];
  return lines.join('\n');
}

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { aws: { type: 'boolean', default: false }, table: { type: 'string' } },
  });
  const system = openOperator({ where: values.aws ? 'aws' : 'local', tables: { sends: values.table } });
  try {
    const parsed = command(positionals);
    const stops = await applyOperatorCommand(parsed, system.ownerDocs);
    console.log(describe(stops));
    if (parsed.kind !== 'list')
      console.log(
        "\nStops act at the next reminder check; a lifted stop reopens its carts at the rules loader's next run.",
      );
  } finally {
    system.destroy();
  }
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(1);
}

/**
 * `npm run summary -- [2026-11]`: renders a month's summary (default: the month just ended, by the local test clock)
 * into the running local system's outbox, exactly as the owner would get it. `--recount` also recounts the month
 * from the records and prints both, so any difference shows.
 */
import { parseArgs } from 'node:util';
import { openOperator } from '../src/local/operator';
import { recountMonth, sendMonthlySummary } from '../src/use-cases/monthly-summary';

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { recount: { type: 'boolean', default: false } },
  });
  const month = positionals[0];
  if (month !== undefined && !/^\d{4}-\d{2}$/.test(month))
    throw new Error(`"${month}" is not a month; write it as 2026-11`);
  const system = openOperator({ where: 'local', localOnly: true, verbose: true });
  try {
    const outbox = system.outbox();
    const result = await sendMonthlySummary(month ? { month } : {}, {
      stats: system.stats,
      rules: system.rules,
      mailer: outbox.mailer,
      clock: system.platform.clock,
      log: system.platform.log,
      owner: system.owner,
    });
    console.log(`Summary for ${result.month} is in the outbox: ${outbox.url}`);
    console.log(JSON.stringify(result.counters, null, 2));
    if (values.recount) {
      const recount = recountMonth(result.month, await system.monthRecords(), await system.rules.current());
      console.log('Recount from the records:');
      console.log(JSON.stringify(recount, null, 2));
    }
  } finally {
    system.destroy();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

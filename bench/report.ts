/** Rendering the bench and the cost report as Markdown, and writing them into docs/performance.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import type { ColdStartRow } from './cold-start';
import type { RushResult } from './rush';
import type { GrowthRow, IntakeRow, SweepRow } from './measure';

export const PERFORMANCE_DOC = 'docs/performance.md';

/** Intake must keep at least this share of the raw write's throughput. */
export const INTAKE_TARGET_RATIO = 0.8;

/**
 * After the sweep, valid deliveries must keep at least this share of their speed before it: "as fast", with room for
 * the drift two runs a minute apart show on a shared machine.
 */
export const AFTER_SWEEP_TARGET_RATIO = 0.9;

export function machine(): string {
  const cores = cpus();
  return (
    `${cores[0]?.model.trim() ?? 'unknown CPU'} × ${cores.length}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB ` +
    `RAM, ${platform()} ${release()}, Node ${process.version}`
  );
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const num = (value: number, digits = 1) => (Number.isInteger(value) ? String(value) : value.toFixed(digits));

export interface BenchResult {
  readonly intake: readonly IntakeRow[];
  readonly coldStarts: readonly ColdStartRow[];
  readonly growth: readonly GrowthRow[];
  /** Valid deliveries before and after the intake sweep (`measureIntakeAfterSweep`). */
  readonly afterSweep?: SweepRow;
}

/** The one bench table: every figure of the run, each next to what it is measured against. */
export function renderBenchTable(result: BenchResult): string {
  const rows: string[][] = [];
  for (const row of result.intake) {
    const verdict = row.ratio >= INTAKE_TARGET_RATIO ? 'meets ≥ 0.80' : 'BELOW 0.80';
    rows.push([
      `Intake, concurrency ${row.concurrency}`,
      `${row.intake.perSecond.toFixed(0)} events/s · p50 ${ms(row.intake.p50Ms)} ms · p99 ${ms(row.intake.p99Ms)} ms`,
      `raw UpdateItem: ${row.raw.perSecond.toFixed(0)} writes/s · p50 ${ms(row.raw.p50Ms)} ms · p99 ` +
        `${ms(row.raw.p99Ms)} ms`,
      `${row.ratio.toFixed(2)} (${verdict})`,
      `${row.intake.events} events per side; DynamoDB requests per intake event: ` +
        `${num(row.dynamoRequestsPerEvent, 2)}; wake-up creates per event: ` +
        `${num(row.schedulerCallsPerEvent, 2)}${row.races ? `; ${row.races} out-of-order races` : ''}`,
    ]);
  }
  if (result.afterSweep) {
    const row = result.afterSweep;
    const clean = row.answeredWrongly === 0 && row.serverErrors === 0;
    const verdict =
      row.ratio >= AFTER_SWEEP_TARGET_RATIO && clean ? `meets ≥ ${AFTER_SWEEP_TARGET_RATIO.toFixed(2)}` : 'MISSES';
    rows.push([
      `Intake after the sweep, concurrency ${row.concurrency}`,
      `after: ${row.after.perSecond.toFixed(0)} events/s · p50 ${ms(row.after.p50Ms)} ms · p99 ` +
        `${ms(row.after.p99Ms)} ms`,
      `before: ${row.before.perSecond.toFixed(0)} events/s · p50 ${ms(row.before.p50Ms)} ms · p99 ` +
        `${ms(row.before.p99Ms)} ms`,
      `${row.ratio.toFixed(2)} (${verdict})`,
      `${row.before.events} valid events per side; ${row.sweepRequests} sweep requests between` +
        (row.ratios
          ? ` (median of ${row.ratios.length} runs on fresh engines, ratios ` +
            `${row.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}; answers of all runs): `
          : ': ') +
        `${row.answeredWrongly} answered wrongly, ${row.serverErrors} 5xx`,
    ]);
  }
  const empty = result.coldStarts.find((row) => row.bundleBytes === 0);
  for (const row of result.coldStarts) {
    if (row === empty) continue;
    rows.push([
      `Cold start, ${row.name}`,
      `bundle ${(row.bundleBytes / 1024).toFixed(0)} KB · require ${ms(row.requireMs)} ms · ready ` +
        `${ms(row.readyMs)} ms after process start`,
      empty ? `empty module: require ${ms(empty.requireMs)} ms · ready ${ms(empty.readyMs)} ms` : '',
      empty ? `+${ms(row.readyMs - empty.readyMs)} ms` : '',
      `median of ${row.runs} fresh processes`,
    ]);
  }
  for (const row of result.growth) {
    const i = row.intake;
    const w = row.wholeChase;
    rows.push([
      `Growth, ${row.changes} change${row.changes === 1 ? '' : 's'} per cart`,
      `intake: Scheduler calls ${num(i.schedulerCalls)} · WRU ${num(i.wru)} · RRU ${num(i.rru)} · DynamoDB ` +
        `requests ${num(i.dynamoRequests)}`,
      `whole chase: Scheduler calls ${num(w.schedulerCalls)} · fired ${num(w.schedulerInvocations)} · WRU ` +
        `${num(w.wru)} · RRU ${num(w.rru)} · emails ${num(w.emails)}`,
      row === result.growth[0] ? 'Scheduler column flat' : '',
      `per cart, ${row.carts} carts`,
    ]);
  }
  return table(['Measure', 'Result', 'Side by side', 'Ratio / check', 'Notes'], rows);
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->` in docs/performance.md (appending the
 * section when the markers are missing), leaving the hand-written prose around it alone.
 */
export function writeSection(name: string, content: string, file = PERFORMANCE_DOC): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${content.trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance and cost\n';
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? `${current.slice(0, start)}${block}${current.slice(stop + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/** Throttled deferrals may be at most this share of the sends, and the release must drain within this many bounds. */
export const RUSH_TARGETS = { throttledShare: 0.05, boundRatio: 1.2 } as const;

/** Whether one rush met every target: all sent once, none lost, throttles rare, drained in time, limits kept. */
export function rushMeets(r: RushResult): boolean {
  return (
    r.sent === r.reminders &&
    r.duplicates === 0 &&
    r.failureQueue === 0 &&
    r.throttled <= RUSH_TARGETS.throttledShare * r.sent &&
    r.doneAfterMs <= RUSH_TARGETS.boundRatio * r.lowerBoundMs &&
    r.maxPerSecond <= r.ratePerSecond &&
    r.maxConcurrent <= r.concurrency
  );
}

/** The morning rushes, one row each. */
export function renderRushTable(results: readonly RushResult[]): string {
  const throttledPercent = RUSH_TARGETS.throttledShare * 100;
  const rows = results.map((r) => [
    `${r.reminders.toLocaleString('en-US')} held, SES ${r.ratePerSecond}/s, ${r.concurrency} senders`,
    `drained by 08:00 + ${(r.doneAfterMs / 1000).toFixed(0)} s (simulated) · ${r.sent} sent once · ` +
      `${r.duplicates} duplicates · ${r.failureQueue} lost`,
    `paced at ${r.plannedPerSecond.toFixed(1)}/s · throttled ${r.throttled} ` +
      `(${((r.throttled / Math.max(1, r.sent)) * 100).toFixed(1)}% of sends) · senders waited ` +
      `${r.concurrencyWaits}× · at most ${r.maxPerSecond} accepted in a second, ` +
      `${r.maxConcurrent} senders at once`,
    `bound ${(r.lowerBoundMs / 1000).toFixed(0)} s: ${(r.doneAfterMs / r.lowerBoundMs).toFixed(2)}x ` +
      `(${rushMeets(r) ? `meets ≤ ${RUSH_TARGETS.boundRatio}x, ≤ ${throttledPercent}% throttled` : 'MISSES'})`,
  ]);
  return table(['Morning', 'Result', 'How', 'Against the bound'], rows);
}

/**
 * `npm run cost`: plays the standard month of a small store through the local system on the test clock, counts
 * every billable call at the adapters (the meter, bench/meter.ts), and prints the AWS bill it would produce,
 * line by line, with and without the always-free tiers, and at 10x and 100x the volume (per-cart counts scaled
 * linearly). Writes the result into docs/performance.md between the `cost` markers.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { InvocationRecord, MeterCounts } from './meter';
import type { Polisher } from '../src/ports/polisher';
import {
  addUsage,
  ASSUMPTIONS,
  monthlyBill,
  tokens,
  totals,
  unitPrice,
  type BillContext,
  type BillLine,
  type FunctionUsage,
  type MonthUsage,
} from './bill';
import { modelRelease, throttleUsage, type ReleaseModel, type ThrottleCost } from './release-model';
import { NEW_ACCOUNT_CAPACITY, type SendCapacity } from '../src/domain/cart/release';
import { envSchemaFor, lambdaEntries, measureColdStarts } from './cold-start';
import { dynamoTotals, isProductTable, startMetered, withDynamoDbLocal, type MeteredSystem } from './harness';
import { MONTH_ASSUMPTIONS, monthDeliveries, STANDARD_MONTH, type Delivery, type MonthSummary } from './month';
import { costOf, PRICES, PRICES_AS_OF } from './prices';
import { machine, table, writeSection } from './report';
import { stackFacts, type StackFacts } from './stack-facts';
import { signedDelivery } from './webhook-events';

const DAY = 86_400_000;
/** Metered runs of the rules loader that give its per-run work. */
const LOADER_SAMPLE_RUNS = 5;
/** Google Docs the rules loader reads per run (rules and voice). */
const LOADER_DOC_READS = 2;
const SCALES = [1, 10, 100] as const;
/** The design target of the seed at this volume, and ours. */
const SEED_TARGET_USD = 2.2;
const OUR_TARGET_USD = 1.0;
/** The account the bill assumes: a new production one (14 a second, 10 concurrent executions, a second a send). */
const BILL_ACCOUNT: SendCapacity = {
  ...NEW_ACCOUNT_CAPACITY,
  senderSecondsPerSend: 1,
  source: 'a new production account',
};
/** A grown account, for the morning table: SES raised to 50 a second, Lambda's default 1,000 concurrency. */
const GROWN_ACCOUNT: SendCapacity = {
  sesMaxSendRate: 50,
  sesMax24HourSend: 1_000_000,
  senderConcurrency: 1_000,
  senderSecondsPerSend: 1,
  source: 'a grown account',
};
/**
 * Write and read units one throttled attempt spends: claim with the shopper's window, its release, a log entry, the
 * counter.
 */
const THROTTLE_WRU = 8;
const THROTTLE_RRU = 4;
const MORNINGS_PER_MONTH = 30;

interface PolishByStep {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  systemTokens: number;
}

/**
 * The model stand-in: answers with the plain line itself (the prompt's `Line:`), which the validator accepts, so
 * the email ships with a "polished" line of realistic length. The meter records each prompt the sender built.
 */
const plainLinePolisher: Polisher = {
  async polish(prompt) {
    return { text: /^Line: (.*)$/m.exec(prompt.user)?.[1] ?? '' };
  },
};

/** Tokens per reminder step, from the prompts the meter recorded (the step comes from the sender's payload). */
function polishByStep(counts: MeterCounts): Record<'first' | 'second', PolishByStep> {
  const byStep = {
    first: { calls: 0, inputTokens: 0, outputTokens: 0, systemTokens: 0 },
    second: { calls: 0, inputTokens: 0, outputTokens: 0, systemTokens: 0 },
  };
  for (const call of counts.polish) {
    const s = byStep[call.step === 'second' ? 'second' : 'first'];
    s.calls++;
    s.systemTokens += tokens(call.systemChars);
    s.inputTokens += tokens(call.systemChars) + tokens(call.userChars);
    s.outputTokens += tokens(call.outputChars);
  }
  return byStep;
}

async function earliestDue(metered: MeteredSystem): Promise<number> {
  const { scheduler } = metered.system;
  const due = (await scheduler.jobs())
    .filter((job) => !job.dead && scheduler.handles(job.target))
    .map((job) => Date.parse(job.dueAt));
  return due.length ? Math.min(...due) : Number.POSITIVE_INFINITY;
}

/** Plays the deliveries in time order, firing every job due in between at its own time; then plays out every chase. */
async function play(
  metered: MeteredSystem,
  deliveries: readonly Delivery[],
  next: { due: number },
  progress: (text: string) => void,
): Promise<{ endMs: number }> {
  const { system } = metered;
  next.due = await earliestDue(metered);
  let day = -1;
  for (const [index, delivery] of deliveries.entries()) {
    const now = system.clock.now().getTime();
    if (next.due <= delivery.at) {
      await system.advance(Math.max(0, delivery.at - now));
      next.due = await earliestDue(metered);
    } else system.clock.advanceTo(new Date(delivery.at));
    const result = await metered.intake(signedDelivery(delivery.payload, delivery.id));
    if (result.statusCode !== 200)
      throw new Error(`intake answered ${result.statusCode} to ${delivery.id}: ${result.body ?? ''}`);
    const today = Math.floor((delivery.at - STANDARD_MONTH.startMs) / DAY);
    if (today !== day && today % 5 === 0) {
      day = today;
      progress(`day ${today}: ${index} of ${deliveries.length} deliveries`);
    }
  }
  // The tail: every cart's chase runs to its end (give-up 7 days after the last reminder), so the month is whole.
  for (let extra = 0; extra < 30; extra++) {
    // The recurring jobs always have their next tick waiting: only carts' work counts as pending.
    const pending = (await system.scheduler.jobs()).filter(
      (job) => !job.dead && job.target !== 'importer' && job.target !== 'summary',
    );
    if (pending.length === 0) break;
    await system.advance(DAY);
  }
  return { endMs: system.clock.now().getTime() };
}

/** Cold starts from the simulated timeline: a function's first call, and any call after a longer idle gap. */
function coldStarts(invocations: readonly InvocationRecord[]): number {
  const times = invocations.map((i) => i.atMs).sort((a, b) => a - b);
  const idle = ASSUMPTIONS.coldStartIdleMinutes * 60_000;
  return times.filter((at, i) => i === 0 || at - (times[i - 1] as number) > idle).length;
}

/** Stored bytes now: item data, 100 B overhead per item, and GSI copies (byEmail on carts projects ALL). */
async function storedBytes(metered: MeteredSystem): Promise<number> {
  const { system } = metered;
  let bytes = 0;
  for (const table of [system.tables.carts, system.tables.sends, system.tables.optouts]) {
    for await (const page of paginateScan({ client: system.documents }, { TableName: table })) {
      for (const item of page.Items ?? []) {
        const size = Buffer.byteLength(JSON.stringify(item)) + 100;
        bytes += size;
        if (table === system.tables.carts && item.email) bytes += size; // byEmail, projection ALL
        if (table === system.tables.sends && item.email && item.sentAt) bytes += 100; // byEmail, keys only
      }
    }
  }
  return bytes;
}

function functionUsage(counts: MeterCounts, fn: string): FunctionUsage {
  const invocations = counts.invocations.filter((i) => i.fn === fn);
  return {
    invocations: invocations.length,
    billedMs: invocations.reduce((sum, i) => sum + Math.max(1, Math.ceil(i.wallMs)), 0),
    coldStarts: coldStarts(invocations),
    logBytes: counts.logs[fn]?.bytes ?? 0,
  };
}

const usd = (value: number) =>
  value === 0 ? '$0' : value < 0.0001 ? '<$0.0001' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(3)}`;
const qty = (value: number) =>
  value === 0 ? '0' : value < 1 ? value.toPrecision(3) : Math.round(value).toLocaleString('en-US');

async function main(): Promise<void> {
  const started = performance.now();
  const progress = (text: string) =>
    console.error(`[cost ${((performance.now() - started) / 1000).toFixed(0)} s] ${text}`);

  const facts: StackFacts = stackFacts();
  const deployed = facts.functions.map((f) => f.name.replace(/^cart-recovery-/, ''));
  // COST_CARTS plays a smaller month for a quick look (the report says how many carts were played).
  const month = { ...STANDARD_MONTH, carts: Number(process.env.COST_CARTS ?? STANDARD_MONTH.carts) };
  const { deliveries, summary } = monthDeliveries(month);
  progress(
    `${summary.carts} carts, ${deliveries.length} webhook deliveries; functions in the stack: ${deployed.join(', ')}`,
  );

  const next = { due: Number.POSITIVE_INFINITY };
  const played = await withDynamoDbLocal(async (engine) => {
    const metered = await startMetered({
      dynamoEndpoint: engine.endpoint,
      tablePrefix: 'cost-',
      frozenMs: STANDARD_MONTH.startMs,
      docs: 'production',
      meter: { polisher: plainLinePolisher, onJobPut: (dueAt) => (next.due = Math.min(next.due, dueAt)) },
    });
    try {
      const { endMs } = await play(metered, deliveries, next, progress);
      const counts = metered.meter.snapshot();
      progress(`played to ${new Date(endMs).toISOString().slice(0, 10)}; sampling the rules loader, measuring storage`);
      // The rules loader runs on its own schedule, whatever the volume: a few metered runs give its per-run work (the
      // local one reads the example docs from files where the Lambda reads Google Docs; the DynamoDB side is the same).
      metered.meter.reset();
      const runLoader = metered.meter.watchFunction('rules-loader', () => metered.system.reloadDocs());
      for (let run = 0; run < LOADER_SAMPLE_RUNS; run++) {
        metered.system.clock.advance(5 * 60_000);
        await runLoader(undefined);
      }
      const loaderCounts = metered.meter.snapshot();
      return { counts, loaderCounts, endMs, storage: await storedBytes(metered), tables: metered.system.tables };
    } finally {
      await metered.stop();
    }
  });
  const playSeconds = (performance.now() - started) / 1000;

  progress('cold starts of the deployed bundles');
  const entryNames = [...deployed, 'rules-loader'].filter((name) => existsSync(`src/lambda/${name}.ts`));
  const cold = await measureColdStarts({ runs: 3, names: entryNames });
  const initMs = Object.fromEntries(cold.filter((row) => row.bundleBytes > 0).map((row) => [row.name, row.readyMs]));

  const { counts } = played;
  const functions = Object.fromEntries(deployed.map((fn) => [fn, functionUsage(counts, fn)]));
  const dynamo = dynamoTotals(counts);
  const kmsTables = facts.tables.filter((t) => t.kmsEncrypted).length;
  const kmsTableKeyWindows = Object.entries(counts.dynamo)
    .filter(([table]) => isProductTable(table))
    .reduce((sum, [, usage]) => sum + (kmsTables > 0 ? usage.activeWindows.size : 0), 0);
  const byStep = polishByStep(counts);
  const polishCalls = byStep.first.calls + byStep.second.calls;
  const usage: MonthUsage = {
    carts: summary.carts,
    functions,
    dynamo: { rru: dynamo.rru, wru: dynamo.wru, failedWriteWru: dynamo.failedWriteWru },
    kmsTableKeyWindows,
    scheduler: {
      invocations: counts.scheduler.invocations.waiter + counts.scheduler.invocations.sender,
      apiCalls: counts.scheduler.wakeUpsCreated + counts.scheduler.deferralsCreated + counts.scheduler.cancels,
      handOffs: counts.scheduler.handOffs,
    },
    emails: counts.emails.count,
    bedrock: {
      calls: polishCalls,
      inputTokens: byStep.first.inputTokens + byStep.second.inputTokens,
      outputTokens: byStep.first.outputTokens + byStep.second.outputTokens,
    },
    googleReads: 0,
    // 90-day retention keeps about three months of carts.
    storageBytes: played.storage * 3,
  };
  const recurring = recurringUsage(facts, played.loaderCounts, counts, kmsTables > 0);
  // The SecureStrings each deployed entry reads at its first invocation: the `_PARAM` variables of its environment
  // schema (optional secrets, Shopify's, are not configured for the standard store).
  const secretsOf = (fn: string): string[] =>
    existsSync(`src/lambda/${fn}.ts`)
      ? Object.keys(envSchemaFor(fn).shape).filter((key) => key.endsWith('_PARAM') && !/SHOPIFY/.test(key))
      : [];
  const secretReads = Object.fromEntries(deployed.map((fn) => [fn, secretsOf(fn).length]));
  const retention = facts.functions.map((f) => f.logRetentionDays ?? 30);
  // The SecureStrings the deployed entries read (config variable names), the optional Shopify one aside.
  const secretParameters = [...new Set(deployed.flatMap(secretsOf))];
  const context: BillContext = {
    memoryMb: Object.fromEntries(facts.functions.map((f) => [f.name.replace(/^cart-recovery-/, ''), f.memoryMb])),
    initMs,
    secretReadsPerColdStart: secretReads,
    secretParameters,
    alarms: facts.alarms.length,
    logRetentionDays: Math.max(...retention),
    pitr: facts.tables.some((t) => t.pitr),
    kmsTables,
  };
  // The morning release at each volume: reminders held for quiet hours per morning, paced at the account's rate; in
  // AWS Scheduler fires each place somewhere in its minute, so some seconds meet SES's limit and those attempts are
  // throttled and re-queued. Each costs a full sender run (the polish comes first), a schedule and a few writes: not
  // a linear scale of the played month, so counted here at each volume.
  const sender = usage.functions.sender;
  const throttleCost: ThrottleCost = {
    senderMs: sender && sender.invocations > 0 ? sender.billedMs / sender.invocations : 0,
    senderLogBytes: sender && sender.invocations > 0 ? sender.logBytes / sender.invocations : 0,
    bedrockInputTokens: usage.bedrock.calls > 0 ? usage.bedrock.inputTokens / usage.bedrock.calls : 0,
    bedrockOutputTokens: usage.bedrock.calls > 0 ? usage.bedrock.outputTokens / usage.bedrock.calls : 0,
    wru: THROTTLE_WRU,
    rru: THROTTLE_RRU,
  };
  const heldPerMorning = counts.scheduler.quietHoursDeferrals / MORNINGS_PER_MONTH;
  const mornings = SCALES.map((scale) => ({ scale, model: modelRelease(heldPerMorning * scale, BILL_ACCOUNT) }));
  const bills = SCALES.map((scale) => {
    const morning = mornings.find((m) => m.scale === scale)!.model;
    const throttles = throttleUsage(morning.throttledAttempts * MORNINGS_PER_MONTH, throttleCost);
    return {
      scale,
      throttledPerMonth: morning.throttledAttempts * MORNINGS_PER_MONTH,
      lines: monthlyBill(usage, context, scale, addUsage(recurring.usage, throttles)),
      // What grows with carts: the played month alone (and its mornings' throttles), without alarms or recurring jobs.
      variable: totals(monthlyBill(usage, { ...context, alarms: 0 }, scale, throttles)),
    };
  });
  const bill1 = bills[0]!.lines;
  const total1 = totals(bill1);

  const releaseRows = renderMornings(mornings, bills, heldPerMorning);
  const section = renderCost({
    summary,
    counts,
    usage,
    context,
    facts,
    bills,
    byStep,
    played,
    playSeconds,
    cold: initMs,
    recurring: recurring.notes,
    recurringCost: totals(bill1).withoutFreeTier - totals(monthlyBill(usage, context, 1)).withoutFreeTier,
    mornings: releaseRows,
  });
  console.log(section);
  const standard = month.carts === STANDARD_MONTH.carts;
  if (standard) writeSection('cost', section);
  progress(
    `done: ${usd(total1.withoutFreeTier)} without free tiers, ${usd(total1.withFreeTier)} ` +
      `with${standard ? '; written to docs/performance.md' : ' (a smaller month: docs/performance.md left alone)'}`,
  );
}

function renderCost(input: {
  summary: MonthSummary;
  counts: MeterCounts;
  usage: MonthUsage;
  context: BillContext;
  facts: StackFacts;
  bills: { scale: number; lines: BillLine[]; variable: { withoutFreeTier: number } }[];
  recurring: string[];
  mornings: string;
  recurringCost: number;
  byStep: Record<'first' | 'second', PolishByStep>;
  played: { endMs: number };
  playSeconds: number;
  cold: Record<string, number>;
}): string {
  const { summary, counts, usage, context, facts, bills, byStep } = input;
  const bill1 = bills[0]!.lines;
  const t1 = totals(bill1);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const days = ((input.played.endMs - STANDARD_MONTH.startMs) / DAY).toFixed(1);
  const fnUsage = Object.entries(usage.functions);
  const dynamo = dynamoTotals(counts);

  const played = table(
    ['What happened', 'Count'],
    [
      ['carts / change events / checkouts', `${summary.carts} / ${summary.changes} / ${summary.checkouts}`],
      ['carts with an email / big carts ($100+) at their last change', `${summary.withEmail} / ${summary.bigCarts}`],
      [
        'shoppers by zone',
        Object.entries(summary.byZone)
          .map(([zone, n]) => `${zone} ${n}`)
          .join(', '),
      ],
      ['Lambda invocations', fnUsage.map(([fn, f]) => `${fn} ${f.invocations}`).join(', ')],
      ['cold starts (idle > 5 min)', fnUsage.map(([fn, f]) => `${fn} ${f.coldStarts}`).join(', ')],
      [
        'wake-ups created / fired, deferrals created, schedules cancelled',
        `${counts.scheduler.wakeUpsCreated} / ${counts.scheduler.invocations.waiter}, ` +
          `${counts.scheduler.deferralsCreated}, ${counts.scheduler.cancels}`,
      ],
      ['hand-offs to the sender (async invoke)', String(counts.scheduler.handOffs)],
      ['recurring jobs (on their own schedule, whatever the volume)', input.recurring.join('; ')],
      [
        'emails sent (first / second reminders polished)',
        `${counts.emails.count} (${byStep.first.calls} / ${byStep.second.calls})`,
      ],
      [
        'DynamoDB requests (read / write), product tables',
        `${dynamo.readRequests} / ${dynamo.writeRequests}; failed conditional writes ${dynamo.failedConditionalWrites}`,
      ],
      [
        'handler log lines / bytes',
        `${Object.values(counts.logs).reduce((s, l) => s + l.lines, 0)} / ${Object.values(counts.logs)
          .reduce((s, l) => s + l.bytes, 0)
          .toLocaleString('en-US')}`,
      ],
      ...(usage.functions.importer
        ? []
        : [
            [
              'not in the stack, so not billed',
              `nightly importer fired ${counts.scheduler.invocations.importer} times locally (export lane: ` +
                'the stack adds it only with an export sheet)',
            ],
          ]),
    ],
  );

  const lineRows = bill1.map((line) => [
    line.service,
    line.item,
    `${qty(line.quantity)} ${PRICES[line.price].unit}`,
    unitPrice(line.price),
    usd(line.withoutFreeTier),
    usd(line.withFreeTier),
    line.basis,
  ]);
  lineRows.push(['**Total**', '', '', '', `**${usd(t1.withoutFreeTier)}**`, `**${usd(t1.withFreeTier)}**`, '']);
  const billTable = table(
    ['Service', 'Item', 'Quantity', 'Price', 'Without free tiers', 'With always-free tiers', 'Basis'],
    lineRows,
  );

  const scaleRows = bills.map(({ scale, lines, variable }) => {
    const t = totals(lines);
    return [
      `${scale}x${scale === 1 ? ' (played)' : ' (scaled)'}`,
      (summary.carts * scale).toLocaleString('en-US'),
      usd(t.withoutFreeTier),
      usd(t.withFreeTier),
      usd(variable.withoutFreeTier),
      usd(variable.withoutFreeTier / (summary.carts * scale)),
    ];
  });
  const scaleTable = table(
    [
      'Volume',
      'Carts',
      'Without free tiers',
      'With always-free tiers',
      'Usage-driven part (no free tiers)',
      'Per cart',
    ],
    scaleRows,
  );

  // What drives it, and what would change it.
  const ranked = [...bill1].sort((a, b) => b.withoutFreeTier - a.withoutFreeTier).filter((l) => l.withoutFreeTier > 0);
  const share = (cost: number) => `${((cost / t1.withoutFreeTier) * 100).toFixed(0)}%`;
  const bedrockLines = bill1.filter((l) => l.price === 'bedrockInput' || l.price === 'bedrockOutput');
  const bedrockCost = bedrockLines.reduce((s, l) => s + l.withoutFreeTier, 0);
  const calls = usage.bedrock.calls || 1;
  const perEmailIn = usage.bedrock.inputTokens / calls;
  const perEmailOut = usage.bedrock.outputTokens / calls;
  const systemShare = (byStep.first.systemTokens + byStep.second.systemTokens) / Math.max(1, usage.bedrock.inputTokens);
  const stepCost = (s: PolishByStep) =>
    (s.inputTokens * PRICES.bedrockInput.usd) / 1e6 + (s.outputTokens * PRICES.bedrockOutput.usd) / 1e6;
  const alarmLine = bill1.find((l) => l.price === 'cloudWatchAlarm');
  // One Errors alarm per function could be one alarm on the account-wide Lambda Errors metric.
  const errorAlarms = facts.alarms.filter((id) => /Errors/.test(id));
  const alarmSaving = errorAlarms.length > 1 ? (errorAlarms.length - 1) * PRICES.cloudWatchAlarm.usd : 0;
  const kmsLine = bill1.find((l) => l.price === 'kmsRequests');
  const secretsManager = context.secretParameters.length * PRICES.secretsManagerSecret.usd;
  const overTarget = t1.withoutFreeTier > OUR_TARGET_USD;
  const kmsTablesChoice =
    context.kmsTables === 0
      ? 'tables on the AWS-owned key (no KMS requests for DynamoDB; the AWS-managed key would add about one ' +
        'request per table per 5 minutes of use); '
      : '';
  const alarmsChoice =
    context.alarms <= PRICES.cloudWatchAlarm.freePerMonth
      ? `${context.alarms} alarm${context.alarms === 1 ? '' : 's'} (inside the always-free 10; each costs $0.10 ` +
        'without it); '
      : '';

  const drivers = [
    `Total without free tiers: **${usd(t1.withoutFreeTier)}** a month for ` +
      `${summary.carts.toLocaleString('en-US')} carts (target ≤ $${OUR_TARGET_USD.toFixed(2)}; the seed's ` +
      `design target was about $${SEED_TARGET_USD.toFixed(2)}). ` +
      (overTarget ? '**Over the $1.00 target.**' : 'Within the $1.00 target.') +
      ` With the always-free tiers: ${usd(t1.withFreeTier)}.`,
    '',
    'Largest lines (without free tiers):',
    '',
    ...ranked
      .slice(0, 5)
      .map((l) => `- ${l.service} ${l.item}: ${usd(l.withoutFreeTier)} (${share(l.withoutFreeTier)})`),
    '',
    `Bedrock per email: ${perEmailIn.toFixed(0)} input + ${perEmailOut.toFixed(0)} output tokens ≈ ` +
      `${usd(bedrockCost / calls)} (${usage.bedrock.calls} calls, one per email); ` +
      `the fixed system prompt is ${(systemShare * 100).toFixed(0)}% of the input tokens.`,
    '',
    'Proposals, each priced from this run:',
    '',
    ...(alarmLine && alarmSaving > 0
      ? [
          `- **Alarms (${alarmLine.quantity} × $0.10 = ${usd(alarmLine.withoutFreeTier)}; the always-free ` +
            `tier covers 10 per account).** ${errorAlarms.length} of them watch one function's \`Errors\` ` +
            `each; one alarm on the account-wide Lambda \`Errors\` metric (AWS/Lambda publishes it without a ` +
            'FunctionName dimension) gives the same "a function failed" signal, and the log says which: saves ' +
            `${usd(alarmSaving)} and brings the set to ${alarmLine.quantity - errorAlarms.length + 1}, inside ` +
            'the free 10. The dead-letter, failed-invocation, SES reputation and docs alarms stay. ' +
            '(lib/constructs/alarms.ts; alarm price not in aws-facts §1, verify.)',
        ]
      : []),
    "- **Polish only the first reminder.** The second reminder keeps the template's line: saves " +
      `${usd(stepCost(byStep.second))} (${byStep.second.calls} calls).`,
    '- **A shorter system prompt.** The validator already enforces the rules the system prompt repeats; ' +
      'halving it saves about ' +
      `${usd(((byStep.first.systemTokens + byStep.second.systemTokens) / 2) * (PRICES.bedrockInput.usd / 1e6))}.`,
    '- **Polish once per voice, not per cart.** A line per (voice doc version, step, saved-link) without ' +
      'item titles, stored with the docs, needs 4 model calls per voice edit: Bedrock ≈ $0 instead of ' +
      `${usd(bedrockCost)}, at the price of lines that no longer mention the items.`,
    ...(input.recurringCost > 0.005
      ? [
          '- **The rules loader every 15 minutes instead of 5.** The recurring jobs cost ' +
            `${usd(input.recurringCost)} a month whatever the volume, nearly all of it the loader's 5-minute ` +
            'tick (its invocations, Scheduler runs, Google waits and docs ' +
            `reads${context.kmsTables > 0 ? ', and the table-key requests it keeps alive' : ''}); a 15-minute ` +
            `tick saves about ${usd((input.recurringCost * 2) / 3)}, and an owner's edit then takes up to 15 ` +
            'minutes to apply.',
        ]
      : []),
    ...(kmsLine && context.kmsTables > 0
      ? [
          `- **DynamoDB with the AWS-owned key.** The stack uses the AWS-managed \`aws/dynamodb\` key (KMS ` +
            'requests billed, estimated above); the AWS-owned key encrypts at rest too at no charge: saves up ' +
            `to ${usd(kmsLine.withoutFreeTier)} (data-tables.ts).`,
        ]
      : []),
    '',
    (() => {
      const firstOnly = stepCost(byStep.second);
      const shorter = (byStep.first.systemTokens / 2) * (PRICES.bedrockInput.usd / 1e6);
      const path = t1.withoutFreeTier - alarmSaving - firstOnly - shorter;
      const perVoice = t1.withoutFreeTier - alarmSaving - bedrockCost;
      const verdict = (value: number) => (value <= OUR_TARGET_USD ? 'under' : 'still over');
      return [
        'Combined, without free tiers at this volume: ' +
          `${alarmSaving > 0 ? `one Errors alarm instead of ${errorAlarms.length}, ` : ''}polishing only the ` +
          `first reminder and a system prompt half as long give **${usd(path)}** (${verdict(path)} $1.00); ` +
          `${alarmSaving > 0 ? 'one Errors alarm and ' : ''}a polished line per voice instead of per cart ` +
          `give${alarmSaving > 0 ? '' : 's'} **${usd(perVoice)}** (${verdict(perVoice)} $1.00).`,
        'Every reminder is still sent either way; what is left is SES ' +
          `(${usd(bill1.find((l) => l.price === 'sesEmails')?.withoutFreeTier ?? 0)}, one email per reminder) ` +
          'and the remaining alarms.',
      ].join(' ');
    })(),
    '',
    `Sensitivity: output tokens are estimated from the plain line's length (${perEmailOut.toFixed(0)} per ` +
      'email); if the model always used its 80-token cap, output would cost ' +
      `${usd((80 * calls * PRICES.bedrockOutput.usd) / 1e6)} instead of ` +
      `${usd(bill1.find((l) => l.price === 'bedrockOutput')?.withoutFreeTier ?? 0)}.`,
    '',
    'Choices already the cheaper ones, kept: ' +
      `${kmsTablesChoice}${alarmsChoice}secrets in SSM Parameter Store SecureStrings (free; Secrets Manager ` +
      `would add ${usd(secretsManager)} a month ` +
      `for the ${context.secretParameters.length} secrets: ${context.secretParameters.join(', ')}); Haiku 4.5 ` +
      `through the **global** profile (10% under the \`us.\` profile); ${context.logRetentionDays}-day log ` +
      `retention (storage is ${usd(bill1.find((l) => l.price === 'logsStorage')?.withoutFreeTier ?? 0)} at ` +
      'this volume; never-expire would grow it every month); ' +
      `${[...new Set(Object.values(context.memoryMb))].join('/')} MB functions on arm64 (Lambda duration is ` +
      `${usd(bill1.filter((l) => l.price === 'lambdaArmGbSecond').reduce((s, l) => s + l.withoutFreeTier, 0))} ` +
      'in total, so a smaller size saves little and costs latency).',
  ];

  const tableKeyNote =
    context.kmsTables > 0
      ? " DynamoDB's own requests to the AWS-managed table key are not documented precisely: estimated as ≤ 1 per " +
        `table per ${ASSUMPTIONS.kmsTableKeyWindowMinutes} minutes in which the table was used.`
      : ' The tables use the AWS-owned key: DynamoDB makes no billed KMS requests.';
  const functionsInStack = facts.functions
    .map((f) => `${f.name.replace('cart-recovery-', '')} ${f.memoryMb} MB ${f.architecture}`)
    .join(', ');
  const recurringSchedules = facts.recurringSchedules.length
    ? facts.recurringSchedules.map((r) => `${r.expression} → ${r.functionName ?? r.id}`).join(', ')
    : 'none';
  const assumptions = [
    `- Prices: \`bench/prices.ts\`, us-east-1, as of ${PRICES_AS_OF}. Always-free tiers: Lambda 1M requests ` +
      'and 400,000 GB-s, Scheduler 14M invocations, KMS 20,000 requests, Logs 5 GB, DynamoDB 25 GB storage, 10 ' +
      'alarms. SES and Bedrock have none (the 12-month SES offer became credits for accounts since Jul 2025).',
    `- Played, not estimated: ${summary.carts} carts through the local system (\`startLocalSystem\` with a ` +
      `meter), ${input.playSeconds.toFixed(0)} s wall time for ${days} simulated days (30 days of carts, then ` +
      'every chase to its end, so the counts are one month of steady state). Webhooks are called in-process on ' +
      'the intake handler the local HTTP server routes (no loopback HTTP), signed like a storefront signs them.',
    ...MONTH_ASSUMPTIONS.map((a) => `- Month: ${a}.`),
    `- DynamoDB: \`ReturnConsumedCapacity: TOTAL\` on every call; DynamoDB Local reports base-table and GSI ` +
      `units. Failed conditional writes (${dynamo.failedConditionalWrites} this month) report none and are ` +
      `priced at 1 WRU per KB sent. Owner docs are read as production reads them: stored copies, cached ${120} ` +
      's per function (container recycling ignored). Storage: items at the end of the month × 3 (90-day ' +
      'retention).',
    '- Lambda: handler durations measured on this machine against DynamoDB Local (not AWS latencies); remote ' +
      'waits added as assumed per call ' +
      `(${Object.entries(ASSUMPTIONS.remoteWaitMs)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(', ')}). ` +
      `Cold starts: a function's first call and any after more than ${ASSUMPTIONS.coldStartIdleMinutes} min ` +
      'idle on the simulated timeline (calls were sequential, so concurrency-driven cold starts are not ' +
      'counted); each pays the measured bundle load ' +
      `(${Object.entries(input.cold)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(', ')}, ` +
      'this machine) as INIT.',
    `- Bedrock: the real prompts from \`buildPolishPrompt\`; ${ASSUMPTIONS.charsPerToken} characters per ` +
      "token (no tokenizer installed; Claude's tokenizer may count more), output = one sentence as long as the " +
      `plain line. Real usage is in the Converse response (\`usage\`).`,
    '- The monthly summary is played where the month crosses its hour (08:00 on the 1st, store time), with ' +
      'its owner email and reads; its other hourly ticks, which only read the rules, are priced as ' +
      'invocations. Not played: owner-doc edits (the rules loader is priced from sampled runs over unchanged ' +
      'docs; an edit adds a few writes).',
    "- Logs: the handlers' lines as Powertools prints them (JSON with service and trace id), plus " +
      `${ASSUMPTIONS.platformLogBytesPerInvocation} B of START/END/REPORT per invocation.`,
    '- Secrets: one SSM SecureString read (one KMS Decrypt) per secret per cold start ' +
      `(${Object.entries(context.secretReadsPerColdStart)
        .filter(([, n]) => n > 0)
        .map(([fn, n]) => `${fn} ${n}`)
        .join(', ')}, ` +
      `counted from the \`_PARAM\` variables of each entry's environment schema; the optional Shopify secret ` +
      `is not configured).${tableKeyNote}`,
    '- 10x and 100x: every per-cart count of the played month scaled linearly (cold starts too, which ' +
      'overstates them; table-key requests capped at one per window); the recurring jobs and the ' +
      `${facts.alarms.length} alarm(s) stay as they are. On top, at every volume, the morning release's ` +
      `throttled attempts from \`bench/release-model.ts\` (held reminders per morning = the month's ` +
      `quiet-hours deferrals ÷ ${MORNINGS_PER_MONTH}, on a new production account; Scheduler's 60-second ` +
      "precision makes each second's arrivals Poisson around the pace): each a full sender run with its " +
      `polish, a schedule and its firing, ${THROTTLE_WRU} WRU and ${THROTTLE_RRU} RRU.`,
    '- Stack read from the synthesized template: ' +
      `${functionsInStack}; ` +
      `${facts.alarms.length} alarm(s); ${facts.queues} SQS queue(s) (idle dead-letter queues: $0); ` +
      `${facts.customerManagedKeys} customer-managed KMS keys; ${facts.secrets} Secrets Manager secrets; ` +
      'recurring schedules: ' +
      `${recurringSchedules}. ` +
      `Synthesized with \`rulesDocId\` and \`voiceDocId\` set (a deployable store: the rules loader exists ` +
      `only with them) and no \`exportSheetId\` (a webhook store needs no importer). ` +
      `${notDeployed(facts, input.cold['rules-loader'])}`,
  ];

  return [
    `Played ${when} UTC on ${machine()} (\`npm run cost\`).`,
    '',
    '#### The month that was played',
    '',
    played,
    '',
    '#### The bill, line by line (1x, as played)',
    '',
    billTable,
    '',
    '#### Totals at 1x, 10x and 100x',
    '',
    scaleTable,
    '',
    '#### The morning release at 1x, 10x and 100x',
    '',
    input.mornings,
    '',
    '#### What drives it',
    '',
    ...drivers,
    '',
    '#### Assumptions',
    '',
    ...assumptions,
  ].join('\n');
}

/**
 * The stack's recurring schedules as a month of usage that does not grow with carts: the rules loader from its
 * sampled runs, anything else (the monthly summary's hourly ticks) as its invocations only, less the runs the played
 * month already counted (the local system runs the summary at its hour, with its email and reads).
 */
function recurringUsage(
  facts: StackFacts,
  loader: MeterCounts,
  month: MeterCounts,
  kms: boolean,
): { usage: MonthUsage; notes: string[] } {
  const functions: Record<string, FunctionUsage> = {};
  const notes: string[] = [];
  let scheduler = 0;
  let googleReads = 0;
  let windows = 0;
  const dynamo = { rru: 0, wru: 0, failedWriteWru: 0 };
  for (const schedule of facts.recurringSchedules) {
    const fn = schedule.functionName?.replace(/^cart-recovery-/, '');
    const runs = schedule.runsPerMonth;
    if (!fn || runs === undefined) {
      notes.push(`${schedule.id} (${schedule.expression}): not priced, unknown target or expression`);
      continue;
    }
    scheduler += runs;
    const intervalMinutes = (30 * 24 * 60) / runs;
    const coldStarts = intervalMinutes > ASSUMPTIONS.coldStartIdleMinutes ? runs : 1;
    if (fn === 'rules-loader') {
      const sample = functionUsage(loader, fn);
      const perRun = (value: number) => (value / Math.max(1, sample.invocations)) * runs;
      const d = dynamoTotals(loader);
      functions[fn] = {
        invocations: runs,
        billedMs: perRun(sample.billedMs),
        coldStarts,
        logBytes: perRun(sample.logBytes),
      };
      dynamo.rru += perRun(d.rru);
      dynamo.wru += perRun(d.wru);
      dynamo.failedWriteWru += perRun(d.failedWriteWru);
      googleReads += LOADER_DOC_READS * runs;
      const touched = Object.keys(loader.dynamo).filter(isProductTable).length;
      if (kms) windows += touched * Math.min(runs, (30 * 24 * 60) / ASSUMPTIONS.kmsTableKeyWindowMinutes);
      notes.push(
        `rules loader ${schedule.expression}: ${Math.round(runs).toLocaleString('en-US')} runs ` +
          `(${coldStarts === 1 ? 'warm between ticks' : 'each a cold start'}), each ` +
          `${(d.readRequests / Math.max(1, sample.invocations)).toFixed(1)} DynamoDB reads, ` +
          `${(d.writeRequests / Math.max(1, sample.invocations)).toFixed(1)} writes and ${LOADER_DOC_READS} ` +
          `Google Docs reads (sampled ${sample.invocations} runs)`,
      );
    } else {
      const played = functionUsage(month, fn).invocations;
      functions[fn] = { invocations: Math.max(0, runs - played), billedMs: 0, coldStarts, logBytes: 0 };
      notes.push(
        `${fn} ${schedule.expression}: ${runs} run(s), ${played} played at its hour (counted in full), the ` +
          'rest invocations only',
      );
    }
  }
  return {
    usage: {
      carts: 0,
      functions,
      dynamo,
      kmsTableKeyWindows: windows,
      scheduler: { invocations: scheduler, apiCalls: 0, handOffs: 0 },
      emails: 0,
      bedrock: { calls: 0, inputTokens: 0, outputTokens: 0 },
      googleReads,
      storageBytes: 0,
    },
    notes,
  };
}

/** Lambda entries that exist in src/lambda but not in the stack: not billed here, said so. */
function notDeployed(facts: StackFacts, rulesLoaderInitMs: number | undefined): string {
  const deployed = new Set(facts.functions.map((f) => f.name.replace(/^cart-recovery-/, '')));
  const missing = lambdaEntries()
    .map((e) => e.name)
    .filter((name) => !deployed.has(name));
  if (missing.length === 0) return 'Every Lambda entry is in the stack.';
  let loader = '';
  if (missing.includes('rules-loader')) {
    // Priced, not played: every 5 minutes, each run cold (5-min idle), 500 ms of Google and DynamoDB waits assumed.
    const runs = (30 * 24 * 60) / 5;
    const gbs = runs * ((500 + (rulesLoaderInitMs ?? 0)) / 1000) * (256 / 1024);
    const cost =
      costOf('lambdaRequests', runs, false) +
      costOf('schedulerInvocations', runs, false) +
      costOf('lambdaArmGbSecond', gbs, false) +
      costOf('kmsRequests', runs, false);
    loader =
      ` If the rules loader runs every 5 minutes it adds about ${usd(cost)} a month without free tiers ` +
      `(${runs.toLocaleString('en-US')} requests, Scheduler invocations and Google-key decrypts, ` +
      `${Math.round(gbs)} GB-s with its ${Math.round(rulesLoaderInitMs ?? 0)} ms load); every 15 minutes, a ` +
      'third of that.';
  }
  return `Lambda entries this stack leaves out, so not billed: ${missing.join(', ')}.${loader}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/** The morning release at each volume of the bill, and the bench's stress mornings at both account sizes. */
function renderMornings(
  mornings: readonly { scale: number; model: ReleaseModel }[],
  bills: readonly { scale: number; throttledPerMonth: number }[],
  heldPerMorning: number,
): string {
  const row = (label: string, model: ReleaseModel, account: string, throttledPerMonth?: number) => [
    label,
    Math.round(model.held).toLocaleString('en-US'),
    account,
    `${model.perSecond.toFixed(1)}/s (${model.limitedBy === 'ses_rate' ? 'SES rate' : 'Lambda concurrency'})`,
    model.minutes < 1 ? `${(model.minutes * 60).toFixed(0)} s` : `${model.minutes.toFixed(0)} min`,
    `${((model.throttledAttempts / Math.max(1, model.held)) * 100).toFixed(1)}% ` +
      `(${qty(model.throttledAttempts)} a ` +
      `morning${throttledPerMonth === undefined ? '' : `, ${qty(throttledPerMonth)} a month`})`,
    `${model.counterWritesPerSecondAtRelease.toFixed(1)}/s on one item`,
  ];
  const rows = mornings.map(({ scale, model }) =>
    row(
      `${scale}x month (${heldPerMorning.toFixed(1)} × ${scale} held)`,
      model,
      'new',
      bills.find((b) => b.scale === scale)?.throttledPerMonth,
    ),
  );
  for (const held of [2_000, 20_000, 200_000]) {
    rows.push(row(`a ${held.toLocaleString('en-US')}-reminder morning`, modelRelease(held, BILL_ACCOUNT), 'new'));
    rows.push(row(`a ${held.toLocaleString('en-US')}-reminder morning`, modelRelease(held, GROWN_ACCOUNT), 'grown'));
  }
  return [
    table(
      [
        'Morning',
        'Held',
        'Account',
        'Pace',
        'Release takes',
        'Throttled attempts (re-queued)',
        'Counter writes at 08:00',
      ],
      rows,
    ),
    '',
    'Accounts: new = SES 14/s, 50,000 a day, 10 concurrent executions; grown = SES 50/s, 1,000,000 a day, ' +
      '1,000 executions; a second a send (the polish, then SES). The pace is 0.9 × the lower limit. Throttled ' +
      "attempts follow from Scheduler's 60-second precision (Poisson arrivals within each minute).",
  ].join('\n');
}

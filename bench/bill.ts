/**
 * The monthly bill, line by line, from counted usage and the one price list. Pure: `npm run cost` feeds it the
 * month it played; the test feeds it small numbers.
 */
import { costOf, GB, PRICES, type PriceKey } from './prices';

/** Assumptions the counts cannot give, each printed with the bill. */
export const ASSUMPTIONS = {
  /** No tokenizer is installed: Claude English text runs about 3.5 characters per token. */
  charsPerToken: 3.5,
  /** Lambda's own START, END and REPORT lines per invocation. */
  platformLogBytesPerInvocation: 250,
  /** A function's container is reclaimed after this long without an invocation (not documented by AWS). */
  coldStartIdleMinutes: 5,
  /** Waits on remote services that DynamoDB Local and the local stand-ins do not have (billed Lambda time). */
  remoteWaitMs: {
    bedrockConverse: 1_000,
    sesSendEmail: 100,
    schedulerCall: 40,
    lambdaAsyncInvoke: 30,
    ssmGetParameter: 40,
    googleDocsRead: 300,
  },
  /** DynamoDB refreshes an AWS-managed table key from KMS at most this often per table while it is used. */
  kmsTableKeyWindowMinutes: 5,
} as const;

export interface FunctionUsage {
  readonly invocations: number;
  /** Σ of each invocation's measured duration rounded up to the next ms (Lambda bills per 1 ms). */
  readonly billedMs: number;
  readonly coldStarts: number;
  /** Bytes the handlers logged (Powertools JSON lines). */
  readonly logBytes: number;
}

export interface MonthUsage {
  readonly carts: number;
  /** Deployed functions only, by short name (`intake`, `waiter`, ...). */
  readonly functions: Readonly<Record<string, FunctionUsage>>;
  readonly dynamo: { readonly rru: number; readonly wru: number; readonly failedWriteWru: number };
  /** Σ over KMS-encrypted tables of the 5-minute windows in which each was used. */
  readonly kmsTableKeyWindows: number;
  readonly scheduler: { readonly invocations: number; readonly apiCalls: number; readonly handOffs: number };
  readonly emails: number;
  readonly bedrock: { readonly calls: number; readonly inputTokens: number; readonly outputTokens: number };
  /** Google Docs reads (the rules loader reads the rules and voice docs on every run). */
  readonly googleReads: number;
  /** Stored bytes at the steady state the retention period gives (items, GSI copies, per-item overhead). */
  readonly storageBytes: number;
}

export interface BillContext {
  /** Memory per function (MB), from the synthesized stack. */
  readonly memoryMb: Readonly<Record<string, number>>;
  /** Measured init (module load until ready) per function, ms. */
  readonly initMs: Readonly<Record<string, number>>;
  /** SecureString reads (one KMS Decrypt each) a cold container of this function makes. */
  readonly secretReadsPerColdStart: Readonly<Record<string, number>>;
  /** The SecureString parameters the functions read (by their config variable). */
  readonly secretParameters: readonly string[];
  readonly alarms: number;
  readonly logRetentionDays: number;
  readonly pitr: boolean;
  /** Tables the month used that are KMS-encrypted (caps the table-key requests at every window of the month). */
  readonly kmsTables: number;
}

export interface BillLine {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly price: PriceKey;
  /** Fixed resources do not grow with volume. */
  readonly fixed: boolean;
  readonly withoutFreeTier: number;
  withFreeTier: number;
  readonly basis: string;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

/** Every count of a month multiplied by `factor` (10x and 100x scale the played month's per-cart counts). */
export function scaleUsage(usage: MonthUsage, factor: number): MonthUsage {
  return {
    carts: usage.carts * factor,
    functions: Object.fromEntries(
      Object.entries(usage.functions).map(([name, f]) => [
        name,
        {
          invocations: f.invocations * factor,
          billedMs: f.billedMs * factor,
          coldStarts: f.coldStarts * factor,
          logBytes: f.logBytes * factor,
        },
      ]),
    ),
    dynamo: {
      rru: usage.dynamo.rru * factor,
      wru: usage.dynamo.wru * factor,
      failedWriteWru: usage.dynamo.failedWriteWru * factor,
    },
    kmsTableKeyWindows: usage.kmsTableKeyWindows * factor,
    scheduler: {
      invocations: usage.scheduler.invocations * factor,
      apiCalls: usage.scheduler.apiCalls * factor,
      handOffs: usage.scheduler.handOffs * factor,
    },
    emails: usage.emails * factor,
    bedrock: {
      calls: usage.bedrock.calls * factor,
      inputTokens: usage.bedrock.inputTokens * factor,
      outputTokens: usage.bedrock.outputTokens * factor,
    },
    googleReads: usage.googleReads * factor,
    storageBytes: usage.storageBytes * factor,
  };
}

/** Two months' worth of usage added up (table-key windows overlap: the larger count stands for their union). */
export function addUsage(a: MonthUsage, b: MonthUsage): MonthUsage {
  const names = new Set([...Object.keys(a.functions), ...Object.keys(b.functions)]);
  const none: FunctionUsage = { invocations: 0, billedMs: 0, coldStarts: 0, logBytes: 0 };
  return {
    carts: a.carts + b.carts,
    functions: Object.fromEntries(
      [...names].map((name) => {
        const x = a.functions[name] ?? none;
        const y = b.functions[name] ?? none;
        return [
          name,
          {
            invocations: x.invocations + y.invocations,
            billedMs: x.billedMs + y.billedMs,
            coldStarts: x.coldStarts + y.coldStarts,
            logBytes: x.logBytes + y.logBytes,
          },
        ];
      }),
    ),
    dynamo: {
      rru: a.dynamo.rru + b.dynamo.rru,
      wru: a.dynamo.wru + b.dynamo.wru,
      failedWriteWru: a.dynamo.failedWriteWru + b.dynamo.failedWriteWru,
    },
    kmsTableKeyWindows: Math.max(a.kmsTableKeyWindows, b.kmsTableKeyWindows),
    scheduler: {
      invocations: a.scheduler.invocations + b.scheduler.invocations,
      apiCalls: a.scheduler.apiCalls + b.scheduler.apiCalls,
      handOffs: a.scheduler.handOffs + b.scheduler.handOffs,
    },
    emails: a.emails + b.emails,
    bedrock: {
      calls: a.bedrock.calls + b.bedrock.calls,
      inputTokens: a.bedrock.inputTokens + b.bedrock.inputTokens,
      outputTokens: a.bedrock.outputTokens + b.bedrock.outputTokens,
    },
    googleReads: a.googleReads + b.googleReads,
    storageBytes: a.storageBytes + b.storageBytes,
  };
}

/**
 * The bill for the played month scaled by `scale` (1 = as played; 10 and 100 scale every per-cart count linearly),
 * plus `fixed` usage that does not grow with carts (recurring jobs), plus the stack's alarms.
 */
export function monthlyBill(played: MonthUsage, context: BillContext, scale = 1, fixed?: MonthUsage): BillLine[] {
  const usage = fixed ? addUsage(scaleUsage(played, scale), fixed) : scaleUsage(played, scale);
  const fns = Object.entries(usage.functions);
  const memory = (fn: string) => context.memoryMb[fn] ?? 256;
  const lines: BillLine[] = [];
  const add = (service: string, item: string, quantity: number, price: PriceKey, basis: string, fixed = false) =>
    lines.push({
      service,
      item,
      quantity,
      price,
      fixed,
      withoutFreeTier: costOf(price, quantity, false),
      withFreeTier: 0,
      basis,
    });

  const requests = sum(fns.map(([, f]) => f.invocations));
  add(
    'Lambda',
    'requests',
    requests,
    'lambdaRequests',
    fns.map(([name, f]) => `${name} ${Math.round(f.invocations)}`).join(', '),
  );
  add(
    'Lambda',
    'duration, handler time (measured)',
    sum(fns.map(([name, f]) => gbSeconds(f.billedMs, memory(name)))),
    'lambdaArmGbSecond',
    'measured per invocation, rounded up to 1 ms, arm64 at ' +
      `${[...new Set(fns.map(([name]) => memory(name)))].join('/')} MB`,
  );
  add(
    'Lambda',
    'duration, INIT of cold starts (measured load)',
    sum(fns.map(([name, f]) => f.coldStarts * gbSeconds(context.initMs[name] ?? 0, memory(name)))),
    'lambdaArmGbSecond',
    `${Math.round(sum(fns.map(([, f]) => f.coldStarts)))} cold starts (idle > ` +
      `${ASSUMPTIONS.coldStartIdleMinutes} min) × bundle load time; INIT is billed since Aug 2025`,
  );
  const waits = ASSUMPTIONS.remoteWaitMs;
  const coldSecretReads = sum(fns.map(([name, f]) => f.coldStarts * (context.secretReadsPerColdStart[name] ?? 0)));
  const remoteMs =
    usage.bedrock.calls * waits.bedrockConverse +
    usage.emails * waits.sesSendEmail +
    usage.scheduler.apiCalls * waits.schedulerCall +
    usage.scheduler.handOffs * waits.lambdaAsyncInvoke +
    coldSecretReads * waits.ssmGetParameter +
    usage.googleReads * waits.googleDocsRead;
  add(
    'Lambda',
    'duration, remote waits (assumed)',
    gbSeconds(remoteMs, memory('sender')),
    'lambdaArmGbSecond',
    `Bedrock ${waits.bedrockConverse} ms/call, SES ${waits.sesSendEmail} ms, Scheduler ` +
      `${waits.schedulerCall} ms, async invoke ${waits.lambdaAsyncInvoke} ms, SSM ${waits.ssmGetParameter} ms, ` +
      `Google Docs ${waits.googleDocsRead} ms: not measurable locally`,
  );

  add(
    'DynamoDB',
    'write request units',
    usage.dynamo.wru + usage.dynamo.failedWriteWru,
    'dynamoWrite',
    'ConsumedCapacity summed per call (base table + GSIs); failed conditional writes at 1 WRU/KB',
  );
  add(
    'DynamoDB',
    'read request units',
    usage.dynamo.rru,
    'dynamoRead',
    'ConsumedCapacity summed per call; docs cached 120 s per function',
  );
  const storedGb = usage.storageBytes / GB;
  add(
    'DynamoDB',
    'storage',
    storedGb,
    'dynamoStorage',
    'items at month end × retention (90 days = 3 months of carts), GSI copies, 100 B/item overhead',
  );
  if (context.pitr)
    add(
      'DynamoDB',
      'point-in-time recovery',
      storedGb,
      'dynamoPitr',
      'PITR on all three tables (stack), billed on table size',
    );
  const counterBatches = usage.functions['cart-counter']?.invocations ?? 0;
  add(
    'DynamoDB Streams',
    'cr-carts stream, read by the cart counter',
    counterBatches,
    'dynamoStreamReadsByLambda',
    `${Math.round(counterBatches)} batches delivered; reads by a Lambda event source mapping are not charged`,
  );

  add(
    'EventBridge Scheduler',
    'invocations',
    usage.scheduler.invocations,
    'schedulerInvocations',
    'waiter wake-ups and quiet-hours deferrals that fired, plus the recurring jobs; creating and deleting ' +
      'schedules is not billed',
  );

  add('SES', 'emails', usage.emails, 'sesEmails', 'every message handed to the mailer');

  add(
    'Bedrock (Haiku 4.5, global)',
    'input tokens',
    usage.bedrock.inputTokens,
    'bedrockInput',
    `${usage.bedrock.calls} calls × buildPolishPrompt system+user, ${ASSUMPTIONS.charsPerToken} chars/token`,
  );
  add(
    'Bedrock (Haiku 4.5, global)',
    'output tokens',
    usage.bedrock.outputTokens,
    'bedrockOutput',
    `one sentence per call (the plain line's length), ${ASSUMPTIONS.charsPerToken} chars/token`,
  );

  const logBytes = sum(fns.map(([, f]) => f.logBytes + f.invocations * ASSUMPTIONS.platformLogBytesPerInvocation));
  add(
    'CloudWatch Logs',
    'ingestion',
    logBytes / GB,
    'logsIngestion',
    `handler lines counted + ${ASSUMPTIONS.platformLogBytesPerInvocation} B START/END/REPORT per invocation`,
  );
  add(
    'CloudWatch Logs',
    'storage',
    (logBytes / GB) * (context.logRetentionDays / 30),
    'logsStorage',
    `${context.logRetentionDays}-day retention (stack): about ${(context.logRetentionDays / 30).toFixed(1)} ` +
      'month(s) of logs kept, uncompressed (upper bound)',
  );

  const maxWindows = context.kmsTables * ((30 * 24 * 60) / ASSUMPTIONS.kmsTableKeyWindowMinutes);
  const tableKeyRequests = Math.min(usage.kmsTableKeyWindows, maxWindows);
  add(
    'KMS',
    'requests',
    coldSecretReads + tableKeyRequests,
    'kmsRequests',
    `${Math.round(coldSecretReads)} SecureString decrypts (one per secret per cold start)` +
      (context.kmsTables > 0
        ? ` + ${Math.round(tableKeyRequests)} aws/dynamodb table-key requests (≤ 1 per table per ` +
          `${ASSUMPTIONS.kmsTableKeyWindowMinutes} min of use, estimated)`
        : '; tables on the AWS-owned key: none for DynamoDB'),
  );
  add(
    'SSM Parameter Store',
    'standard SecureString parameters',
    context.secretParameters.length,
    'ssmStandardParameter',
    `${context.secretParameters.join(', ')}: no charge (Secrets Manager would be ` +
      `$${PRICES.secretsManagerSecret.usd.toFixed(2)} each)`,
  );
  add(
    'CloudWatch',
    'alarms',
    context.alarms,
    'cloudWatchAlarm',
    `${context.alarms} alarm(s) in the synthesized stack (fixed)`,
    true,
  );

  applyFreeTiers(lines);
  return lines;
}

/** Spreads each always-free allowance over the lines that share its price. */
function applyFreeTiers(lines: BillLine[]): void {
  const byPrice = new Map<PriceKey, BillLine[]>();
  for (const line of lines) byPrice.set(line.price, [...(byPrice.get(line.price) ?? []), line]);
  for (const [key, group] of byPrice) {
    const quantity = sum(group.map((line) => line.quantity));
    const billable = costOf(key, quantity, true);
    const full = costOf(key, quantity, false);
    for (const line of group) line.withFreeTier = full > 0 ? line.withoutFreeTier * (billable / full) : 0;
  }
}

export function totals(lines: readonly BillLine[]): { withoutFreeTier: number; withFreeTier: number } {
  return {
    withoutFreeTier: sum(lines.map((l) => l.withoutFreeTier)),
    withFreeTier: sum(lines.map((l) => l.withFreeTier)),
  };
}

/** Tokens of one text at the assumed ratio. */
export function tokens(chars: number): number {
  return Math.ceil(chars / ASSUMPTIONS.charsPerToken);
}

export function unitPrice(key: PriceKey): string {
  const p = PRICES[key];
  return p.per === 1 ? `$${p.usd} per ${p.unit}` : `$${p.usd} per ${p.per.toLocaleString('en-US')} ${p.unit}`;
}

/**
 * The one price list `npm run cost` uses: AWS us-east-1, on-demand, USD.
 *
 * Source: shared/reference/aws-facts.md section 1 ("Prices (us-east-1)"), compiled 2026-11 from public pricing
 * pages and the third-party transcriptions it names per line. Alarm prices are not in that section: they come
 * from the CloudWatch pricing page as quoted in lib/constructs/alarms.ts and are marked unverified below.
 * Change a price here and nowhere else; `docs/performance.md` prints the date and the lines used.
 */
export const PRICES_AS_OF = '2026-11 (aws-facts.md §1)';

export interface Price {
  /** USD per `per` units. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  /** Always-free allowance per month in the same unit (0 when none). */
  readonly freePerMonth: number;
  readonly source: string;
}

const price = (usd: number, per: number, unit: string, freePerMonth: number, source: string): Price => ({
  usd,
  per,
  unit,
  freePerMonth,
  source,
});

export const PRICES = {
  lambdaRequests: price(
    0.2,
    1_000_000,
    'requests',
    1_000_000,
    'aws-facts §1 Lambda requests: $0.20 per 1M; always free 1M/month',
  ),
  lambdaArmGbSecond: price(
    0.0000133334,
    1,
    'GB-s',
    400_000,
    'aws-facts §1 Lambda duration arm64: $0.0000133334 per GB-s; always free 400,000 GB-s',
  ),
  dynamoWrite: price(
    0.625,
    1_000_000,
    'WRU',
    0,
    'aws-facts §1 DynamoDB on-demand writes: $0.625 per 1M WRU (since Nov 1 2024)',
  ),
  dynamoRead: price(0.125, 1_000_000, 'RRU', 0, 'aws-facts §1 DynamoDB on-demand reads: $0.125 per 1M RRU'),
  dynamoStorage: price(
    0.25,
    1,
    'GB-month',
    25,
    'aws-facts §1 DynamoDB storage: $0.25 per GB-month; ' + '25 GB always free',
  ),
  dynamoPitr: price(0.2, 1, 'GB-month', 0, 'aws-facts §1 DynamoDB PITR: $0.20 per GB-month of table size'),
  schedulerInvocations: price(
    1.0,
    1_000_000,
    'invocations',
    14_000_000,
    'aws-facts §1 EventBridge Scheduler: $1.00 per 1M; 14M/month free; creating schedules not billed',
  ),
  sesEmails: price(
    0.1,
    1_000,
    'emails',
    0,
    'aws-facts §1 SES outbound: $0.10 per 1,000 (no always-free tier; 12-month offers replaced by credits ' +
      'since Jul 15 2025)',
  ),
  bedrockInput: price(
    1.0,
    1_000_000,
    'input tokens',
    0,
    'aws-facts §1 Claude Haiku 4.5, global profile: $1.00 per 1M input tokens',
  ),
  bedrockOutput: price(
    5.0,
    1_000_000,
    'output tokens',
    0,
    'aws-facts §1 Claude Haiku 4.5, global profile: $5.00 per 1M output tokens',
  ),
  dynamoStreamReadsByLambda: price(
    0,
    1_000,
    'batches',
    0,
    'NOT in aws-facts §1: DynamoDB Streams reads by Lambda event source mappings are not charged, and an ' +
      'idle stream costs nothing ' +
      '(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html)',
  ),
  logsIngestion: price(0.5, 1, 'GB', 5, 'aws-facts §1 CloudWatch Logs ingestion: $0.50/GB (Standard); 5 GB free'),
  logsStorage: price(0.03, 1, 'GB-month', 0, 'aws-facts §1 CloudWatch Logs storage: $0.03 per GB-month'),
  kmsRequests: price(
    0.03,
    10_000,
    'requests',
    20_000,
    'aws-facts §1 KMS: $0.03 per 10,000 requests; 20,000/month free; AWS-managed keys have no monthly fee',
  ),
  ssmStandardParameter: price(
    0,
    1,
    'parameter-month',
    0,
    'aws-facts §1 SSM Parameter Store standard (incl. SecureString): no charge; decrypts are KMS requests',
  ),
  secretsManagerSecret: price(
    0.4,
    1,
    'secret-month',
    0,
    'aws-facts §1 Secrets Manager: $0.40 per secret per month (+$0.05 per 10,000 calls); not used, for comparison',
  ),
  cloudWatchAlarm: price(
    0.1,
    1,
    'alarm-month',
    10,
    'UNVERIFIED, not in aws-facts §1: CloudWatch standard-resolution alarm $0.10 per alarm metric-month, 10 ' +
      'free (as quoted in lib/constructs/alarms.ts)',
  ),
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** Cost of `quantity` units, with or without the always-free allowance. */
export function costOf(key: PriceKey, quantity: number, withFreeTier: boolean): number {
  const p: Price = PRICES[key];
  const billable = withFreeTier ? Math.max(0, quantity - p.freePerMonth) : quantity;
  return (billable / p.per) * p.usd;
}

/** Bytes in the "GB" AWS bills for data volumes (logs, storage). */
export const GB = 1024 ** 3;

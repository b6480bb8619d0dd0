/**
 * Deploy-time configuration of the cart-recovery stack, read once at synth from CDK context (`cdk.json` or
 * `-c key=value`) or the environment (`CART_RECOVERY_<KEY>`), validated with zod, and failing with one message that
 * names every bad key; the operator's `--aws` commands read the same settings back from the checkout. Runtime (Lambda)
 * configuration is a different thing: see `environment.ts` beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/** Global Claude Haiku 4.5 inference profile: ~10% cheaper than the geographic ones (see docs/deploy.md). */
export const DEFAULT_BEDROCK_MODEL_ID = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

/**
 * Values that only exist so `npx cdk synth` works on a fresh checkout with no context. The stack warns (CDK
 * Annotations) whenever one of them is in force, so nobody deploys them by accident.
 */
export const PLACEHOLDERS = {
  senderDomain: 'example.com',
  fromAddress: 'reminders@example.com',
  ownerEmail: 'owner@example.com',
} as const;

/**
 * Keys earlier versions read and this one ignores, with what replaced them. The stack warns when one is still set,
 * so an upgrade does not leave someone believing a value is in force.
 */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
  storeName: 'the store name now comes from the rules doc (docs/rules-doc.md)',
  storePostalAddress: 'the postal address now comes from the rules doc (docs/rules-doc.md)',
  googleFolderId: 'nothing reads the Drive folder; set rulesDocId, voiceDocId and (optionally) exportSheetId',
  storeTimeZone:
    'the store\'s time zone is the rules doc\'s "Time zone" line (docs/rules-doc.md): quiet hours, the nightly ' +
    'import at 02:00 and the monthly summary at 08:00 on the 1st all follow it',
};

/** Default SSM SecureString name of the Google service-account key (JSON). */
export const DEFAULT_GOOGLE_KEY_PARAM = '/cart-recovery/google-service-account';

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Where a geographic or global inference profile routes: the prefix of its ID. */
const PROFILE_PREFIXES = ['global', 'us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca'] as const;

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/;
const SSM_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;
const GOOGLE_ID = /^[a-zA-Z0-9_-]{10,200}$/;
/** An IANA zone name such as America/New_York or UTC; offsets such as +02:00 are refused. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const MODEL_ID = new RegExp(`^(?:(${PROFILE_PREFIXES.join('|')})\\.)?([a-z0-9-]+\\.[a-zA-Z0-9.:_-]+)$`);

/** Context values arrive as strings from `-c`, numbers or strings from cdk.json; blank means "not set". */
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
/** Wraps a schema so blank context values count as absent (and so take the default). */
const given = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema);
const str = () => z.string().trim();

const email = (what: string) => str().toLowerCase().regex(EMAIL, `expected an email address (${what})`);
const ssmName = (what: string) =>
  str().regex(SSM_NAME, `expected an SSM parameter name starting with "/" (${what}), e.g. /cart-recovery/secret`);
const googleId = (what: string) =>
  given(str().regex(GOOGLE_ID, `expected a Google Drive/Docs ID (${what})`).optional());
const whole = (unit: string) =>
  z.coerce.number(`expected a number of ${unit}`).int(`expected a whole number of ${unit}`);
const days = (check: (n: z.ZodNumber) => z.ZodType<number, number>, fallback: number) =>
  given(whole('days').pipe(check(z.number())).default(fallback));

/** The canonical spelling of an IANA zone (`america/new_york` → `America/New_York`), or undefined if unknown. */
export function canonicalTimeZone(name: string): string | undefined {
  if (!ZONE_NAME.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Settings that mean nothing alone: either both are given or neither, and why. */
const REQUIRED_TOGETHER = [
  // One doc without the other cannot be loaded: the loader needs both (the voice is half of every email).
  {
    keys: ['rulesDocId', 'voiceDocId'],
    why: 'the rules loader reads both docs (docs/rules-doc.md, docs/voice-doc.md)',
  },
  {
    keys: ['stripeSecretParam', 'stripeKeyParam'],
    why: 'the Stripe lane needs the signing secret and the restricted key (docs/deploy.md, step 10)',
  },
] as const;

export const deployConfigSchema = z
  .object({
    senderDomain: given(
      str()
        .toLowerCase()
        .regex(DOMAIN, 'expected a domain name such as shop.example.org (SES verifies it with Easy DKIM)')
        .default(PLACEHOLDERS.senderDomain),
    ),
    fromAddress: given(email('the From address reminders are sent from').default(PLACEHOLDERS.fromAddress)),
    // Reminders say "just reply to this email": replies must reach a person. Defaults to ownerEmail (below).
    replyTo: given(email("where shopper replies go: the owner's inbox").optional()),
    ownerEmail: given(
      email("the store owner's address, for problem notices about the docs and the export").default(
        PLACEHOLDERS.ownerEmail,
      ),
    ),
    googleKeyParam: given(
      ssmName('SecureString holding the Google service-account key (JSON)').default(DEFAULT_GOOGLE_KEY_PARAM),
    ),
    rulesDocId: googleId('Google Doc with the reminder rules'),
    voiceDocId: googleId('Google Doc with the store voice'),
    exportSheetId: googleId('Google Sheet with the nightly cart export'),
    docsRefreshMinutes: given(whole('minutes').pipe(z.number().min(1, 'at least 1').max(60, 'at most 60')).default(5)),
    docsCacheSeconds: given(
      whole('seconds').pipe(z.number().min(0, 'at least 0').max(3600, 'at most 3600')).optional(),
    ),
    webhookSecretParam: given(
      ssmName('SecureString holding the Standard Webhooks secret').default('/cart-recovery/webhook-secret'),
    ),
    shopifySecretParam: given(ssmName('SecureString holding the Shopify app secret').optional()),
    // Stripe Checkout and Payment Links (/webhooks/stripe): the endpoint's signing secret and a restricted key that may
    // read Checkout Sessions and Payment Links. Both or neither; both are read on the first Stripe delivery.
    stripeSecretParam: given(ssmName('SecureString holding the Stripe webhook signing secret (whsec_...)').optional()),
    stripeKeyParam: given(ssmName('SecureString holding the Stripe restricted key (rk_...)').optional()),
    unsubscribeKeyParam: given(
      ssmName('SecureString holding the unsubscribe-token key').default('/cart-recovery/unsubscribe-key'),
    ),
    bedrockModelId: given(
      str()
        .regex(MODEL_ID, `expected a Bedrock model or inference-profile ID such as ${DEFAULT_BEDROCK_MODEL_ID}`)
        .default(DEFAULT_BEDROCK_MODEL_ID),
    ),
    retentionDays: days((n) => n.min(1, 'at least 1').max(3650, 'at most 3650'), 90),
    logRetentionDays: days(
      (n) =>
        n.refine((value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value), {
          error: `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(', ')}`,
        }),
      30,
    ),
    // Alarms must reach somebody: by default the owner's address (set it to the person who runs the stack).
    alarmEmail: given(email('who receives alarm notifications').optional()),
    // Opt-in cap on each public Function URL (intake, unsubscribe): that many concurrent executions, reserved. Off by
    // default, because on a new account whose Lambda concurrency quota is 10 any reserved concurrency fails the
    // deploy; see docs/operations.md#floods-of-requests.
    publicUrlConcurrency: given(
      whole('concurrent executions').pipe(z.number().min(1, 'at least 1').max(100, 'at most 100')).optional(),
    ),
    // With alarmSet=full: alarm when one public URL gets at least this many requests in 5 minutes.
    publicUrlRequestAlarm: given(
      whole('requests').pipe(z.number().min(10, 'at least 10').max(10_000_000, 'at most 10000000')).default(1000),
    ),
    // How long one sender invocation takes (Bedrock's polish, then SES): with the account's limits (npm run doctor --
    // --aws stores them) it paces the morning release, so senders in flight stay within Lambda's concurrency.
    // CloudWatch's Duration for the sender says the real figure; 1 s is Haiku's usual polish plus SES.
    senderSecondsPerSend: given(
      z.coerce
        .number('expected seconds, e.g. 1')
        .pipe(z.number().min(0.05, 'at least 0.05').max(30, "at most 30, the sender's timeout"))
        .default(1),
    ),
    // Alarms cost $0.10 a month each (after the free ten): `essential` is one alarm on the queue where everything
    // that got lost lands; `full` adds per-function errors, SES reputation and the docs-unavailable alarm.
    alarmSet: given(z.enum(['essential', 'full'], { error: 'expected essential or full' }).default('essential')),
  })
  .superRefine((config, ctx) => {
    for (const { keys, why } of REQUIRED_TOGETHER) {
      for (const [present, missing] of [keys, [keys[1], keys[0]]] as const) {
        if (config[present] && !config[missing]) {
          ctx.addIssue({ code: 'custom', path: [missing], message: `required when ${present} is set: ${why}` });
        }
      }
    }
    if (config.replyTo === config.fromAddress) {
      ctx.addIssue({
        code: 'custom',
        path: ['replyTo'],
        message:
          `must be an inbox someone reads, not the sending address "${config.fromAddress}" (it usually has no ` +
          `mailbox); leave it out to use ownerEmail`,
      });
    }
    const fromDomain = EMAIL.exec(config.fromAddress)?.[1];
    if (fromDomain !== config.senderDomain) {
      ctx.addIssue({
        code: 'custom',
        path: ['fromAddress'],
        message:
          `must be an address at senderDomain "${config.senderDomain}" (got "${config.fromAddress}"); SES ` +
          `only sends from the verified domain`,
      });
    }
  });

type DeployConfigFields = z.output<typeof deployConfigSchema>;
export type DeployConfigKey = keyof z.input<typeof deployConfigSchema>;

/** The Bedrock model the sender may call, split into what IAM needs. */
export interface BedrockModel {
  /** What the code passes as `modelId`: an inference-profile ID or a bare foundation-model ID. */
  readonly modelId: string;
  /** The profile's routing scope (`global`, `us`, `eu`, ...); absent for a bare in-Region model. */
  readonly profilePrefix?: string;
  /** The foundation model behind it, e.g. `anthropic.claude-haiku-4-5-20251001-v1:0`. */
  readonly foundationModelId: string;
}

export interface DeployConfig extends Omit<DeployConfigFields, 'replyTo' | 'alarmEmail'> {
  /** Who gets alarm notifications: `alarmEmail`, else `ownerEmail` (always set, so an alarm reaches a person). */
  readonly alarmEmail: string;
  /** Where shopper replies go: `replyTo`, else `ownerEmail` (always set, so "just reply" reaches a person). */
  readonly replyTo: string;
  readonly bedrock: BedrockModel;
  /** Keys still at their demo placeholder value; non-empty means "do not deploy this". */
  readonly placeholders: readonly DeployConfigKey[];
  /** Keys of {@link RETIRED_KEYS} that are still set somewhere; they are ignored. */
  readonly retired: readonly string[];
}

export const CONTEXT_KEYS = Object.keys(deployConfigSchema.shape) as DeployConfigKey[];

/** `senderDomain` → `CART_RECOVERY_SENDER_DOMAIN`. */
export function environmentVariableFor(key: string): string {
  return `CART_RECOVERY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Raised at synth when the deploy configuration is wrong; lists every problem with the key that causes it. */
export class DeployConfigError extends Error {
  override readonly name = 'DeployConfigError';
}

/**
 * Validates raw values (context wins over environment, environment over defaults). Pure, so tests can call it
 * directly.
 */
export function parseDeployConfig(
  raw: Partial<Record<DeployConfigKey, unknown>>,
  retired: readonly string[] = [],
): DeployConfig {
  const result = deployConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '(config)') as DeployConfigKey;
      const where = CONTEXT_KEYS.includes(key) ? ` (context "${key}" or env ${environmentVariableFor(key)})` : '';
      return `${key}${where}: ${issue.message}`;
    });
    throw new DeployConfigError(`cart-recovery deploy configuration is invalid:\n  ${problems.join('\n  ')}`);
  }
  const config = result.data;
  const match = MODEL_ID.exec(config.bedrockModelId);
  const bedrock: BedrockModel = {
    modelId: config.bedrockModelId,
    ...(match?.[1] ? { profilePrefix: match[1] } : {}),
    foundationModelId: match?.[2] ?? config.bedrockModelId,
  };
  const placeholders = (Object.keys(PLACEHOLDERS) as (keyof typeof PLACEHOLDERS)[]).filter(
    (key) => config[key] === PLACEHOLDERS[key],
  );
  return {
    ...config,
    replyTo: config.replyTo ?? config.ownerEmail,
    alarmEmail: config.alarmEmail ?? config.ownerEmail,
    bedrock,
    placeholders,
    retired,
  };
}

/** What the CDK app reads context from (a Construct; stated structurally so this file needs no CDK package). */
export interface ContextSource {
  readonly node: { tryGetContext(key: string): unknown };
}

/** Reads every key from CDK context, then `CART_RECOVERY_<KEY>` in the environment, then validates. */
export function readDeployConfig(
  scope: ContextSource,
  env: Record<string, string | undefined> = process.env,
): DeployConfig {
  const raw: Partial<Record<DeployConfigKey, unknown>> = {};
  for (const key of CONTEXT_KEYS) {
    const value = scope.node.tryGetContext(key) ?? env[environmentVariableFor(key)];
    if (value !== undefined) raw[key] = value;
  }
  const retired = Object.keys(RETIRED_KEYS).filter(
    (key) => (scope.node.tryGetContext(key) ?? env[environmentVariableFor(key)]) !== undefined,
  );
  return parseDeployConfig(raw, retired);
}

/**
 * The deploy configuration of this checkout, for the operator's commands (`npm run doctor -- --aws`, the operator
 * composition): `cdk.json`'s context in `dir`, then `CART_RECOVERY_<KEY>` variables, validated as at synth. `-c` on a
 * past `cdk deploy` cannot be read back; whoever deployed with it sets the variable instead.
 */
export function readCheckoutDeployConfig(
  dir = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): DeployConfig {
  const file = join(dir, 'cdk.json');
  let context: Record<string, unknown>;
  try {
    context = (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  } catch (error) {
    throw new DeployConfigError(
      `cannot read the deploy configuration ${file} (${error instanceof Error ? error.message : String(error)}): run ` +
        `from the checkout the stack was deployed from`,
    );
  }
  const raw: Partial<Record<DeployConfigKey, unknown>> = {};
  for (const key of CONTEXT_KEYS) {
    const value = context[key] ?? env[environmentVariableFor(key)];
    if (value !== undefined) raw[key] = value;
  }
  return parseDeployConfig(raw);
}

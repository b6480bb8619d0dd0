/**
 * The Lambda environment contract, in one place: each function's variables as a zod schema, read once at cold start
 * by its entry in `src/lambda/`. The types the composition reads ({@link PlatformEnv}, {@link SchedulingEnv}) are
 * derived from these schemas, and the CDK constructs in `lib/` set the variables each schema reads, checked against
 * it ({@link EnvironmentOf}; `lib/constructs/function-props.ts`). This module imports zod only, so the CDK app may
 * load it.
 */
import * as z from 'zod';

/** Raised at cold start when configuration is missing or wrong; the message lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads environment variables once through a schema and fails fast with one clear message naming each bad variable.
 */
export function readConfig<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`configuration is incomplete:\n  ${problems.join('\n  ')}`);
}

const required = (what: string) =>
  z
    .string({ error: `required (${what})` })
    .trim()
    .min(1, `required (${what})`);
const arn = (what: string) => required(what).regex(/^arn:aws[a-z-]*:/, `expected an ARN (${what})`);

/** What every function that creates wake-ups needs. */
const schedulingEnv = {
  CR_SCHEDULE_GROUP: required('schedule group name'),
  CR_WAITER_ARN: arn('waiter function ARN'),
  CR_SCHEDULER_ROLE_ARN: arn('role EventBridge Scheduler assumes'),
  CR_SCHEDULER_DLQ_ARN: arn('dead-letter queue ARN'),
};

const retentionDays = z.coerce.number().int().min(1).max(3650).default(90);

/** Seconds a container keeps the owner's rules and voice before reading the stored copy again, unless configured. */
export const DEFAULT_DOCS_CACHE_SECONDS = 120;

const docsCacheSeconds = z.coerce.number().int().min(0).max(3600).default(DEFAULT_DOCS_CACHE_SECONDS);

/** Environment of the intake Lambda, set by the CDK stack. */
export const intakeEnvSchema = z
  .object({
    CR_CARTS_TABLE: required('cart table name'),
    CR_SENDS_TABLE: required('send and activity table name'),
    CR_RETENTION_DAYS: retentionDays,
    CR_WEBHOOK_SECRET_PARAM: required('SSM SecureString name of the Standard Webhooks secret'),
    CR_SHOPIFY_SECRET_PARAM: z.string().trim().optional(),
    /** Stripe's lane: both or neither (the signing secret and the restricted key, SSM SecureString names). */
    CR_STRIPE_SECRET_PARAM: z.string().trim().optional(),
    CR_STRIPE_KEY_PARAM: z.string().trim().optional(),
    CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
    ...schedulingEnv,
  })
  .refine((env) => !env.CR_STRIPE_SECRET_PARAM === !env.CR_STRIPE_KEY_PARAM, {
    path: ['CR_STRIPE_KEY_PARAM'],
    message: 'CR_STRIPE_SECRET_PARAM and CR_STRIPE_KEY_PARAM come together (Stripe signing secret and restricted key)',
  });

/** Environment of the waiter Lambda. */
export const waiterEnvSchema = z.object({
  CR_CARTS_TABLE: required('cart table name'),
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_OPTOUTS_TABLE: required('opt-out table name'),
  CR_RETENTION_DAYS: retentionDays,
  CR_SENDER_ARN: arn('sender function ARN'),
  CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
  ...schedulingEnv,
});

/** Environment of the sender Lambda. */
export const senderEnvSchema = z.object({
  CR_CARTS_TABLE: required('cart table name'),
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_OPTOUTS_TABLE: required('opt-out table name'),
  CR_RETENTION_DAYS: retentionDays,
  CR_FROM_ADDRESS: required('From address, e.g. "Store" <reminders@store.com>'),
  CR_REPLY_TO: required("Reply-To address: the owner's inbox, where shopper replies go").pipe(
    z.email('expected an email address (where shopper replies go)'),
  ),
  CR_OWNER_EMAIL: required("the store owner's email, where reminders go in test mode").pipe(
    z.email('expected an email address'),
  ),
  CR_SES_CONFIGURATION_SET: required('SES configuration set name'),
  CR_UNSUBSCRIBE_BASE_URL: required('unsubscribe Function URL').url('expected the unsubscribe Function URL'),
  CR_UNSUBSCRIBE_KEY_PARAM: required('SSM SecureString name of the unsubscribe token key'),
  CR_BEDROCK_MODEL_ID: required('Bedrock inference profile id'),
  CR_SENDER_ARN: arn('sender function ARN (for quiet-hours deferrals)'),
  CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
  // With the account's limits, this paces the morning release: senders in flight = pace x seconds per send.
  CR_SENDER_SECONDS_PER_SEND: z.coerce
    .number({ error: 'expected seconds, e.g. 1' })
    .positive('expected seconds above 0')
    .max(30, 'at most the 30 s the sender may run'),
  ...schedulingEnv,
});

/** Environment of the unsubscribe Lambda. */
export const unsubscribeEnvSchema = z.object({
  CR_CARTS_TABLE: required('cart table name'),
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_OPTOUTS_TABLE: required('opt-out table name'),
  CR_RETENTION_DAYS: retentionDays,
  CR_UNSUBSCRIBE_KEY_PARAM: required('SSM SecureString name of the unsubscribe token key'),
  CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
});

/** What the rules loader and the importer need to read Google and to write to the owner. */
const ownerEnv = {
  CR_GOOGLE_KEY_PARAM: required('SSM SecureString name of the Google service-account key (JSON)'),
  CR_OWNER_EMAIL: required("the store owner's email, for problem notices").pipe(z.email('expected an email address')),
  CR_FROM_ADDRESS: required('From address for notices'),
  CR_SES_CONFIGURATION_SET: required('SES configuration set name'),
};

/** Environment of the rules loader (scheduled every few minutes). */
export const rulesLoaderEnvSchema = z.object({
  CR_CARTS_TABLE: required('cart table name'),
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_RULES_DOC_ID: required('Google Doc id of the rules doc'),
  CR_VOICE_DOC_ID: required('Google Doc id of the voice doc'),
  CR_RETENTION_DAYS: retentionDays,
  ...ownerEnv,
  ...schedulingEnv,
});

/** Environment of the nightly importer. */
export const importerEnvSchema = z.object({
  CR_CARTS_TABLE: required('cart table name'),
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_RETENTION_DAYS: retentionDays,
  CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
  CR_EXPORT_SHEET_ID: required('Google Sheet id of the nightly cart export'),
  CR_EXPORT_RANGE: z.string().trim().optional(),
  ...ownerEnv,
  ...schedulingEnv,
});

/** Environment of the SES feedback function (bounces and complaints). */
export const sesEventsEnvSchema = z.object({
  CR_CARTS_TABLE: required('cart table name'),
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_OPTOUTS_TABLE: required('opt-out table name'),
  CR_RETENTION_DAYS: retentionDays,
  CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
});

/** Environment of the monthly summary (scheduled on the 1st of each month, store time). */
export const summaryEnvSchema = z.object({
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
  CR_OWNER_EMAIL: ownerEnv.CR_OWNER_EMAIL,
  CR_FROM_ADDRESS: ownerEnv.CR_FROM_ADDRESS,
  CR_SES_CONFIGURATION_SET: ownerEnv.CR_SES_CONFIGURATION_SET,
});

/** Environment of the cart counter (fed by the cr-carts stream; counts in the store's month). */
export const cartCounterEnvSchema = z.object({
  CR_SENDS_TABLE: required('send and activity table name'),
  CR_DOCS_CACHE_SECONDS: docsCacheSeconds,
});

/** The schema of each deployed function's environment, by the function's role in `lib/`. */
export const FUNCTION_ENV_SCHEMAS = {
  intake: intakeEnvSchema,
  waiter: waiterEnvSchema,
  sender: senderEnvSchema,
  unsubscribe: unsubscribeEnvSchema,
  rulesLoader: rulesLoaderEnvSchema,
  importer: importerEnvSchema,
  sesEvents: sesEventsEnvSchema,
  summary: summaryEnvSchema,
  cartCounter: cartCounterEnvSchema,
} as const;

type Schemas = (typeof FUNCTION_ENV_SCHEMAS)[keyof typeof FUNCTION_ENV_SCHEMAS];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every variable any function reads, with its parsed type. */
type AnyFunctionEnv = UnionToIntersection<z.output<Schemas>>;

/** The name of a variable some function reads. */
export type EnvName = NamesOf<Schemas>;
type NamesOf<S> = S extends z.ZodType ? keyof z.input<S> : never; // distributes over the union

/**
 * The variables a construct may set on the function whose schema is `S`, as the strings Lambda passes: a name the
 * schema does not read fails the type check (in an object literal, with `satisfies`).
 */
export type EnvironmentOf<S extends z.ZodType> = { readonly [K in keyof z.input<S>]?: string };

/** The variables the shared platform reads (`root.ts`); each function's schema has the ones it needs. */
export type PlatformEnv = Partial<
  Pick<
    AnyFunctionEnv,
    | 'CR_CARTS_TABLE'
    | 'CR_SENDS_TABLE'
    | 'CR_OPTOUTS_TABLE'
    | 'CR_RETENTION_DAYS'
    | 'CR_DOCS_CACHE_SECONDS'
    | 'CR_OWNER_EMAIL'
    | 'CR_FROM_ADDRESS'
    | 'CR_SENDER_SECONDS_PER_SEND'
  >
>;

/** The scheduling variables every function that creates wake-ups gets (and the sender's ARN, for deferrals). */
export type SchedulingEnv = z.output<z.ZodObject<typeof schedulingEnv>> &
  Partial<Pick<AnyFunctionEnv, 'CR_SENDER_ARN'>>;

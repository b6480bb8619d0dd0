/**
 * What each function of the product is made of, whichever platform runs it. The AWS root (`./aws/`) and the local
 * system (`src/local/system.ts`) each describe their platform once (a DynamoDB client, table names, the clock, the
 * log, and the adapters that differ: scheduler, mailer, model) and build every function's handler from here, so
 * production and the laptop cannot be wired differently.
 *
 * To give a function a new dependency: add it to the use case's `...Deps`, build it once as a part below (from the
 * platform, or as a new `Platform` member that both roots provide), and pass it in that function's builder below.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActivityLog } from '../adapters/aws/dynamodb-activity-log';
import { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { DynamoDbOptOutStore } from '../adapters/aws/dynamodb-opt-outs';
import { DynamoDbOwnerDocsStore } from '../adapters/aws/dynamodb-owner-docs-store';
import { DynamoDbReleaseQueue } from '../adapters/aws/dynamodb-release-queue';
import { DynamoDbSendCapacity } from '../adapters/aws/dynamodb-send-capacity';
import { DynamoDbSendLedger } from '../adapters/aws/dynamodb-send-ledger';
import { DynamoDbStats } from '../adapters/aws/dynamodb-stats';
import { SecretOnFirstUseFormat } from '../adapters/webhooks/secret-on-first-use';
import { ShopifyWebhook } from '../adapters/webhooks/shopify-webhook';
import { StandardCartWebhook } from '../adapters/webhooks/standard-webhook';
import { STRIPE_MAX_BODY_BYTES, StripeCheckoutWebhook } from '../adapters/webhooks/stripe-webhook';
import { createCartCounterHandler } from '../handlers/cart-counter';
import { createImporterHandler } from '../handlers/importer';
import { createIntakeHandler } from '../handlers/intake';
import { createRulesLoaderHandler } from '../handlers/rules-loader';
import { createSenderHandler } from '../handlers/sender';
import { createSesEventsHandler } from '../handlers/ses-events';
import { createSummaryHandler } from '../handlers/summary';
import { createUnsubscribeHandler } from '../handlers/unsubscribe';
import { createWaiterHandler } from '../handlers/waiter';
import type { Clock } from '../ports/clock';
import type { OwnerDrive } from '../ports/google-drive';
import type { Log } from '../ports/log';
import type { Mailer } from '../ports/mailer';
import type { RulesSource, VoiceSource } from '../ports/owner-docs';
import type { Polisher } from '../ports/polisher';
import type { SendCapacitySource } from '../ports/release';
import type { ReminderQueue } from '../ports/reminder-queue';
import type { WakeUpScheduler } from '../ports/scheduler';
import type { SendDeferrals } from '../ports/scheduler';
import type { StripeCheckoutApi } from '../ports/stripe-checkout';
import type { WebhookFormat } from '../ports/webhook-format';
import type { TableNames } from '../resources/tables';
import type { IngestDeps } from '../use-cases/ingest-cart-event';
import type { OwnerContact } from '../use-cases/mail-owner';
import type { SenderDeps } from '../use-cases/send-reminder';
import { StoredOwnerDocs } from '../use-cases/stored-owner-docs';

/** Raised when a function is asked for something its configuration does not provide (a wiring mistake). */
export class WiringError extends Error {
  override readonly name = 'WiringError';
}

/** One platform's parts. Members a function does not need may be absent; asking for one then is a WiringError. */
export interface Platform {
  /** DynamoDB (the real one, or DynamoDB Local) through the document client. */
  readonly documents: DynamoDBDocumentClient;
  /** The tables this function may use. */
  readonly tables: Partial<TableNames>;
  /** Days rows are kept before DynamoDB's TTL deletes them. */
  readonly retentionDays?: number;
  /** How long the owner's rules and voice are kept in memory before the stored copy is read again. */
  readonly docsCacheSeconds: number;
  readonly clock: Clock;
  readonly log: Log;
  /** Wake-ups and quiet-hours deferrals (EventBridge Scheduler; the local job table). */
  readonly scheduler?: () => WakeUpScheduler & SendDeferrals;
  /** The waiter's hand-off to the sender (an async Lambda invoke; the local job table). */
  readonly reminders?: () => ReminderQueue;
  readonly mailer?: () => Mailer;
  /** The model that polishes one line; absent means the voice doc's own line (the production fallback). */
  readonly polisher?: () => Polisher | undefined;
  /**
   * The account's sending limits that pace the morning release. Absent: the limits the doctor stored in cr-sends
   * (a new account's until it has run), with `senderSecondsPerSend`.
   */
  readonly sendCapacity?: () => SendCapacitySource;
  /** How long one sender invocation takes, as the deployment states it (CR_SENDER_SECONDS_PER_SEND). */
  readonly senderSecondsPerSend?: number;
  /** Who hears about problems and gets the monthly summary, and the address that writes to them. */
  readonly owner?: OwnerContact;
  /** Fixed rules or voice instead of the stored docs (tests that are not about the docs). */
  readonly rules?: RulesSource;
  readonly voice?: VoiceSource;
}

// The platform's adapters, each a top-level function made once per platform on first use and shared by the
// functions of one container (all of them, in the local system). Top-level, so that a bundle keeps only those its
// entry's builder calls (package.json says the source has no import side effects): the waiter's carries no email,
// model or reporting code.

/** A part made once per platform, on first use. */
function part<T>(build: (platform: Platform) => T): (platform: Platform) => T {
  const built = new WeakMap<Platform, { value: T }>();
  return (platform) => {
    let made = built.get(platform);
    if (!made) built.set(platform, (made = { value: build(platform) }));
    return made.value;
  };
}

const table = (platform: Platform, key: keyof TableNames) => need(platform.tables[key], `the ${key} table`);
const retentionDays = (platform: Platform) => need(platform.retentionDays, 'a retention period');

export const cartStore = /* @__PURE__ */ part((p) => new DynamoDbCartStore(p.documents, table(p, 'carts')));
export const activityLog = /* @__PURE__ */ part(
  (p) => new DynamoDbActivityLog(p.documents, table(p, 'sends'), retentionDays(p)),
);
export const optOutStore = /* @__PURE__ */ part((p) => new DynamoDbOptOutStore(p.documents, table(p, 'optouts')));
// A reminder recorded sent is counted, written on its cart row and logged in the same transaction.
export const sendLedger = /* @__PURE__ */ part(
  (p) =>
    new DynamoDbSendLedger(
      p.documents,
      { sends: table(p, 'sends'), carts: table(p, 'carts') },
      retentionDays(p),
      monthlyStats(p),
    ),
);
export const releaseQueue = /* @__PURE__ */ part(
  (p) => new DynamoDbReleaseQueue(p.documents, table(p, 'sends'), retentionDays(p)),
);
export const ownerDocsStore = /* @__PURE__ */ part((p) => new DynamoDbOwnerDocsStore(p.documents, table(p, 'sends')));
const storedDocs = /* @__PURE__ */ part(
  (p) => new StoredOwnerDocs(ownerDocsStore(p), p.clock, p.docsCacheSeconds * 1000),
);
/** The owner's rules: the loader's stored copy, cached per container. */
export const rulesSource = /* @__PURE__ */ part((p): RulesSource => p.rules ?? storedDocs(p));
export const voiceSource = /* @__PURE__ */ part((p): VoiceSource => p.voice ?? storedDocs(p).voiceSource);
// The monthly counters count in the store's month: the time zone comes from the owner's rules.
export const monthlyStats = /* @__PURE__ */ part(
  (p) => new DynamoDbStats(p.documents, table(p, 'sends'), async () => (await rulesSource(p).current()).store.timeZone),
);
const scheduler = /* @__PURE__ */ part((p) => need(p.scheduler, 'a scheduler')());
const reminders = /* @__PURE__ */ part((p) => need(p.reminders, 'a reminder queue')());
const mailer = /* @__PURE__ */ part((p) => need(p.mailer, 'a mailer')());
const polisher = /* @__PURE__ */ part((p) => p.polisher?.());
const sendCapacity = /* @__PURE__ */ part(
  (p): SendCapacitySource =>
    p.sendCapacity?.() ??
    new DynamoDbSendCapacity(
      p.documents,
      table(p, 'sends'),
      need(p.senderSecondsPerSend, 'the seconds one send takes'),
      p.clock,
      p.log,
    ),
);
const owner = (p: Platform) => need(p.owner, "the owner's address");

// One builder per function.

function ingestDeps(platform: Platform): IngestDeps {
  return {
    carts: cartStore(platform),
    activity: activityLog(platform),
    scheduler: scheduler(platform),
    rules: rulesSource(platform),
    clock: platform.clock,
    log: platform.log,
    retentionDays: retentionDays(platform),
  };
}

/**
 * Stripe's lane as a platform provides it: what `read` returns is made on the first Stripe delivery (and again until
 * it succeeds), since Stripe shows the endpoint's signing secret only once the endpoint exists, after the deploy.
 */
export interface StripeLane {
  /** Which parameters to store, for the log while they cannot be read. */
  readonly name: string;
  /** The endpoint's signing secret (`whsec_...`) and Stripe's API read with the restricted key. */
  readonly read: () => Promise<{ readonly secret: string; readonly api: StripeCheckoutApi }>;
  /** The clock the signature's 300-second window is checked on; the platform's clock when absent. */
  readonly signatureClock?: Clock;
}

/**
 * The intake Function URL: our signed format at `/webhooks/cart` and, when the store uses them, Shopify's at
 * `/webhooks/shopify` and Stripe Checkout's at `/webhooks/stripe`. The secrets are the signing secrets of each;
 * Shopify's may be a reader called on the first delivery (and again until it succeeds), since Shopify shows it only
 * after the webhooks exist; Stripe's always is, for the same reason.
 */
export function intakeFunction(
  platform: Platform,
  secrets: {
    readonly cart: string;
    readonly shopify?: string | { readonly read: () => Promise<string>; readonly name: string } | undefined;
    readonly stripe?: StripeLane | undefined;
  },
) {
  const formats: Record<string, WebhookFormat> = {
    '/webhooks/cart': new StandardCartWebhook(secrets.cart, platform.clock),
  };
  const shopify = secrets.shopify;
  if (typeof shopify === 'string') formats['/webhooks/shopify'] = new ShopifyWebhook(shopify, platform.clock);
  else if (shopify) {
    formats['/webhooks/shopify'] = new SecretOnFirstUseFormat(
      async () => new ShopifyWebhook(await shopify.read(), platform.clock),
      `the Shopify signing secret: store it as the SSM SecureString ${shopify.name} ` +
        `(docs/deploy.md, "Connect the storefront")`,
      platform.log,
    );
  }
  const stripe = secrets.stripe;
  if (stripe) {
    formats['/webhooks/stripe'] = new SecretOnFirstUseFormat(
      async () => {
        const { secret, api } = await stripe.read();
        return new StripeCheckoutWebhook({
          secret,
          api,
          clock: platform.clock,
          signatureClock: stripe.signatureClock ?? platform.clock,
          log: platform.log,
        });
      },
      `the Stripe signing secret and restricted key: ${stripe.name} (docs/deploy.md, "Connect the storefront")`,
      platform.log,
      STRIPE_MAX_BODY_BYTES,
    );
  }
  return createIntakeHandler({ ...ingestDeps(platform), formats });
}

export function waiterFunction(platform: Platform) {
  return createWaiterHandler({
    carts: cartStore(platform),
    optOuts: optOutStore(platform),
    activity: activityLog(platform),
    scheduler: scheduler(platform),
    reminders: reminders(platform),
    rules: rulesSource(platform),
    stats: monthlyStats(platform),
    clock: platform.clock,
    log: platform.log,
  });
}

export function senderFunction(platform: Platform, email: SenderDeps['email']) {
  return createSenderHandler({
    carts: cartStore(platform),
    optOuts: optOutStore(platform),
    sends: sendLedger(platform),
    deferrals: scheduler(platform),
    release: { queue: releaseQueue(platform), capacity: sendCapacity(platform) },
    polisher: polisher(platform),
    mailer: mailer(platform),
    activity: activityLog(platform),
    stats: monthlyStats(platform),
    rules: rulesSource(platform),
    voice: voiceSource(platform),
    clock: platform.clock,
    log: platform.log,
    // Test mode sends every reminder to the owner (the rules doc's "Test mode: on").
    email: { ...(platform.owner ? { testModeTo: platform.owner.email } : {}), ...email },
  });
}

/** The unsubscribe Function URL; `key` signs and checks the links' tokens. */
export function unsubscribeFunction(platform: Platform, key: string) {
  return createUnsubscribeHandler({
    key,
    carts: cartStore(platform),
    optOuts: optOutStore(platform),
    activity: activityLog(platform),
    stats: monthlyStats(platform),
    rules: rulesSource(platform),
    clock: platform.clock,
    log: platform.log,
  });
}

export function cartCounterFunction(platform: Platform) {
  return createCartCounterHandler({ stats: monthlyStats(platform), rules: rulesSource(platform), log: platform.log });
}

export function sesEventsFunction(platform: Platform) {
  return createSesEventsHandler({
    sends: sendLedger(platform),
    carts: cartStore(platform),
    optOuts: optOutStore(platform),
    activity: activityLog(platform),
    stats: monthlyStats(platform),
    rules: rulesSource(platform),
    clock: platform.clock,
    log: platform.log,
  });
}

/** The nightly export lane; `readRows` reads the export (a Google Sheet, a local CSV). */
export function importerFunction(platform: Platform, readRows: () => Promise<string[][]>) {
  return createImporterHandler({
    ...ingestDeps(platform),
    readRows,
    mailer: mailer(platform),
    notices: ownerDocsStore(platform),
    owner: owner(platform),
  });
}

/** The rules loader; `docs` are the two documents' ids (Google Doc ids, local file paths). */
export function rulesLoaderFunction(
  platform: Platform,
  drive: () => Promise<OwnerDrive>,
  docs: { readonly rules: string; readonly voice: string },
) {
  return createRulesLoaderHandler({
    drive,
    docs,
    store: ownerDocsStore(platform),
    carts: cartStore(platform),
    scheduler: scheduler(platform),
    activity: activityLog(platform),
    mailer: mailer(platform),
    clock: platform.clock,
    log: platform.log,
    owner: owner(platform),
  });
}

export function summaryFunction(platform: Platform) {
  return createSummaryHandler({
    stats: monthlyStats(platform),
    rules: rulesSource(platform),
    mailer: mailer(platform),
    clock: platform.clock,
    log: platform.log,
    owner: owner(platform),
  });
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new WiringError(`this function is not configured with ${what}`);
  return value;
}

/** A value built on first use and kept (one per container). */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

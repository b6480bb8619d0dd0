import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbCartStore } from '../adapters/aws/dynamodb-cart-store';
import { inInvocationScope } from '../adapters/local/console-log';
import { ControllableClock } from '../adapters/local/controllable-clock';
import { ensureTables, localTables } from './create-tables';
import { matchesAnyFilter } from './event-filter';
import { LocalStreamReader } from './local-stream-reader';
import { LOCAL_AWS, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { startHttpServer } from './http-server';
import { FileOwnerDrive } from '../adapters/local/file-owner-drive';
import { type JobTarget, LocalScheduler } from '../adapters/local/local-scheduler';
import type { Mailer } from '../ports/mailer';
import type { Polisher } from '../ports/polisher';
import { fixedSendCapacity } from '../ports/release';
import { NEW_ACCOUNT_CAPACITY } from '../domain/cart/release';
import type { FunctionUrlHandler } from '../http/function-url';
import { OutboxMailer, outboxHandler } from '../adapters/local/outbox-mailer';
import { withSesSendEcho } from '../adapters/local/ses-send-echo';
import { EXAMPLE_DOCS } from '../adapters/local/owner-doc-files';
import { controlRoutes } from './control-routes';
import { localEndpointFile, writeRunningSystem } from './running-system';
import { StripeCheckoutClient } from '../adapters/stripe/stripe-checkout-client';
import { StripeStandIn } from './stripe-stand-in';
import { AWS_CLIENT_POLICY } from '../composition/aws/policy';
import type { Clock } from '../ports/clock';
import {
  cartCounterFunction,
  importerFunction,
  intakeFunction,
  type Platform,
  type StripeLane,
  rulesSource,
  voiceSource,
  cartStore,
  activityLog,
  rulesLoaderFunction,
  senderFunction,
  sesEventsFunction,
  summaryFunction,
  unsubscribeFunction,
  waiterFunction,
} from '../composition/functions';
import { CART_COUNTER_FILTERS, CART_STREAM_BATCH } from '../resources/cart-stream';
import { parseCsv } from '../domain/intake/export-rows';
import { nextStoreJobTick, type StoreJob } from '../domain/schedules/store-time';
import type { ActivityLog } from '../ports/activity-log';
import type { ImportReport } from '../use-cases/import-export-rows';
import type { DocLoadOutcome } from '../use-cases/load-owner-docs';
import type { Log } from '../ports/log';
import type { TableNames } from '../resources/tables';
import type { RulesSource, VoiceSource } from '../ports/owner-docs';

/** The store owner, as the local system writes to them (problem notices land in the outbox). */
const OWNER = { email: 'owner@shop.example', from: 'cart-recovery <reminders@shop.example>' } as const;

/** Days rows are kept, as in production's default. */
const RETENTION_DAYS = 90;

/** Signing secrets the local system uses unless told otherwise. Never use them in production. */
export const LOCAL_SECRETS = {
  /** Standard Webhooks secret for POST /webhooks/cart. */
  webhook: `whsec_${Buffer.from('cart-recovery-local-webhook-secret').toString('base64')}`,
  /** Shopify app secret for POST /webhooks/shopify. */
  shopify: 'shpss_cart_recovery_local_secret',
  /** Stripe endpoint signing secret for POST /webhooks/stripe (Stripe's own `whsec_` form). */
  stripe: 'whsec_cart_recovery_local_stripe_secret',
  /** The restricted key the local Stripe client sends to the stand-in (Stripe's `rk_test_` form). */
  stripeKey: 'rk_test_cart_recovery_local',
  /** HMAC key of unsubscribe links. */
  unsubscribeKey: 'cart-recovery-local-unsubscribe-key',
} as const;

export { EXAMPLE_DOCS, readRulesDoc, readVoiceDoc } from '../adapters/local/owner-doc-files';

export interface LocalSystemOptions {
  /** HTTP port; 0 picks a free one. */
  readonly port: number;
  /** Folder for DynamoDB Local data and the clock offset. */
  readonly dataDir?: string;
  /** Keep DynamoDB Local in memory (tests). */
  readonly inMemory?: boolean;
  /** Use an already running DynamoDB (tests share one engine) instead of starting one. */
  readonly dynamoEndpoint?: string;
  /** Prefix for table names, to keep several systems apart in one engine. */
  readonly tablePrefix?: string;
  readonly secrets?: {
    readonly webhook: string;
    readonly shopify: string;
    readonly unsubscribeKey: string;
    readonly stripe?: string;
  };
  /**
   * Where the Stripe client reads line items and Payment Links: by default the stand-in this system serves on its own
   * port (`/v1/...`, `src/local/stripe-stand-in.ts`); tests may point it at their own stand-in.
   */
  readonly stripeApi?: { readonly host: string; readonly port: number; readonly protocol: 'http' | 'https' };
  /** The clock Stripe signatures are checked on; by default the real time (the window is about transport). */
  readonly stripeSignatureClock?: Clock;
  /** The owner's docs to load (file paths); by default the examples in docs/examples. */
  readonly docs?: { readonly rules: string; readonly voice: string };
  /** Fixed rules or voice instead of the docs (tests that are not about the docs). */
  readonly rules?: RulesSource;
  readonly voice?: VoiceSource;
  readonly log: Log;
  /** Poll for due jobs in the background (the interactive system); tests drive `advance` instead. */
  readonly pollSchedules?: boolean;
  /** Real time source under the test clock; tests freeze it so simulated times are exact. */
  readonly realNow?: () => number;
  /** The storefront's nightly export, as CSV; by default `<data folder>/import/carts.csv`. */
  readonly exportCsv?: string;
  /** Counts calls at the boundaries (DynamoDB, scheduler, handlers, mail, model, logs) for `npm run cost`/`bench`. */
  readonly meter?: LocalMeter;
}

/**
 * Hooks that count calls at the local system's boundaries (`npm run bench` and `npm run cost` pass one:
 * bench/meter.ts). Each `watch` is called once, with the part it counts.
 */
export interface LocalMeter {
  watchDynamo(client: DynamoDBClient): void;
  watchScheduler(scheduler: LocalScheduler): void;
  watchMailer(mailer: Mailer): void;
  watchFunction<E, R>(name: string, handler: (event: E) => Promise<R>): (event: E) => Promise<R>;
  /** A model stand-in for the sender; none means the voice doc's own line, as production's fallback. */
  readonly polisher: Polisher | undefined;
}

/** The whole product on one machine. */
export interface LocalSystem {
  readonly url: string;
  /** The loopback stand-in of Stripe's API the local Stripe lane reads (unless `stripeApi` pointed elsewhere). */
  readonly stripeStandIn: StripeStandIn;
  readonly dynamoEndpoint: string;
  readonly dataDir: string | undefined;
  readonly tables: TableNames & { readonly schedules: string };
  readonly clock: ControllableClock;
  readonly scheduler: LocalScheduler;
  /**
   * Feeds the cr-carts stream to the cart counter as the event source mapping does in AWS. It reads as the clock moves
   * (`advance`, and every second while polling); `pump({ force: true })` delivers what is waiting now.
   */
  readonly cartStream: LocalStreamReader;
  /** Folder the local outbox writes emails to (served at /outbox/). */
  readonly outboxDir: string;
  /** Runs the rules loader now (it also runs every two seconds while the system is up). */
  reloadDocs(): Promise<Record<'rules' | 'voice', DocLoadOutcome>>;
  /**
   * Runs the export import now, or for an hourly tick (`{ scheduled }`) only when that tick is the import's hour. The
   * system ticks it every night at 02:00 store time on the test clock, and the monthly summary at 08:00 on the 1st.
   */
  runImport(tick?: { scheduled: string }): Promise<ImportReport & { file: string | undefined; notDue?: string }>;
  readonly carts: DynamoDbCartStore;
  readonly activity: ActivityLog;
  readonly documents: DynamoDBDocumentClient;
  /**
   * Moves simulated time forward, stopping at each due job on the way so it fires at its own time (a wake-up due
   * at T+1h runs with the clock reading T+1h, even when advancing by a day).
   */
  advance(ms: number): Promise<{ now: Date; fired: string[] }>;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local (unless given one), creates the tables, and serves every Function URL handler on one port. */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir ?? '.local');
  const engine = options.dynamoEndpoint
    ? undefined
    : await startDynamoDbLocal(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : { inMemory: true });
  const dynamoEndpoint = options.dynamoEndpoint ?? (engine as DynamoDbLocal).endpoint;
  const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, ...LOCAL_AWS });
  options.meter?.watchDynamo(dynamo);
  try {
    return await assemble(options, dataDir, dynamo, dynamoEndpoint, engine);
  } catch (error) {
    // Whatever failed, leave no Java process or client behind.
    dynamo.destroy();
    await engine?.stop();
    throw error;
  }
}

async function assemble(
  options: LocalSystemOptions,
  dataDir: string | undefined,
  dynamo: DynamoDBClient,
  dynamoEndpoint: string,
  engine: DynamoDbLocal | undefined,
): Promise<LocalSystem> {
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const { names: tables, tables: definitions } = localTables(options.tablePrefix);
  // TTL follows the wall clock: off when the system runs on a simulated one (a test's or a bench's `realNow`).
  await ensureTables(dynamo, definitions, { ttl: options.realNow === undefined });

  const clock = new ControllableClock(dataDir ? join(dataDir, 'clock.json') : undefined, options.realNow);
  const log = options.log;
  const scheduler = new LocalScheduler(documents, tables.schedules, clock, log);
  options.meter?.watchScheduler(scheduler);
  const streams = new DynamoDBStreamsClient({ endpoint: dynamoEndpoint, ...LOCAL_AWS });
  const cartStream = new LocalStreamReader(dynamo, streams, tables.carts, clock, log, {
    batchSize: CART_STREAM_BATCH.size,
    windowMs: CART_STREAM_BATCH.windowSeconds * 1000,
    accepts: (record) => matchesAnyFilter(CART_COUNTER_FILTERS, record),
    maxAttempts: CART_STREAM_BATCH.retryAttempts + 1,
    ...(dataDir ? { checkpointFile: join(dataDir, 'cart-stream.json') } : {}),
  });
  const secrets = options.secrets ?? LOCAL_SECRETS;
  const outboxDir = dataDir ? join(dataDir, 'outbox') : mkdtempSync(join(tmpdir(), 'cr-outbox-'));
  const outboxMailer = new OutboxMailer(outboxDir, clock);
  options.meter?.watchMailer(outboxMailer);

  // The laptop's platform: the parts that differ from AWS are the job table (Scheduler and async invokes), the outbox
  // (SES, with its SEND events), no model unless a meter brings a stand-in, and owner docs read from files; the rest
  // is wired as deployed.
  const platform = localPlatform(options, {
    documents,
    tables,
    clock,
    scheduler,
    mailer: withSesSendEcho(outboxMailer, clock, scheduler),
  });
  const carts = cartStore(platform);
  const activity = activityLog(platform);
  const local = <E, R>(name: string, handler: (event: E) => Promise<R>) => {
    const scoped = inInvocationScope(handler);
    return options.meter?.watchFunction(name, scoped) ?? scoped;
  };

  // The same loader production runs on a schedule, reading files instead of Google Docs; the hot path reads only
  // what it stored, as in production.
  const reloadDocs = inInvocationScope(
    rulesLoaderFunction(platform, async () => new FileOwnerDrive(), options.docs ?? EXAMPLE_DOCS),
  );
  await reloadDocs();
  try {
    await Promise.all([rulesSource(platform).current(), voiceSource(platform).current()]);
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)} (see the problems logged above, ` +
        `or the owner emails in ${outboxDir})`,
    );
  }

  scheduler.register('waiter', inInvocationScope(waiterFunction(platform)));
  scheduler.register('ses-events', inInvocationScope(sesEventsFunction(platform)));
  cartStream.register(local('cart-counter', cartCounterFunction(platform)));
  // Stripe's API is a loopback stand-in on this system's own port unless the caller brings one.
  const stripeStandIn = new StripeStandIn();
  let ownPort = 0;
  const stripe = localStripeLane(options, secrets, () => ownPort);
  const intake = local('intake', intakeFunction(platform, { cart: secrets.webhook, shopify: secrets.shopify, stripe }));

  const advance = clockDriver(clock, scheduler, cartStream, log);
  const runImport = exportImporter(
    platform,
    options.exportCsv ?? (dataDir ? join(dataDir, 'import', 'carts.csv') : undefined),
  );
  await scheduleStoreJobs(scheduler, clock, rulesSource(platform), [
    { job: 'nightly-import', target: 'importer', run: runImport },
    { job: 'monthly-summary', target: 'summary', run: inInvocationScope(summaryFunction(platform)) },
  ]);

  const server: Server = await startHttpServer(
    localRoutes({
      intake,
      unsubscribe: local('unsubscribe', unsubscribeFunction(platform, secrets.unsubscribeKey)),
      outboxDir,
      stripeStandIn,
      control: controlRoutes({ clock, scheduler, carts, activity, advance, runImport }),
    }),
    options.port,
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  ownPort = port;
  // The operator's commands (npm run carts, stops, summary, doctor) find this system, its tables and its settings here.
  const endpointFile = dataDir ? localEndpointFile(dataDir) : undefined;
  if (dataDir)
    writeRunningSystem(dataDir, { endpoint: dynamoEndpoint, url, tables, retentionDays: RETENTION_DAYS, owner: OWNER });

  // Locally there is no Bedrock: every reminder uses the voice doc's own opening line (the production fallback),
  // unless a meter brings a model stand-in (`npm run cost` counts the real prompts).
  const sender = senderFunction(platform, {
    from: 'reminders@shop.example',
    replyTo: OWNER.email,
    unsubscribeBaseUrl: url,
    unsubscribeKey: secrets.unsubscribeKey,
  });
  scheduler.register('sender', inInvocationScope(sender));
  let docsTimer: NodeJS.Timeout | undefined;
  if (options.pollSchedules) {
    scheduler.start();
    cartStream.start();
    docsTimer = setInterval(() => {
      reloadDocs().catch((error: unknown) => log.error('rules loader failed', { error: String(error) }));
    }, 2_000);
  }

  return {
    url,
    stripeStandIn,
    outboxDir,
    dynamoEndpoint,
    dataDir,
    tables,
    clock,
    scheduler,
    cartStream,
    carts,
    activity,
    documents,
    advance,
    reloadDocs: () => reloadDocs(),
    runImport,
    async stop() {
      clearInterval(docsTimer);
      if (endpointFile) rmSync(endpointFile, { force: true });
      scheduler.stop();
      cartStream.stop();
      await new Promise<void>((done) => server.close(() => done()));
      // What is still waiting in the stream is counted before the engine goes (a kept data folder would resume it).
      await cartStream
        .pump({ force: true })
        .catch((error: unknown) => log.error('cart stream not drained', { error: String(error) }));
      streams.destroy();
      dynamo.destroy();
      await engine?.stop();
    },
  };
}

/** The laptop's platform: the job table for Scheduler and async invokes, the given mailer for SES, docs from files. */
function localPlatform(
  options: LocalSystemOptions,
  parts: {
    readonly documents: DynamoDBDocumentClient;
    readonly tables: Platform['tables'];
    readonly clock: ControllableClock;
    readonly scheduler: LocalScheduler;
    readonly mailer: Mailer;
  },
): Platform {
  const { documents, tables, clock, scheduler, mailer } = parts;
  return {
    documents,
    tables,
    retentionDays: RETENTION_DAYS,
    // Edits to the docs show at once locally.
    docsCacheSeconds: 0,
    clock,
    log: options.log,
    scheduler: () => scheduler,
    reminders: () => scheduler,
    mailer: () => mailer,
    polisher: () => options.meter?.polisher,
    // The outbox stands in for a new production account: the morning release is paced as it would be there.
    sendCapacity: () =>
      fixedSendCapacity({
        ...NEW_ACCOUNT_CAPACITY,
        senderSecondsPerSend: 1,
        source: "the local stand-in for a new account's limits",
      }),
    owner: OWNER,
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.voice ? { voice: options.voice } : {}),
  };
}

/**
 * Stripe's lane as the laptop reads it: the local secrets, and the official client pointed at the stand-in on this
 * system's own port (`port()`, known once the server listens, before any delivery) unless the caller brings one.
 */
function localStripeLane(
  options: LocalSystemOptions,
  secrets: NonNullable<LocalSystemOptions['secrets']>,
  port: () => number,
): StripeLane {
  return {
    name: 'the local Stripe secrets (LOCAL_SECRETS)',
    read: async () => ({
      secret: secrets.stripe ?? LOCAL_SECRETS.stripe,
      api: new StripeCheckoutClient(LOCAL_SECRETS.stripeKey, {
        // The deployed intake's timeouts and retries, so the laptop fails the way Lambda does.
        ...AWS_CLIENT_POLICY.stripe,
        endpoint: options.stripeApi ?? { host: '127.0.0.1', port: port(), protocol: 'http' },
      }),
    }),
    signatureClock: options.stripeSignatureClock ?? { now: () => new Date() },
  };
}

/** The nightly export lane: a CSV file standing in for the sheet in the owner's Drive folder; none, nothing to do. */
function exportImporter(platform: Platform, exportCsv: string | undefined): LocalSystem['runImport'] {
  const importer = inInvocationScope(
    importerFunction(platform, async () => parseCsv(readFileSync(exportCsv ?? '', 'utf8'))),
  );
  return async (tick) => {
    if (!exportCsv || !existsSync(exportCsv)) return { outcomes: {}, problems: [], file: undefined };
    return { ...(await importer(tick)), file: exportCsv };
  };
}

/**
 * Moves the test clock forward, stopping at each due job on the way so it fires at its own time. The stream is read
 * as time moves, so its batching window runs on the test clock too. A failing read is logged and tried again next
 * time, as Lambda's poller would; it never stops the clock.
 */
function clockDriver(
  clock: ControllableClock,
  scheduler: LocalScheduler,
  cartStream: LocalStreamReader,
  log: Log,
): LocalSystem['advance'] {
  const pumpCartStream = () =>
    cartStream.pump().catch((error: unknown) => log.error('cart stream read failed', { error: String(error) }));
  return async (ms: number) => {
    const target = clock.now().getTime() + ms;
    const fired: string[] = [];
    await pumpCartStream();
    for (;;) {
      const next = (await scheduler.jobs()).find(
        (job) => !job.dead && scheduler.handles(job.target) && Date.parse(job.dueAt) <= target,
      );
      if (!next) break;
      clock.advanceTo(new Date(next.dueAt));
      await pumpCartStream();
      const ran = await scheduler.runDue();
      fired.push(...ran.map((job) => job.name));
    }
    const now = clock.advanceTo(new Date(target));
    await pumpCartStream();
    return { now, fired };
  };
}

/**
 * The recurring jobs as the deployed hourly schedules run them: each target gets `{ scheduled: <tick> }` and decides
 * itself, through `runStoreJobIfDue`, whether the tick is its local hour in the rules doc's zone. The test clock
 * only stops at the ticks `nextStoreJobTick` says are due (an empty hour does nothing in AWS either). The next tick is
 * set before the job runs, so a failing run (retried, then dead in the local failure queue) never ends the chain.
 */
async function scheduleStoreJobs(
  scheduler: LocalScheduler,
  clock: Clock,
  rules: RulesSource,
  jobs: ReadonlyArray<{
    readonly job: StoreJob;
    readonly target: JobTarget;
    readonly run: (tick: { scheduled: string }) => Promise<unknown>;
  }>,
): Promise<void> {
  for (const { job, target, run } of jobs) {
    const scheduleAfter = async (after: Date) => {
      const tick = nextStoreJobTick(job, after, (await rules.current()).store.timeZone).toISOString();
      await scheduler.put({ name: `${target}-${tick}`, target, dueAt: tick, payload: { scheduled: tick } });
    };
    scheduler.register(target, async (payload) => {
      // A job without its tick was left in a kept data folder by an older version: it only sets the next tick.
      if (typeof payload.scheduled !== 'string') return scheduleAfter(clock.now());
      await scheduleAfter(new Date(payload.scheduled));
      return run({ scheduled: payload.scheduled });
    });
    await scheduleAfter(clock.now());
  }
}

/** Every path the local system serves on its one port. */
function localRoutes(handlers: {
  readonly intake: FunctionUrlHandler;
  readonly unsubscribe: FunctionUrlHandler;
  readonly outboxDir: string;
  readonly stripeStandIn: StripeStandIn;
  readonly control: FunctionUrlHandler;
}): Parameters<typeof startHttpServer>[0] {
  const outbox = outboxHandler(handlers.outboxDir);
  return [
    { prefix: '/webhooks/', handler: handlers.intake },
    { prefix: '/u/', handler: handlers.unsubscribe },
    {
      prefix: '/outbox',
      handler: async (event) => {
        const page = outbox(event.rawPath);
        return { statusCode: page.status, headers: { 'content-type': page.contentType }, body: page.body };
      },
    },
    { prefix: '/v1/', handler: handlers.stripeStandIn.handler },
    { prefix: '/_local/stripe/', handler: handlers.stripeStandIn.handler },
    { prefix: '/_local/', handler: handlers.control },
  ];
}

/**
 * The operator's composition root: what `npm run carts`, `stops`, `summary`, `preview -- --aws` and `doctor` work on,
 * the running local system (`npm start`) or a deployed stack (`--aws`), wired as the functions are wired
 * (`./functions.ts` builds the adapters from one platform) so a script only parses its flags, asks for what it needs,
 * calls its use case and prints. Every client is made here once, with its policy, and {@link Operator.destroy} ends
 * them all.
 *
 * Settings come from where the system keeps them: locally from the running system's own description of itself
 * (`src/local/running-system.ts`: its DynamoDB Local, tables, owner and retention); on AWS from the deploy
 * configuration (`./aws/operator.ts`).
 */
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanMonthRecords } from '../adapters/aws/dynamodb-records';
import { consoleLog } from '../adapters/local/console-log';
import { ControllableClock } from '../adapters/local/controllable-clock';
import { FileOwnerDrive } from '../adapters/local/file-owner-drive';
import { LocalScheduler } from '../adapters/local/local-scheduler';
import { OutboxMailer } from '../adapters/local/outbox-mailer';
import { LOCAL_AWS } from './dynamodb-local';
import { type RunningLocalSystem, readRunningSystem } from './running-system';
import type { Finding } from '../domain/operations/doctor';
import { systemClock } from '../ports/clock';
import type { FailureQueue } from '../ports/failure-queue';
import type { Mailer } from '../ports/mailer';
import type { MonthRecords } from '../ports/month-records';
import { silentLog } from '../ports/log';
import { diagnoseSetup } from '../use-cases/diagnose-setup';
import type { OwnerContact } from '../use-cases/mail-owner';
import { type AwsFailureQueue, awsFailureQueue, awsOperatorPlatform } from '../composition/aws/operator';
import {
  activityLog,
  cartStore,
  monthlyStats,
  ownerDocsStore,
  type Platform,
  rulesSource,
} from '../composition/functions';

export interface OperatorOptions {
  /** The running local system, or the deployed stack reached with the operator's AWS credentials and Region. */
  readonly where: 'local' | 'aws';
  /** Tables named by the command's flags; by default the running system's, or the deployed names. */
  readonly tables?: { readonly carts?: string | undefined; readonly sends?: string | undefined };
  /** AWS: how the failed-invocations queue is found (`--stack`; `--queue-url` or CR_FAILED_INVOCATIONS_QUEUE_URL). */
  readonly failureQueue?: { readonly stackName: string; readonly queueUrl?: string | undefined };
  /** Local: the running system's data folder (default CR_DATA_DIR, else .local). */
  readonly dataDir?: string;
  /** AWS: the Region (default: the SDK's, from AWS_REGION or the profile). */
  readonly region?: string;
  /** AWS: where cdk.json is and the environment `CART_RECOVERY_*` are read from (tests). */
  readonly checkout?: { readonly dir?: string; readonly env?: Record<string, string | undefined> };
  /** The use cases' log lines on the console (the summary); silent by default. */
  readonly verbose?: boolean;
  /** The command has no `--aws` (the summary): the message when the local system is not running says so. */
  readonly localOnly?: boolean;
}

/** The system the operator's command works on. */
export interface Operator {
  readonly where: 'local' | 'aws';
  /** Which system this is, in words: "DynamoDB Local at http://127.0.0.1:8000". */
  readonly said: string;
  readonly platform: Platform;
  readonly carts: ReturnType<typeof cartStore>;
  readonly activity: ReturnType<typeof activityLog>;
  /** The owner's stored docs, stops and notices (the `#owner` partition of cr-sends). */
  readonly ownerDocs: ReturnType<typeof ownerDocsStore>;
  /** The rules the functions last accepted. */
  readonly rules: ReturnType<typeof rulesSource>;
  /** The monthly counters, counted in the store's month. */
  readonly stats: ReturnType<typeof monthlyStats>;
  /** Who gets the owner's emails, and the address that writes to them (throws, naming the setting, when unknown). */
  readonly owner: OwnerContact;
  /** The store's time zone from the stored rules (UTC while none were accepted). */
  zone(): Promise<string>;
  /** The failure queue: the local job table's dead jobs, or the stack's failed-invocations queue. */
  failures(): Promise<FailureQueue>;
  /** Every record that counts toward a month (the summary's recount). */
  monthRecords(): Promise<MonthRecords>;
  /** Local only: the outbox the running system serves, where the summary is rendered for the owner. */
  outbox(): { readonly mailer: Mailer; readonly url: string };
  destroy(): void;
}

/** The local system is not running: the one message every command gives. */
export class LocalSystemNotRunningError extends Error {
  override readonly name = 'LocalSystemNotRunningError';
  constructor(localOnly = false) {
    super(
      `the local system is not running ` +
        `(start it with npm start)${localOnly ? '' : ', or pass --aws for a deployed stack'}`,
    );
  }
}

/** Opens the system the command works on; throws {@link LocalSystemNotRunningError} when the local one is not up. */
export function openOperator(options: OperatorOptions): Operator {
  const log = options.verbose ? consoleLog() : silentLog;
  if (options.where === 'aws') {
    const { platform, destroy } = awsOperatorPlatform({
      log,
      ...(options.region ? { region: options.region } : {}),
      ...(options.tables ? { tables: options.tables } : {}),
      ...(options.checkout ? { checkout: options.checkout } : {}),
    });
    let queue: Promise<AwsFailureQueue> | undefined;
    return operator('aws', 'the deployed stack', platform, {
      // Only the commands that read the queue look for it (a story needs no SQS permissions).
      failures: async () => {
        const found = options.failureQueue;
        if (!found) throw new Error('this command reads no failure queue');
        queue ??= awsFailureQueue({
          stackName: found.stackName,
          ...(found.queueUrl ? { queueUrl: found.queueUrl } : {}),
          ...(options.region ? { region: options.region } : {}),
        });
        return (await queue).failures;
      },
      outbox: () => {
        throw new Error(
          'a deployed stack mails the owner through SES itself (the summary function, on the 1st); the outbox is the ' +
            "local system's",
        );
      },
      destroy: () => {
        destroy();
        void queue?.then(
          (made) => made.destroy(),
          () => undefined,
        );
      },
    });
  }
  const dataDir = resolve(options.dataDir ?? process.env.CR_DATA_DIR ?? '.local');
  const running = readRunningSystem(dataDir);
  if (!running) throw new LocalSystemNotRunningError(options.localOnly);
  const { platform, destroy } = localOperatorPlatform(running, dataDir, options, log);
  const scheduler = new LocalScheduler(platform.documents, running.tables.schedules, platform.clock, log);
  let outbox: { mailer: Mailer; url: string } | undefined;
  return operator('local', `DynamoDB Local at ${running.endpoint}`, platform, {
    failures: async () => scheduler,
    outbox: () =>
      (outbox ??= { mailer: new OutboxMailer(join(dataDir, 'outbox'), platform.clock), url: `${running.url}/outbox/` }),
    destroy,
  });
}

/**
 * The running local system as a platform: its DynamoDB Local through a client made as the system makes its own (on
 * loopback, no policy), its tables unless the command names others, its test clock, owner and retention.
 */
function localOperatorPlatform(
  running: RunningLocalSystem,
  dataDir: string,
  options: OperatorOptions,
  log: Platform['log'],
): { platform: Platform; destroy(): void } {
  const dynamodb = new DynamoDBClient({ endpoint: running.endpoint, ...LOCAL_AWS });
  const platform: Platform = {
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    tables: {
      ...running.tables,
      ...(options.tables?.carts ? { carts: options.tables.carts } : {}),
      ...(options.tables?.sends ? { sends: options.tables.sends } : {}),
    },
    retentionDays: running.retentionDays,
    docsCacheSeconds: 0,
    // The system's test clock: its offset is kept in the data folder, so the command sees the time the system sees.
    clock: new ControllableClock(join(dataDir, 'clock.json')),
    log,
    owner: running.owner,
  };
  return { platform, destroy: () => dynamodb.destroy() };
}

function operator(
  where: Operator['where'],
  said: string,
  platform: Platform,
  parts: Pick<Operator, 'failures' | 'outbox' | 'destroy'>,
): Operator {
  return {
    where,
    said,
    platform,
    // Getters: each adapter is made on first use (from the platform, once), so a command builds only what it uses
    // and reads a setting (the retention) only when it needs it.
    get carts() {
      return cartStore(platform);
    },
    get activity() {
      return activityLog(platform);
    },
    get ownerDocs() {
      return ownerDocsStore(platform);
    },
    get rules() {
      return rulesSource(platform);
    },
    get stats() {
      return monthlyStats(platform);
    },
    get owner() {
      return need(platform.owner, "the owner's address");
    },
    zone: async () => (await ownerDocsStore(platform).rules())?.value.store.timeZone ?? 'UTC',
    monthRecords: () =>
      scanMonthRecords(platform.documents, {
        carts: need(platform.tables.carts, 'the carts table'),
        sends: need(platform.tables.sends, 'the sends table'),
        optouts: need(platform.tables.optouts, 'the opt-outs table'),
      }),
    ...parts,
  };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not known here`);
  return value;
}

/**
 * `npm run doctor` on the laptop: the owner's docs as files (`docIds`) and, when the local system is running, the
 * monthly counters in its DynamoDB Local. A system that is not running is itself a finding.
 */
export async function localDoctor(request: {
  readonly docIds: { readonly rules: string; readonly voice: string };
  readonly tables?: OperatorOptions['tables'];
  readonly dataDir?: string;
}): Promise<{ findings: Finding[] }> {
  let system: Operator | undefined;
  try {
    system = openOperator({
      where: 'local',
      ...(request.tables ? { tables: request.tables } : {}),
      ...(request.dataDir ? { dataDir: request.dataDir } : {}),
    });
  } catch (error) {
    if (!(error instanceof LocalSystemNotRunningError)) throw error;
  }
  try {
    const { findings } = await diagnoseSetup({
      where: 'local',
      clock: systemClock,
      drive: new FileOwnerDrive(),
      docIds: request.docIds,
      ...(system ? { stats: system.stats } : {}),
    });
    const running: Finding = system
      ? { check: 'Local system', status: 'ok', said: `${system.said}.` }
      : {
          check: 'Local system',
          status: 'fail',
          said: 'not running.',
          next: 'start it with npm start (in another terminal), then run the doctor again.',
        };
    return { findings: [running, ...findings] };
  } finally {
    system?.destroy();
  }
}

/**
 * The AWS composition root: everything a deployed function is built from, made once per container. Each entry in
 * `src/lambda/` calls {@link awsEntry} with its configuration schema, the platform parts it uses and one line that
 * calls its builder in `../functions.ts`.
 *
 * The root is split by what each part pulls into a bundle: this file (DynamoDB, logs) is in every function;
 * `secrets.ts`, `scheduling.ts`, `email.ts`, `bedrock.ts` and `google.ts` only in the functions that name them, since
 * every module a bundle loads is paid for at each cold start. Retries and timeouts of all clients are in `policy.ts`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { powertoolsLog, type PowertoolsLog } from '../../adapters/aws/powertools-log';
import { DEFAULT_DOCS_CACHE_SECONDS, readConfig, type PlatformEnv } from './environment';
import { systemClock } from '../../ports/clock';
import { once, type Platform } from '../functions';
import { AWS_CLIENT_POLICY, clientOptions } from './policy';

/** The parts that differ between functions, each made from the function's configuration on first use. */
export type PlatformParts<C> = {
  readonly [K in 'scheduler' | 'reminders' | 'mailer' | 'polisher']?: (
    config: C,
  ) => ReturnType<NonNullable<Platform[K]>>;
};

/** What an entry's `build` gets. */
export interface EntryContext<C> {
  readonly config: C;
  /** The platform, for the function's builder in `../functions.ts`. */
  readonly platform: Platform;
  readonly log: PowertoolsLog;
}

/** The DynamoDB document client every function uses. */
export const documentClient = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(AWS_CLIENT_POLICY.dynamodb)), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

/**
 * A deployed function's handler. At cold start: reads the configuration through `schema` (a bad or missing variable
 * fails the start with every problem named), builds the logger and the platform. On first invocation: runs `build`
 * (which may read secrets); a failed build is tried again on the next invocation, and Function URLs answer
 * `unavailable` meanwhile instead of an error. Every invocation's log lines carry the Lambda context and whatever
 * keys the handler appends (the cart id); they are cleared when it ends.
 */
export function awsEntry<S extends z.ZodType<PlatformEnv>, E, R>(
  name: string,
  schema: S,
  parts: PlatformParts<z.output<S>>,
  build: (context: EntryContext<z.output<S>>) => ((event: E) => Promise<R>) | Promise<(event: E) => Promise<R>>,
  options: { readonly unavailable?: R } = {},
): (event: E, context?: Context) => Promise<R> {
  const config = readConfig(schema);
  const log = powertoolsLog(`cart-recovery-${name}`);
  const platform = awsPlatform(config, parts, log);
  let ready: Promise<(event: E) => Promise<R>> | undefined;
  const handler = () =>
    (ready ??= Promise.resolve()
      .then(() => build({ config, platform, log }))
      .catch((error: unknown) => {
        ready = undefined; // try again on the next invocation rather than failing forever
        throw error;
      }));

  return async (event, context) => {
    log.beginInvocation(context);
    try {
      let invoke: (event: E) => Promise<R>;
      try {
        invoke = await handler();
      } catch (error) {
        if (options.unavailable === undefined) throw error;
        log.error(`${name} not ready`, { error: error instanceof Error ? error.message : String(error) });
        return options.unavailable;
      }
      return await invoke(event);
    } finally {
      log.endInvocation();
    }
  };
}

/** The platform as deployed: DynamoDB, the system clock, Powertools logs, and the parts the function names. */
export function awsPlatform<C extends PlatformEnv>(config: C, parts: PlatformParts<C>, log: PowertoolsLog): Platform {
  const { scheduler, reminders, mailer, polisher } = parts;
  return {
    documents: documentClient(),
    tables: {
      ...(config.CR_CARTS_TABLE ? { carts: config.CR_CARTS_TABLE } : {}),
      ...(config.CR_SENDS_TABLE ? { sends: config.CR_SENDS_TABLE } : {}),
      ...(config.CR_OPTOUTS_TABLE ? { optouts: config.CR_OPTOUTS_TABLE } : {}),
    },
    ...(config.CR_RETENTION_DAYS !== undefined ? { retentionDays: config.CR_RETENTION_DAYS } : {}),
    docsCacheSeconds: config.CR_DOCS_CACHE_SECONDS ?? DEFAULT_DOCS_CACHE_SECONDS,
    clock: systemClock,
    log,
    ...(scheduler ? { scheduler: () => scheduler(config) } : {}),
    ...(reminders ? { reminders: () => reminders(config) } : {}),
    ...(mailer ? { mailer: () => mailer(config) } : {}),
    ...(polisher ? { polisher: () => polisher(config) } : {}),
    ...(config.CR_SENDER_SECONDS_PER_SEND !== undefined
      ? { senderSecondsPerSend: config.CR_SENDER_SECONDS_PER_SEND }
      : {}),
    ...(config.CR_OWNER_EMAIL && config.CR_FROM_ADDRESS
      ? { owner: { email: config.CR_OWNER_EMAIL, from: config.CR_FROM_ADDRESS } }
      : {}),
  };
}

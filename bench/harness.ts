/** A metered local system for the bench and the cost run, and the bookkeeping both need around it. */
import { rmSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOwnerDocsStore } from '../src/adapters/aws/dynamodb-owner-docs-store';
import { LOCAL_AWS, startDynamoDbLocal, type DynamoDbLocal } from '../src/local/dynamodb-local';
import { Meter, type MeterCounts, type MeterOptions, type TableUsage } from './meter';
import { StoredOwnerDocs } from '../src/use-cases/stored-owner-docs';
import { intakeEnvSchema } from '../src/composition/aws/environment';
import { tableNames } from '../src/resources/tables';
import { EXAMPLE_DOCS, readRulesDoc, readVoiceDoc, startLocalSystem, type LocalSystem } from '../src/local/system';
import { silentLog } from '../src/ports/log';
import type { FunctionUrlEvent, FunctionUrlResult } from '../src/http/function-url';
import type { RulesSource, VoiceSource } from '../src/ports/owner-docs';

export interface MeteredSystem {
  readonly system: LocalSystem;
  readonly meter: Meter;
  /** The intake handler exactly as the local system routes it, metered, called in-process. */
  intake(event: FunctionUrlEvent): Promise<FunctionUrlResult>;
  stop(): Promise<void>;
}

/**
 * The owner's example docs, parsed once: what a warm Lambda serves from its docs cache. Production reads the stored
 * docs at most every CR_DOCS_CACHE_SECONDS (120 s) per container; the local system's own source re-reads them on
 * every call, which would add reads no production hot path makes.
 */
export function cachedExampleDocs(): { rules: RulesSource; voice: VoiceSource } {
  const rules = readRulesDoc(EXAMPLE_DOCS.rules);
  const voice = readVoiceDoc(EXAMPLE_DOCS.voice);
  return { rules: { current: async () => rules }, voice: { current: async () => voice } };
}

/** Production's owner-docs cache (CR_DOCS_CACHE_SECONDS default), read from the schema rather than copied. */
export const DOCS_CACHE_MS = Number(intakeEnvSchema.shape.CR_DOCS_CACHE_SECONDS.parse(undefined)) * 1000;

/**
 * Owner docs as production reads them: the stored copies, cached CR_DOCS_CACHE_SECONDS per function (one cache per
 * metered function, as each Lambda keeps its own), read through a metered client so the reads are counted.
 */
function perFunctionStoredDocs(meter: Meter, dynamoEndpoint: string, tablePrefix: string, now: () => number) {
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint, ...LOCAL_AWS });
  meter.watchDynamo(client);
  const store = new DynamoDbOwnerDocsStore(DynamoDBDocumentClient.from(client), tableNames(tablePrefix).sends);
  const clock = { now: () => new Date(now()) };
  const caches = new Map<string, StoredOwnerDocs>();
  const forCaller = () => {
    const fn = meter.currentFunction() ?? 'local';
    let docs = caches.get(fn);
    if (!docs) caches.set(fn, (docs = new StoredOwnerDocs(store, clock, DOCS_CACHE_MS)));
    return docs;
  };
  return {
    docs: { rules: { current: () => forCaller().current() }, voice: { current: () => forCaller().currentVoice() } },
    close: () => client.destroy(),
  };
}

/** Starts the local system on a given DynamoDB Local with a meter, real time frozen at `frozenMs`. */
export async function startMetered(options: {
  readonly dynamoEndpoint: string;
  readonly tablePrefix: string;
  readonly frozenMs: number;
  readonly meter?: MeterOptions;
  /**
   * Where the handlers get the owner's docs: `memory` (a warm cache: no reads), `production` (stored copies cached
   * 120 s per function, reads counted), or the local system's own source (re-read on every call).
   */
  readonly docs?: 'memory' | 'production' | 'local';
}): Promise<MeteredSystem> {
  const meter = new Meter(options.meter);
  let now = () => options.frozenMs;
  const production =
    options.docs === 'production'
      ? perFunctionStoredDocs(meter, options.dynamoEndpoint, options.tablePrefix, () => now())
      : undefined;
  let system: LocalSystem;
  try {
    system = await startLocalSystem({
      port: 0,
      inMemory: true,
      dynamoEndpoint: options.dynamoEndpoint,
      tablePrefix: options.tablePrefix,
      log: meter.log(silentLog),
      realNow: () => options.frozenMs,
      meter,
      ...(options.docs === 'memory' ? cachedExampleDocs() : production ? production.docs : {}),
    });
  } catch (error) {
    production?.close();
    throw error;
  }
  now = () => system.clock.now().getTime();
  meter.useClock(now);
  meter.reset();
  const intake = meter.functions.intake as ((event: FunctionUrlEvent) => Promise<FunctionUrlResult>) | undefined;
  if (!intake) throw new Error('the local system did not route an intake handler through the meter');
  return {
    system,
    meter,
    intake,
    async stop() {
      await system.stop();
      production?.close();
      rmSync(system.outboxDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `body` with a DynamoDB Local in memory and stops it afterwards, on errors and on Ctrl-C too, so no Java
 * process is left behind.
 */
export async function withDynamoDbLocal<T>(body: (engine: DynamoDbLocal) => Promise<T>): Promise<T> {
  const engine = await startDynamoDbLocal({ inMemory: true });
  const onSignal = () => {
    void engine.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(engine);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.stop();
  }
}

/**
 * The three product tables (whatever the prefix); the local scheduler's table stands in for Scheduler, not DynamoDB.
 */
export function isProductTable(tableName: string): boolean {
  return /(?:^|-)cr-(?:carts|sends|optouts)$/.test(tableName);
}

/** The meter's per-table counts, summed over tables. */
export type DynamoTotals = Omit<TableUsage, 'activeWindows'>;

const SUMMED = [
  'readRequests',
  'writeRequests',
  'rru',
  'wru',
  'failedConditionalWrites',
  'failedWriteWru',
] as const satisfies ReadonlyArray<keyof DynamoTotals>;

/** DynamoDB usage summed over the product tables (or over the tables `include` picks). */
export function dynamoTotals(counts: MeterCounts, include: (table: string) => boolean = isProductTable): DynamoTotals {
  const total: DynamoTotals = {
    readRequests: 0,
    writeRequests: 0,
    rru: 0,
    wru: 0,
    failedConditionalWrites: 0,
    failedWriteWru: 0,
  };
  for (const [table, usage] of Object.entries(counts.dynamo) as [string, TableUsage][]) {
    if (include(table)) for (const key of SUMMED) total[key] += usage[key];
  }
  return total;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run plays the same month. */
export { random } from '../test/support/random';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

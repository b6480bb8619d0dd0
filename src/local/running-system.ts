/**
 * What a running local system (`npm start`) tells the operator's commands about itself, in a file in its data
 * folder: where its DynamoDB Local answers, its URL, its tables and its configuration (the owner's address and the
 * retention period). Written when it starts, removed when it stops.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';

const runningSystemSchema = z.object({
  endpoint: z.url(),
  url: z.url(),
  tables: z.object({ carts: z.string(), sends: z.string(), optouts: z.string(), schedules: z.string() }),
  retentionDays: z.number().int().positive(),
  owner: z.object({ email: z.string(), from: z.string() }),
});

/** A running local system, as its data folder describes it. */
export type RunningLocalSystem = z.output<typeof runningSystemSchema>;

/** Where a running local system describes itself, inside its data folder. */
export function localEndpointFile(dataDir = process.env.CR_DATA_DIR ?? '.local'): string {
  return resolve(dataDir, 'endpoint.json');
}

export function writeRunningSystem(dataDir: string, system: RunningLocalSystem): void {
  writeFileSync(localEndpointFile(dataDir), JSON.stringify(system));
}

/**
 * The local system running on `dataDir`, or undefined when none is (no file). A file in another shape was left by a
 * system started before this version: it must be restarted.
 */
export function readRunningSystem(dataDir?: string): RunningLocalSystem | undefined {
  const file = localEndpointFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: ReturnType<typeof runningSystemSchema.safeParse>;
  try {
    parsed = runningSystemSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = runningSystemSchema.safeParse(undefined);
  }
  if (!parsed.success)
    throw new Error(
      `${file} does not describe a running local system (started by an older version?): restart it with npm start`,
    );
  return parsed.data;
}

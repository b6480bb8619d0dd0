import * as z from 'zod';
import { importExportRows, type ImportDeps, type ImportReport } from '../use-cases/import-export-rows';
import { runStoreJobIfDue } from '../use-cases/run-store-job';

export interface ImporterHandlerDeps extends ImportDeps {
  /** The storefront's nightly cart export, as rows (a Google Sheet in production, a CSV file locally). */
  readonly readRows: () => Promise<string[][]>;
}

/** The hourly schedule's tick (`{"scheduled": "<its scheduled time>"}`), or nothing: import now. */
const importerRequestSchema = z
  .object({ scheduled: z.iso.datetime({ offset: true, error: "expected the schedule's ISO time" }).optional() })
  .nullish();

/**
 * The nightly export lane: ticked every hour, at 02:00 in the store's zone (the rules doc's) it reads the export's
 * rows and sends each through the intake path; invoked without a tick it imports at once. Bad rows are reported to
 * the owner by the use case; a sheet that cannot be read at all throws, so the alarmed failure queue hears of it.
 */
export function createImporterHandler(
  deps: ImporterHandlerDeps,
): (event?: unknown) => Promise<ImportReport & { readonly notDue?: string }> {
  return async (event) => {
    const parsed = importerRequestSchema.safeParse(event);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`import request not understood: ${problems}`);
    }
    const run = async () => importExportRows(await deps.readRows(), deps);
    const scheduled = parsed.data?.scheduled;
    if (!scheduled) return run();
    const tick = await runStoreJobIfDue('nightly-import', new Date(scheduled), deps, run);
    return tick.ran ? tick.result : { outcomes: {}, problems: [], notDue: tick.reason };
  };
}

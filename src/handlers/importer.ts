import { importExportRows, type ImportDeps, type ImportReport } from '../use-cases/import-export-rows';

export interface ImporterHandlerDeps extends ImportDeps {
  /** The storefront's nightly cart export, as rows (a Google Sheet in production, a CSV file locally). */
  readonly readRows: () => Promise<string[][]>;
}

/**
 * The nightly export lane: read the export's rows and send each through the intake path. Bad rows are reported to
 * the owner by the use case; a sheet that cannot be read at all throws, so the alarmed failure queue hears of it.
 */
export function createImporterHandler(deps: ImporterHandlerDeps): () => Promise<ImportReport> {
  return async () => importExportRows(await deps.readRows(), deps);
}

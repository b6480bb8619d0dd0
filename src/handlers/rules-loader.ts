import { type DocLoadOutcome, loadOwnerDocs, type OwnerDocsLoaderDeps } from '../use-cases/load-owner-docs';
import type { OwnerDrive } from '../ports/google-drive';

export interface RulesLoaderHandlerDeps extends Omit<OwnerDocsLoaderDeps, 'drive'> {
  /** The owner's Drive; built on first use in production, where it needs a secret. */
  readonly drive: () => Promise<OwnerDrive>;
}

/**
 * The rules loader, run every few minutes: read the owner's rules and voice docs, keep the last good ones, tell the
 * owner about problems and lift stops that were removed. Answers each doc's outcome, for the log.
 */
export function createRulesLoaderHandler(
  deps: RulesLoaderHandlerDeps,
): () => Promise<Record<'rules' | 'voice', DocLoadOutcome>> {
  // One Drive per container, so its access token is reused between runs; a failed build is tried again next run.
  let drive: Promise<OwnerDrive> | undefined;
  return async () => {
    drive ??= deps.drive().catch((error: unknown) => {
      drive = undefined;
      throw error;
    });
    return loadOwnerDocs({ ...deps, drive: await drive });
  };
}

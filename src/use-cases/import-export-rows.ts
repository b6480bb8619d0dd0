import { createHash } from 'node:crypto';
import { parseExportRows } from '../domain/intake/export-rows';
import { escapeHtml } from '../domain/email/html';
import type { Mailer } from '../ports/mailer';
import type { OwnerDocsStore } from '../ports/owner-docs-store';
import { ingestCartEvent, type IngestDeps, type IngestResult } from './ingest-cart-event';
import { mailOwner, type OwnerContact } from './mail-owner';

export interface ImportDeps extends IngestDeps {
  readonly mailer: Mailer;
  readonly notices: Pick<OwnerDocsStore, 'firstNotice'>;
  readonly owner: OwnerContact;
}

export interface ImportReport {
  /** Good rows, by what intake did with them (applied, duplicate, stale, closed, checked_out, ...). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Bad rows, each named by its row number; they were skipped and the good rows still landed. */
  readonly problems: readonly string[];
}

/**
 * The nightly export lane: every good row goes through the same intake path as a webhook, so it is idempotent,
 * never overwrites newer webhook data (the newest event time wins), never creates a second wake-up for a cart the
 * webhook already brought, and never reopens a checked-out cart. Bad rows are skipped and reported to the owner,
 * once per distinct problem.
 */
export async function importExportRows(rows: string[][], deps: ImportDeps): Promise<ImportReport> {
  const { store } = await deps.rules.current();
  const { events, problems } = parseExportRows(rows, { storeCurrency: store.currency, now: deps.clock.now() });
  const outcomes: Record<string, number> = {};
  for (const { event } of events) {
    const result: IngestResult = await ingestCartEvent(event, deps);
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
  }

  const messages = problems.map((problem) => problem.message);
  const fresh: string[] = [];
  for (const message of messages) {
    const key = createHash('sha256').update(`export\n${message}`).digest('hex').slice(0, 32);
    if (await deps.notices.firstNotice(key, deps.clock.now())) fresh.push(message);
  }
  if (fresh.length > 0) {
    const text = [
      'Hello,',
      '',
      `Last night's cart export for ${store.name} had rows that could not be read. They were skipped; ` +
        `every other row was imported.`,
      '',
      ...fresh.map((message) => `- ${message}`),
      '',
      'Fix them in the sheet and they will be picked up by the next import.',
    ].join('\n');
    const subject = `Cart export: ${fresh.length} row${fresh.length === 1 ? '' : 's'} skipped`;
    const html = `<pre style="font-family:Arial,Helvetica,sans-serif;white-space:pre-wrap">${escapeHtml(text)}</pre>`;
    await mailOwner(deps.mailer, deps.owner, { subject, text, html }, { kind: 'export-problems' });
  }
  deps.log.info('export imported', { outcomes, skippedRows: messages.length });
  return { outcomes, problems: messages };
}

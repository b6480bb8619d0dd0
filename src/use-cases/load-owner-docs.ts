import { createHash } from 'node:crypto';
import type { DocProblem } from '../domain/owner-docs/doc-text';
import { type OwnerDocKind, ownerProblemsEmail } from '../domain/owner-docs/owner-notice';
import { DEFAULT_RULES, type Rules, stopSet, withOperatorStops } from '../domain/owner-docs/rules';
import { parseRulesDoc } from '../domain/owner-docs/rules-doc';
import type { Voice } from '../domain/owner-docs/voice';
import { parseVoiceDoc } from '../domain/owner-docs/voice-doc';
import type { Clock } from '../ports/clock';
import { GoogleReadError, type OwnerDrive } from '../ports/google-drive';
import type { Log } from '../ports/log';
import type { Mailer } from '../ports/mailer';
import type { OwnerDocsStore, StoredDoc } from '../ports/owner-docs-store';
import { liftRemovedOwnerStops, type LiftStopsDeps } from './lift-owner-stops';
import { mailOwner, type OwnerContact } from './mail-owner';

export interface OwnerDocsLoaderDeps extends Omit<LiftStopsDeps, 'clock' | 'log'> {
  readonly drive: OwnerDrive;
  readonly store: OwnerDocsStore;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly log: Log;
  /** Document ids (Google Doc ids in production, file paths locally). */
  readonly docs: { readonly rules: string; readonly voice: string };
  /** Who hears about problems, and from which address. */
  readonly owner: OwnerContact;
}

/**
 * How long a doc that does not parse must stay unchanged before the owner is emailed about it: one email per edit
 * that still has problems, not one per keystroke the loader happens to catch mid-edit. With the loader every 5
 * minutes, that is the first load after the one that saw the edit.
 */
export const DOC_QUIET_MINUTES = 5;

/** What happened to one doc on one load. */
export type DocLoadOutcome = 'updated' | 'unchanged' | 'rejected' | 'unavailable';

/**
 * The rules loader: reads both docs, and for each one that changed, parses it. A doc that parses replaces the last
 * good one in the store; a doc that does not is never half-applied: the last good one stays, and once that version
 * of the doc has stayed unchanged for {@link DOC_QUIET_MINUTES}, the owner gets one email listing its problems, each
 * naming its line, with a link to open the doc. If Google is down, nothing changes.
 */
export async function loadOwnerDocs(deps: OwnerDocsLoaderDeps): Promise<Record<OwnerDocKind, DocLoadOutcome>> {
  const lastRules = await deps.store.rules();
  const rules = await loadDoc(
    'rules',
    deps,
    lastRules,
    (text) => {
      const parsed = parseRulesDoc(text, DEFAULT_RULES);
      return parsed.ok ? { ok: true, value: parsed.rules } : { ok: false, problems: parsed.problems };
    },
    lastRules?.value.store.name,
  );
  const accepted = await deps.store.rules();
  if (accepted) await applyStops(accepted.value, deps);
  const storeName = accepted?.value.store.name ?? DEFAULT_RULES.store.name;
  const voice = await loadDoc(
    'voice',
    deps,
    await deps.store.voice(),
    (text) => {
      const parsed = parseVoiceDoc(text);
      return parsed.ok ? { ok: true, value: parsed.voice } : { ok: false, problems: parsed.problems };
    },
    storeName,
  );
  return { rules, voice };
}

/**
 * Puts the stops in force (the doc's and the operator's) and lifts those that were removed since the last run, from
 * either place. The stops themselves act at the waiter's and sender's next check; only lifting needs work here.
 */
async function applyStops(rules: Rules, deps: OwnerDocsLoaderDeps): Promise<void> {
  const next = stopSet(withOperatorStops(rules, await deps.store.operatorStops()));
  const previous = await deps.store.appliedStops();
  if (previous && JSON.stringify(previous) === JSON.stringify(next)) return;
  if (previous) await liftRemovedOwnerStops(previous, next, deps);
  await deps.store.saveAppliedStops(next);
}

type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: DocProblem[] };

async function loadDoc<T extends Rules | Voice>(
  kind: OwnerDocKind,
  deps: OwnerDocsLoaderDeps,
  last: StoredDoc<T> | undefined,
  parse: (text: string) => ParseResult<T>,
  storeName = DEFAULT_RULES.store.name,
): Promise<DocLoadOutcome> {
  let text: string;
  try {
    text = await deps.drive.readDocText(deps.docs[kind]);
  } catch (error) {
    if (!(error instanceof GoogleReadError)) throw error;
    deps.log.warn(`${kind} doc unavailable; the last good one stays in force`, {
      kind: error.kind,
      reason: error.message,
    });
    return 'unavailable';
  }
  const sourceHash = createHash('sha256').update(text).digest('hex');
  const notice = await deps.store.problemNotice(kind);
  if (last?.sourceHash === sourceHash) {
    // Back to the last good text: a later broken edit is news again, even if it repeats an earlier one.
    if (notice) await deps.store.saveProblemNotice(kind, undefined);
    return 'unchanged';
  }

  const parsed = parse(text);
  const now = deps.clock.now();
  if (parsed.ok) {
    const doc: StoredDoc<T> = { value: parsed.value, sourceHash, savedAt: now.toISOString() };
    if (kind === 'rules') await deps.store.saveRules(doc as StoredDoc<Rules>);
    else await deps.store.saveVoice(doc as StoredDoc<Voice>);
    if (notice) await deps.store.saveProblemNotice(kind, undefined);
    deps.log.info(`${kind} doc accepted`, { sourceHash: sourceHash.slice(0, 12) });
    return 'updated';
  }

  deps.log.warn(`${kind} doc rejected; the last good one stays in force`, {
    problems: parsed.problems.map((p) => `line ${p.line ?? '-'}: ${p.message}`),
    lastGoodSavedAt: last?.savedAt,
  });
  // One email per version of the doc, once the owner has stopped typing: a new text restarts the wait.
  if (notice?.sourceHash !== sourceHash) {
    await deps.store.saveProblemNotice(kind, { sourceHash, since: now.toISOString(), notified: false });
    return 'rejected';
  }
  if (notice.notified || now.getTime() - Date.parse(notice.since) < DOC_QUIET_MINUTES * 60_000) return 'rejected';
  const docUrl = deps.drive.docUrl(deps.docs[kind]);
  await mailOwner(
    deps.mailer,
    deps.owner,
    ownerProblemsEmail({ doc: kind, problems: parsed.problems, storeName, docUrl }),
    {
      kind: `${kind}-doc-problem`,
    },
  );
  await deps.store.saveProblemNotice(kind, { ...notice, notified: true });
  return 'rejected';
}

import { DateTime } from 'luxon';
import {
  diagnose,
  type DocFacts,
  type DoctorFacts,
  type Finding,
  type Probe,
  type ReleaseFacts,
  type SecretFacts,
} from '../domain/operations/doctor';
import { parseRulesDoc } from '../domain/owner-docs/rules-doc';
import { parseVoiceDoc } from '../domain/owner-docs/voice-doc';
import type { Clock } from '../ports/clock';
import { GoogleReadError, type OwnerDrive } from '../ports/google-drive';
import type { EmailAccountInspector, ModelAccessProbe, SecretInspector } from '../ports/setup-inspection';
import type { Stats } from '../ports/stats';
import type { AccountLimitsReader, AccountLimitsStore, ReleaseQueue } from '../ports/release';
import type { Rules } from '../domain/owner-docs/rules';
import { parseClock } from '../domain/cart/quiet-hours';

/** What the doctor looks at; a part left out is a check that does not apply (SES on a laptop, say). */
export interface DiagnoseDeps {
  readonly where: 'aws' | 'local';
  readonly clock: Clock;
  readonly region?: string;
  readonly email?: { readonly inspector: EmailAccountInspector; readonly senderDomain: string };
  readonly model?: { readonly probe: ModelAccessProbe; readonly modelId: string };
  readonly secrets?: {
    readonly inspector: SecretInspector;
    readonly wanted: readonly { readonly name: string; readonly purpose: string }[];
  };
  /** The owner's Drive as the service account sees it, or why it could not be reached (e.g. its key is missing). */
  readonly drive: OwnerDrive | Error;
  readonly serviceAccountEmail?: string;
  readonly docIds: { readonly rules?: string; readonly voice?: string };
  readonly stats?: Pick<Stats, 'month'>;
  readonly settings?: DoctorFacts['settings'];
  /** The account's sending limits (read, then stored for the sender) and the release queue, for the morning check. */
  readonly release?: {
    readonly reader: AccountLimitsReader;
    readonly store: AccountLimitsStore;
    readonly queue: Pick<ReleaseQueue, 'size'>;
    readonly secondsPerSend: number;
  };
}

/** Gathers every fact (each look-up's failure becomes a fact too), then runs the pure checks. */
export async function diagnoseSetup(deps: DiagnoseDeps): Promise<{ facts: DoctorFacts; findings: Finding[] }> {
  const now = DateTime.fromJSDate(deps.clock.now(), { zone: 'utc' });
  const [sesAccount, senderIdentity, model, secrets, docs, intake] = await Promise.all([
    deps.email ? probe(deps.email.inspector.account()) : undefined,
    deps.email ? probe(deps.email.inspector.identity(deps.email.senderDomain)) : undefined,
    deps.model ? probe(deps.model.probe.probe(deps.model.modelId).then(() => true as const)) : undefined,
    deps.secrets
      ? Promise.all(
          deps.secrets.wanted.map(
            async ({ name, purpose }): Promise<SecretFacts> => ({
              name,
              purpose,
              state: await probe(deps.secrets!.inspector.state(name)),
            }),
          ),
        )
      : undefined,
    Promise.all((['rules', 'voice'] as const).map((doc) => readDoc(doc, deps.docIds[doc], deps.drive))),
    deps.stats
      ? probe(
          Promise.all([
            deps.stats.month(now.toFormat('yyyy-MM')),
            deps.stats.month(now.minus({ months: 1 }).toFormat('yyyy-MM')),
          ]).then(([current, last]) => ({
            cartsThisMonth: current.cartsSeen,
            cartsLastMonth: last.cartsSeen,
          })),
        )
      : undefined,
  ]);
  const rules = docs.find((d) => d.doc === 'rules')?.rules;
  const release = deps.release ? await probe(releaseFacts(deps.release, rules, deps.clock.now())) : undefined;
  const facts: DoctorFacts = {
    where: deps.where,
    docs: docs.map(({ rules: _parsed, ...doc }) => doc),
    ...(deps.region ? { region: deps.region } : {}),
    ...(deps.email ? { senderDomain: deps.email.senderDomain } : {}),
    ...(deps.model ? { modelId: deps.model.modelId } : {}),
    ...(deps.serviceAccountEmail ? { serviceAccountEmail: deps.serviceAccountEmail } : {}),
    ...(sesAccount ? { sesAccount } : {}),
    ...(senderIdentity ? { senderIdentity } : {}),
    ...(model ? { model } : {}),
    ...(secrets ? { secrets } : {}),
    ...(intake ? { intake } : {}),
    ...(release ? { release } : {}),
    ...(deps.settings ? { settings: deps.settings } : {}),
  };
  return { facts, findings: diagnose(facts) };
}

async function readDoc(
  doc: 'rules' | 'voice',
  id: string | undefined,
  drive: OwnerDrive | Error,
): Promise<DocFacts & { rules?: Rules }> {
  if (!id) return { doc };
  if (drive instanceof Error) return { doc, id, read: { ok: false, code: 'unavailable', message: drive.message } };
  let rules: Rules | undefined;
  const read = await probe(
    drive.readDocText(id).then((text) => {
      const parsed = doc === 'rules' ? parseRulesDoc(text) : parseVoiceDoc(text);
      if (parsed.ok && 'rules' in parsed) rules = parsed.rules;
      return { problems: parsed.ok ? [] : parsed.problems };
    }),
  );
  return { doc, id, read, ...(rules ? { rules } : {}) };
}

/**
 * Reads the account's limits and stores them for the sender (it holds no permission to read them itself), then
 * looks at the next morning: when quiet hours next end in the store's zone, and how many reminders hold a place.
 */
async function releaseFacts(
  release: NonNullable<DiagnoseDeps['release']>,
  rules: Rules | undefined,
  now: Date,
): Promise<ReleaseFacts> {
  const limits = { ...(await release.reader.read()), readAt: now.toISOString() };
  await release.store.save(limits);
  if (!rules || rules.quietHours.start === rules.quietHours.end)
    return { limits, secondsPerSend: release.secondsPerSend };
  const timeZone = rules.store.timeZone;
  const end = parseClock(rules.quietHours.end);
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  let at = local.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  if (at <= local) at = at.plus({ days: 1 });
  const releaseAt = at.toJSDate();
  return {
    limits,
    secondsPerSend: release.secondsPerSend,
    next: { at: releaseAt.toISOString(), timeZone, held: await release.queue.size(releaseAt) },
  };
}

/** A look-up's value, or its error as a fact: Google's own kind (`forbidden`, ...), else the error's name. */
async function probe<T>(pending: Promise<T>): Promise<Probe<T>> {
  try {
    return { ok: true, value: await pending };
  } catch (error) {
    const code = error instanceof GoogleReadError ? error.kind : error instanceof Error ? error.name : 'Error';
    return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
  }
}

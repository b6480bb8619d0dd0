/**
 * `npm run doctor`: what stops reminders from going out, and what to do next, in plain words. Pure: every check reads
 * facts gathered beforehand by adapters (SES, Bedrock, SSM, Google, the stats table), so each answer is unit-testable.
 */
import { DateTime } from 'luxon';
import {
  type AccountLimits,
  releaseDeadline,
  releaseOverflow,
  releasePlan,
  releaseRate,
  type SendCapacity,
} from '../cart/release';
import type { DocProblem } from '../owner-docs/doc-text';

/** What one look-up found: its value, or what went wrong (the provider's error name as `code`). */
export type Probe<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** SES v2 `GetAccount`, as far as sending reminders is concerned. */
export interface SesAccountFacts {
  readonly productionAccess: boolean;
  readonly sendingEnabled: boolean;
  /** `HEALTHY`, `PROBATION` or `SHUTDOWN`. */
  readonly enforcementStatus?: string;
  readonly max24HourSend: number;
  readonly maxSendRate: number;
  readonly sentLast24Hours: number;
}

/** SES v2 `GetEmailIdentity` for the sending domain. */
export interface SenderIdentityFacts {
  readonly identity: string;
  readonly verifiedForSending: boolean;
  /** `SUCCESS`, `PENDING`, `FAILED`, `TEMPORARY_FAILURE` or `NOT_STARTED`. */
  readonly dkimStatus?: string;
}

/** One owner doc: where it is, and whether it could be read and parsed. */
export interface DocFacts {
  readonly doc: 'rules' | 'voice';
  /** Absent when the deployment names no doc. */
  readonly id?: string;
  /** The parser's problems (empty: accepted), or why the doc could not be read (`forbidden`, `not_found`, ...). */
  readonly read?: Probe<{ readonly problems: readonly DocProblem[] }>;
}

/** One SSM SecureString the functions read. */
export interface SecretFacts {
  readonly name: string;
  /** What it is for, e.g. "signs the storefront's cart events". */
  readonly purpose: string;
  readonly state: Probe<'set' | 'missing'>;
}

/** Carts that reached intake, from the monthly counters (the hot path writes nothing else that could tell). */
export interface IntakeFacts {
  readonly cartsThisMonth: number;
  readonly cartsLastMonth: number;
}

/**
 * The next morning's release as it stands: the account's limits (just read and stored) and the reminders held for it.
 */
export interface ReleaseFacts {
  readonly limits: AccountLimits;
  readonly secondsPerSend: number;
  /**
   * When quiet hours next end in the store's zone (the release reminders held tonight join), if the rules were read.
   */
  readonly next?: { readonly at: string; readonly timeZone: string; readonly held: number };
}

/** Everything the checks look at. A fact left out is a check that does not apply here (e.g. SES on a laptop). */
export interface DoctorFacts {
  readonly where: 'aws' | 'local';
  readonly senderDomain?: string;
  readonly region?: string;
  readonly modelId?: string;
  /** Who the docs must be shared with. */
  readonly serviceAccountEmail?: string;
  readonly sesAccount?: Probe<SesAccountFacts>;
  readonly senderIdentity?: Probe<SenderIdentityFacts>;
  /** `ok` when a one-token call to the model succeeded. */
  readonly model?: Probe<true>;
  readonly docs: readonly DocFacts[];
  readonly secrets?: readonly SecretFacts[];
  readonly intake?: Probe<IntakeFacts>;
  readonly release?: Probe<ReleaseFacts>;
  /** Deploy settings that are missing or still the demo placeholder, e.g. `replyTo`, `alarmEmail`. */
  readonly settings?: readonly {
    readonly key: string;
    readonly problem: string;
    readonly next: string;
    readonly status?: 'fail' | 'warn';
  }[];
}

/** `fail`: reminders cannot go out (or go out wrongly) until it is fixed. `warn`: they go out, but something is off. */
export type FindingStatus = 'ok' | 'warn' | 'fail';

/** One check's answer: what was found, in plain words, and the next step when there is one. */
export interface Finding {
  readonly check: string;
  readonly status: FindingStatus;
  readonly said: string;
  readonly next?: string;
}

const ok = (check: string, said: string): Finding => ({ check, status: 'ok', said });
const fail = (check: string, said: string, next: string): Finding => ({ check, status: 'fail', said, next });
const warn = (check: string, said: string, next: string): Finding => ({ check, status: 'warn', said, next });

/** What reading Stripe with the restricted key gave (`npm run doctor -- --aws`, when the Stripe lane is configured). */
export type StripeKeyFacts =
  | { readonly read: true; readonly sessionId: string | undefined }
  | { readonly read: false; readonly code: string; readonly message: string };

/** Whether the restricted key can read what intake reads: Checkout Sessions and their line items. */
export function stripeKeyFinding(param: string, facts: StripeKeyFacts): Finding {
  const check = 'Stripe restricted key';
  if (facts.read) {
    return facts.sessionId
      ? ok(check, `${param} reads Checkout Sessions and their line items (tried ${facts.sessionId}).`)
      : ok(check, `${param} reads Checkout Sessions; there is none yet to read line items from.`);
  }
  if (facts.code === 'ParameterNotFound') {
    return fail(
      check,
      `SSM parameter ${param} does not exist.`,
      `create it (docs/deploy.md, step 10): a restricted key with Read on Checkout Sessions and Payment Links.`,
    );
  }
  if (facts.code === 'StripePermissionError') {
    return fail(
      check,
      `the key in ${param} may not read Checkout Sessions or their line items (${facts.message}).`,
      'in the Stripe Dashboard, give the restricted key Read on Checkout Sessions and on Payment Links, ' +
        'then run the doctor again.',
    );
  }
  if (facts.code === 'StripeAuthenticationError') {
    return fail(
      check,
      `Stripe does not accept the key in ${param} (${facts.message}).`,
      'store a current restricted key (rk_live_...) in the parameter.',
    );
  }
  return fail(
    check,
    `Stripe could not be read with the key in ${param} (${facts.code}: ${facts.message}).`,
    'check the key and that api.stripe.com is reachable, then run the doctor again.',
  );
}

const credentials = (call: string) =>
  `check your AWS credentials and region (AWS_REGION), and that they may call ${call}`;

/** SES account: production access, sending enabled, reputation, and the daily quota. */
export function checkSesAccount(facts: DoctorFacts): Finding[] {
  const probe = facts.sesAccount;
  if (!probe) return [];
  const check = 'SES account';
  if (!probe.ok)
    return [
      fail(check, `could not read the SES account (${probe.code}: ${probe.message})`, credentials('ses:GetAccount')),
    ];
  const account = probe.value;
  const findings: Finding[] = [];
  if (!account.productionAccess) {
    findings.push(
      fail(
        check,
        'SES is still in the sandbox: it sends only to addresses you verified yourself, so reminders to shoppers are ' +
          'held (logged "held: SES is still in the sandbox") and none goes out.',
        `request production access: SES console${facts.region ? ` (${facts.region})` : ''} > Account dashboard > ` +
          `Request production access (docs/deploy.md, step 2). AWS usually answers within a day. Do not connect the ` +
          `storefront until it is granted.`,
      ),
    );
  }
  if (!account.sendingEnabled) {
    findings.push(
      fail(
        check,
        'sending is paused for this SES account: every reminder is held.',
        'read the notice in the SES console > Account dashboard, fix its cause, then resume sending there.',
      ),
    );
  }
  if (account.enforcementStatus === 'SHUTDOWN' || account.enforcementStatus === 'PROBATION') {
    findings.push(
      (account.enforcementStatus === 'SHUTDOWN' ? fail : warn)(
        check,
        `SES has put the account under review (${account.enforcementStatus}) for its bounce or complaint rate.`,
        "open SES console > Reputation metrics, answer AWS's case, " +
          'and see docs/operations.md ("Bounces and complaints").',
      ),
    );
  }
  if (account.productionAccess && account.max24HourSend > 0 && account.sentLast24Hours >= 0.8 * account.max24HourSend) {
    findings.push(
      warn(
        check,
        `${account.sentLast24Hours} of the ${account.max24HourSend} emails SES allows a day are used: reminders ` +
          `beyond the quota are held until it frees up.`,
        'ask for a higher sending quota: Service Quotas console > Amazon SES > Sending quota.',
      ),
    );
  }
  if (findings.length === 0) {
    findings.push(
      ok(
        check,
        `production access; up to ${account.max24HourSend} emails a day, ${account.maxSendRate} a second ` +
          `(${account.sentLast24Hours} sent in the last 24 hours).`,
      ),
    );
  }
  return findings;
}

/** The sending domain: created, DKIM verified, verified for sending. */
export function checkSenderIdentity(facts: DoctorFacts): Finding[] {
  const probe = facts.senderIdentity;
  if (!probe) return [];
  const domain = facts.senderDomain ?? 'the sending domain';
  const check = `Sending domain ${domain}`;
  if (!probe.ok) {
    if (probe.code === 'NotFoundException') {
      return [
        fail(
          check,
          `SES has no identity for ${domain} in this region.`,
          'deploy the stack (it creates the identity; docs/deploy.md, step 7), ' +
            'or check senderDomain in cdk.json and AWS_REGION.',
        ),
      ];
    }
    return [
      fail(check, `could not read the identity (${probe.code}: ${probe.message})`, credentials('ses:GetEmailIdentity')),
    ];
  }
  const { dkimStatus, verifiedForSending } = probe.value;
  if (dkimStatus === 'FAILED' || dkimStatus === 'TEMPORARY_FAILURE') {
    return [
      fail(
        check,
        `DKIM verification ${dkimStatus === 'FAILED' ? 'failed' : 'hit a temporary failure'}: SES could not find the ` +
          `DKIM records, so it will not send from ${domain}.`,
        "compare the three CNAME records at your DNS host with the stack's DkimRecord1 to DkimRecord3 outputs, " +
          'character for character (no doubled domain at the end), then wait: SES checks again by itself.',
      ),
    ];
  }
  if (dkimStatus !== 'SUCCESS' || !verifiedForSending) {
    return [
      fail(
        check,
        `DKIM is not verified yet (${dkimStatus ?? 'no status'}): nothing can be sent from ${domain}.`,
        "add the three CNAME records from the stack's DkimRecord1 to DkimRecord3 outputs at your DNS host " +
          '(docs/deploy.md, step 8), then run the doctor again; SES usually verifies within an hour, at most 72 hours.',
      ),
    ];
  }
  return [ok(check, 'verified, DKIM signing on.')];
}

/** Bedrock: without model access reminders still go out, with the template's own opening line. */
export function checkModelAccess(facts: DoctorFacts): Finding[] {
  const probe = facts.model;
  if (!probe) return [];
  const check = 'Bedrock model';
  const model = facts.modelId ?? 'the model';
  if (probe.ok) return [ok(check, `${model} answers.`)];
  const consequence = "reminders still go out, with the voice doc's own opening line instead of a polished one.";
  if (probe.code === 'AccessDeniedException') {
    return [
      warn(
        check,
        `this account may not call ${model} (${probe.message}): ${consequence}`,
        `Bedrock console${facts.region ? ` (${facts.region})` : ''} > Model access: enable Anthropic Claude Haiku ` +
          `4.5 (first-time Anthropic users fill in the short use-case form; docs/deploy.md, step 3). If it is ` +
          `enabled, your own credentials may lack bedrock:InvokeModel.`,
      ),
    ];
  }
  if (probe.code === 'ResourceNotFoundException' || probe.code === 'ValidationException') {
    return [
      warn(
        check,
        `${model} is not available here (${probe.message}): ${consequence}`,
        'set bedrockModelId in cdk.json to a model or inference profile offered in this region, and deploy.',
      ),
    ];
  }
  return [
    warn(
      check,
      `the test call to ${model} failed (${probe.code}: ${probe.message}): ${consequence}`,
      'run the doctor again in a few minutes; if it persists, check the AWS Health dashboard for Bedrock.',
    ),
  ];
}

const DOC_NAMES = { rules: 'Rules doc', voice: 'Voice doc' } as const;
const DOC_KEYS = { rules: 'rulesDocId', voice: 'voiceDocId' } as const;

/** Each owner doc: named, shared with the service account, and accepted by its parser. */
export function checkDocs(facts: DoctorFacts): Finding[] {
  return facts.docs.map(({ doc, id, read }) => {
    const check = DOC_NAMES[doc];
    if (!id) {
      return fail(
        check,
        'no doc is named, so no rules were ever loaded and nothing is sent.',
        `set ${DOC_KEYS[doc]} in cdk.json to the doc's id (the long part of its URL) ` +
          `and deploy (docs/deploy.md, step 6).`,
      );
    }
    if (!read) return ok(check, 'named (not read here).');
    if (!read.ok && facts.where === 'local') {
      return fail(
        check,
        `cannot read ${id} (${read.code}: ${read.message}).`,
        'check the path given with --rules or --voice (default: docs/examples/).',
      );
    }
    if (!read.ok) {
      const account = facts.serviceAccountEmail ?? 'the service account (client_email in its key)';
      if (read.code === 'forbidden' || read.code === 'not_found') {
        return fail(
          check,
          `the service account cannot open it ` +
            `(${read.code === 'forbidden' ? 'not shared' : 'not found or not shared'}): changes to it are not ` +
            `seen${doc === 'rules' ? ', and without a first good copy nothing is sent' : ''}.`,
          `in Google Docs, open the doc, Share, add ${account} as a Viewer; if it is shared, check ${DOC_KEYS[doc]} ` +
            `is the id in the doc's URL.`,
        );
      }
      return fail(
        check,
        `could not be read (${read.code}: ${read.message}).`,
        "run the doctor again in a few minutes; if it persists, check the Google key secret and Google's status page.",
      );
    }
    const { problems } = read.value;
    if (problems.length > 0) {
      const listed = problems
        .slice(0, 3)
        .map((p) => `${p.line !== undefined ? `line ${p.line}: ` : ''}${p.message}`)
        .join('; ');
      return fail(
        check,
        `it has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}, so the last good copy stays ` +
          `in force (${listed}${problems.length > 3 ? '; ...' : ''}).`,
        'fix those lines in the doc (docs/rules-doc.md, docs/voice-doc.md); the loader picks the change up within ' +
          'minutes and the owner is emailed about each problem.',
      );
    }
    return ok(check, 'readable and accepted.');
  });
}

/** The secrets the functions read at start. */
export function checkSecrets(facts: DoctorFacts): Finding[] {
  return (facts.secrets ?? []).map(({ name, purpose, state }) => {
    const check = `Secret ${name}`;
    if (!state.ok)
      return fail(check, `could not be read (${state.code}: ${state.message}).`, credentials('ssm:GetParameter'));
    if (state.value === 'set') return ok(check, `set (${purpose}).`);
    return fail(
      check,
      `does not exist: it ${purpose}, and the functions that need it refuse to start their work without it.`,
      `create it: aws ssm put-parameter --type SecureString --name ${name} --value '...' (docs/deploy.md, step 5 ` +
        `says what goes in it).`,
    );
  });
}

/** Whether the storefront's carts are arriving at all. */
export function checkIntake(facts: DoctorFacts): Finding[] {
  const probe = facts.intake;
  if (!probe) return [];
  const check = 'Carts from the storefront';
  if (!probe.ok)
    return [
      fail(
        check,
        `could not read the counters (${probe.code}: ${probe.message}).`,
        credentials('dynamodb:GetItem on cr-sends'),
      ),
    ];
  const { cartsThisMonth, cartsLastMonth } = probe.value;
  if (cartsThisMonth + cartsLastMonth === 0) {
    return [
      warn(
        check,
        'no cart has arrived this month or last: the storefront is not sending its webhooks here yet.',
        'once every check above passes, connect the storefront (docs/webhooks.md; Shopify owners also turn off ' +
          "Shopify's own abandoned-checkout email), then run the doctor again.",
      ),
    ];
  }
  return [
    ok(check, `${cartsThisMonth} cart${cartsThisMonth === 1 ? '' : 's'} this month, ${cartsLastMonth} last month.`),
  ];
}

/**
 * The morning release: the pace the sender plans at (from the limits just read and stored for it), how long the next
 * morning's held reminders take at that pace, and whether a morning that size still fits before noon.
 */
export function checkRelease(facts: DoctorFacts): Finding[] {
  const probe = facts.release;
  if (!probe) return [];
  const check = 'Morning release';
  if (!probe.ok) {
    return [
      warn(
        check,
        `could not read the account's sending limits (${probe.code}: ${probe.message}); the sender keeps pacing by ` +
          `the last stored ones (a new account's if none).`,
        credentials(
          'ses:GetAccount, lambda:GetAccountSettings, lambda:GetFunctionConcurrency and cloudwatch:GetMetricStatistics',
        ),
      ),
    ];
  }
  const { limits, next } = probe.value;
  // The sender's measured duration once it has run; the deployment's stated figure before that.
  const secondsPerSend = limits.senderSecondsPerSend ?? probe.value.secondsPerSend;
  const perSend =
    limits.senderSecondsPerSend === undefined
      ? `${secondsPerSend} s a send, as stated`
      : `${secondsPerSend} s a send, the sender's p90 over 7 days`;
  const capacity: SendCapacity = { ...limits, senderSecondsPerSend: secondsPerSend, source: 'the doctor' };
  const rate = releaseRate(capacity);
  const limit =
    rate.limitedBy === 'ses_rate'
      ? `SES's ${limits.sesMaxSendRate} a second`
      : `${limits.senderConcurrency} ${limits.concurrencyFrom === 'reserved' ? 'reserved' : 'unreserved'} Lambda ` +
        `executions at ${perSend}`;
  const pace =
    `held reminders go out at ${rate.perSecond.toFixed(1)} a second ` + `(90% of ${limit}; stored for the sender)`;
  const raise =
    rate.limitedBy === 'ses_rate'
      ? 'ask AWS for a higher SES sending rate (Service Quotas > Amazon SES)'
      : 'ask AWS for more Lambda concurrency (Service Quotas > AWS Lambda > Concurrent executions)';
  if (!next) return [ok(check, `${pace}.`)];
  const releaseAt = new Date(next.at);
  const local = (at: Date) => DateTime.fromJSDate(at, { zone: next.timeZone }).toFormat('HH:mm');
  const plan = releasePlan(next.held, releaseAt, rate);
  const room = Math.floor(
    ((releaseDeadline(releaseAt, next.timeZone).getTime() - releaseAt.getTime()) / 1000) * rate.perSecond,
  );
  const overflow =
    next.held > 0
      ? releaseOverflow({ releaseAt, place: next.held, at: plan.endsAt, timeZone: next.timeZone, capacity, rate })
      : undefined;
  const heldText =
    `${next.held} reminder${next.held === 1 ? ' is' : 's are'} ` + `held for ${local(releaseAt)} (${next.timeZone})`;
  if (overflow) {
    return [
      warn(
        check,
        `${pace}; ${heldText} and the last goes out at ${local(plan.endsAt)}: ${overflow.detail}.`,
        `${raise}; until then late reminders are sent, logged and counted in the summary.`,
      ),
    ];
  }
  if (next.held > 0.8 * room) {
    return [
      warn(
        check,
        `${pace}; ${heldText}, done by ${local(plan.endsAt)}, close to the ${room} a morning can hold before noon.`,
        `${raise} before the store grows further.`,
      ),
    ];
  }
  return [ok(check, `${pace}; ${heldText}, done by ${local(plan.endsAt)} (a morning holds ${room} before noon).`)];
}

/** Deploy settings the deployment needs and does not have. */
export function checkSettings(facts: DoctorFacts): Finding[] {
  return (facts.settings ?? []).map(({ key, problem, next, status }) =>
    (status === 'warn' ? warn : fail)(`Setting ${key}`, problem, next),
  );
}

/** Every check, in the order an operator fixes things. */
export function diagnose(facts: DoctorFacts): Finding[] {
  return [
    ...checkSettings(facts),
    ...checkSenderIdentity(facts),
    ...checkSesAccount(facts),
    ...checkSecrets(facts),
    ...checkDocs(facts),
    ...checkModelAccess(facts),
    ...checkIntake(facts),
    ...checkRelease(facts),
  ];
}

const MARK: Record<FindingStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FIX ' };

/** The report as the terminal shows it: one line per finding, its next step under it, and a last word. */
export function renderDoctorReport(findings: readonly Finding[], where: 'aws' | 'local'): string {
  const lines = findings.flatMap((f) => [
    `${MARK[f.status]} ${f.check}: ${f.said}`,
    ...(f.next ? [`     next: ${f.next}`] : []),
  ]);
  const failing = findings.filter((f) => f.status === 'fail').length;
  const warnings = findings.filter((f) => f.status === 'warn').length;
  lines.push(
    '',
    failing > 0
      ? `${failing} thing${failing === 1 ? '' : 's'} to fix before reminders can go ` +
          `out${where === 'aws' ? '' : ' locally'}; start with the first FIX.`
      : warnings > 0
        ? `Reminders can go out; ${warnings} thing${warnings === 1 ? '' : 's'} worth a look.`
        : 'Everything checked is ready: reminders can go out.',
  );
  return lines.join('\n');
}

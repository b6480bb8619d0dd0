import { randomUUID } from 'node:crypto';
import { CART_BOUNDS } from '../domain/cart/bounds';
import type { CartRow } from '../domain/cart/cart';
import { ComposeError, composeReminder, type ComposedEmail } from '../domain/email/compose';
import { decideSend } from '../domain/cart/gates';
import { localTimeZone } from '../domain/cart/quiet-hours';
import { releaseOverflow, releaseRate, releaseSlotAt, throttleQueueAt } from '../domain/cart/release';
import { buildPolishPrompt, validatePolishedLine } from '../domain/email/polish';
import type { Rules } from '../domain/owner-docs/rules';
import { unsubscribeLinks } from '../domain/unsubscribe/links';
import type { ReminderStep } from '../domain/cart/reminder-step';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import { MailError, type Mailer } from '../ports/mailer';
import type { ReminderRequest } from '../ports/messages';
import type { OptOutStore } from '../ports/opt-outs';
import type { Polisher } from '../ports/polisher';
import type { DeferralReason, SendDeferrals } from '../ports/scheduler';
import type { SendLedger, SendRecord } from '../ports/send-ledger';
import type { ReleaseQueue, SendCapacitySource } from '../ports/release';
import type { Stats } from '../ports/stats';
import { changedSinceHandOff, followUpWithoutFirst, handOffState, recordHandOffOutcome } from './reminder-hand-off';
import { sentFacts, settleSentWrite } from './record-sent';
import type { RulesSource, VoiceSource } from '../ports/owner-docs';

export interface SenderDeps {
  readonly carts: Pick<CartStore, 'get' | 'recordReminder' | 'recordReminderOutcome'>;
  readonly optOuts: OptOutStore;
  readonly sends: SendLedger;
  readonly deferrals: SendDeferrals;
  /** The morning's paced queue, and the account's limits that set its pace. */
  readonly release: { readonly queue: ReleaseQueue; readonly capacity: SendCapacitySource };
  /** Absent locally and in tests of the plain path: the template's own opening line is used. */
  readonly polisher: Polisher | undefined;
  readonly mailer: Mailer;
  readonly activity: ActivityLog;
  readonly stats: Stats;
  readonly rules: RulesSource;
  readonly voice: VoiceSource;
  readonly clock: Clock;
  readonly log: Log;
  /** A new attempt id per claim; random by default. */
  readonly newAttemptId?: () => string;
  readonly email: {
    /** The sending address; shown with the store's name from the rules doc unless it already has a display name. */
    readonly from: string;
    /** Where shopper replies go: the owner's inbox (the template invites a reply; the sending address has no inbox). */
    readonly replyTo: string;
    /** Base URL of the unsubscribe endpoint. */
    readonly unsubscribeBaseUrl: string;
    /** HMAC key for unsubscribe tokens. */
    readonly unsubscribeKey: string;
    /** Optional `mailto:` for List-Unsubscribe, for clients that do not do one-click POST. */
    readonly unsubscribeMailto?: string;
    /** The owner's address: where every reminder goes while the rules doc's test mode is on. */
    readonly testModeTo?: string;
  };
}

export type SendResult =
  | { readonly outcome: 'sent'; readonly messageId: string; readonly polished: boolean }
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'deferred'; readonly until: Date; readonly reason: DeferralReason }
  /** The shopper changed the cart after the hand-off: nothing sent, the cart is back with the waiter. */
  | { readonly outcome: 'returned'; readonly changedAt: Date }
  /** This reminder has ended already (sent or refused), or another attempt holds a live lease on it. */
  | { readonly outcome: 'duplicate' }
  /** SES's answer was lost: the email may be out. Its SEND event, or the lease's end, settles it. */
  | { readonly outcome: 'unknown'; readonly settleAt: Date };

/**
 * How long a claim is held before a new attempt may take it over. SES publishes its SEND event within seconds of
 * accepting a message; a claim with neither an answer nor a SEND event after this long was never accepted.
 */
export const CLAIM_LEASE_MS = 15 * 60_000;

/** While the owner's pause lasts, a reminder the waiter had already handed off is looked at again this often. */
const OWNER_PAUSE_RECHECK_MS = 60 * 60_000;

/**
 * A paused account, a missing identity or an account still in the SES sandbox: try again in an hour, for a day at most.
 */
const PAUSED_RETRY_MS = 60 * 60_000;
const PAUSED_MAX_RETRIES = 24;

/**
 * The sender: four gates (address, quiet hours, do-not-disturb, compose), one polished line, one email per
 * (cart, step). Every end (sent, skipped) and every deferral is written to the cart's activity log with its reason.
 *
 * Exactly one email: the claim is a lease taken with the shopper's do-not-disturb window in one conditional write;
 * a check is scheduled for the lease's end before SES is called; SES is asked once. Its answer decides: accepted
 * (sent), refused (skipped, or tried again later if it can succeed then), throttled (deferred a little), anything
 * else (unknown: SES's SEND event marks it sent, and if none came by the lease's end nothing was accepted, so the
 * check sends it again).
 */
export async function sendReminder(request: ReminderRequest, deps: SenderDeps): Promise<SendResult> {
  const now = deps.clock.now();
  const cart = await deps.carts.get(request.cartId);
  if (!cart) {
    deps.log.warn('reminder for an unknown cart', { cartId: request.cartId, step: request.step });
    return { outcome: 'skipped', reason: 'unknown_cart' };
  }
  const leftover = leftoverRequest(cart, request.step, deps);
  if (leftover) return leftover;
  const previous = await previousClaim(request, now, deps);
  if (previous.outcome === 'duplicate') return previous;

  const run = reminderRun(request, deps, now, cart, previous.stale);
  const cleared = await passGates(run);
  if ('outcome' in cleared) return cleared;
  const composed = await composeAndPolish(run, cleared);
  if ('outcome' in composed) return composed;
  const claim = await claimReminder(run, cleared);
  if ('outcome' in claim) return claim;
  return deliver(run, cleared, composed, claim);
}

type Details = Record<string, string | number | boolean>;

/** One invocation for one cart: what every step reads, and the ways it logs, defers or skips the reminder. */
interface ReminderRun {
  readonly request: ReminderRequest;
  readonly deps: SenderDeps;
  readonly now: Date;
  readonly cart: CartRow;
  readonly cartId: string;
  readonly step: ReminderStep;
  /** A claim whose lease ran out with no answer and no SEND event from SES: nothing was accepted. */
  readonly stale: SendRecord | undefined;
  log(action: string, reason: string, details?: Details): Promise<void>;
  defer(at: Date, reason: DeferralReason, detail: string, details?: Details, releaseAt?: Date): Promise<SendResult>;
  skip(reason: string, detail: string, details: Details): Promise<SendResult>;
  placeInRelease(releaseAt: Date, timeZone: string): Promise<{ at: Date; details: Details; text: string }>;
  /** Gives the stale claim back, so a reminder whose gates now say no does not leave it standing in between. */
  giveBackStale(): Promise<void>;
}

function reminderRun(
  request: ReminderRequest,
  deps: SenderDeps,
  now: Date,
  cart: CartRow,
  stale: SendRecord | undefined,
): ReminderRun {
  const { cartId, step } = request;
  const log = (action: string, reason: string, details?: Details) =>
    deps.activity.record({ cartId, at: now, actor: 'sender', action, reason, details: { step, ...details } });
  return {
    request,
    deps,
    now,
    cart,
    cartId,
    step,
    stale,
    log,
    async defer(at, reason, detail, details = {}, releaseAt) {
      const retry =
        reason === 'throttled' || reason === 'paused' || reason === 'sandbox'
          ? (request.retry ?? 0) + 1
          : request.retry;
      const release = releaseAt?.toISOString() ?? request.releaseAt;
      await deps.deferrals.defer({
        cartId,
        step,
        at,
        reason,
        ...(retry !== undefined ? { retry } : {}),
        ...(release !== undefined ? { releaseAt: release } : {}),
      });
      if (reason === 'quiet_hours') await deps.stats.add(now, { counter: 'deferredQuietHours' });
      await log('deferred', detail, { reason, until: at.toISOString(), ...details });
      return { outcome: 'deferred', until: at, reason } as const;
    },
    async skip(reason, detail, details) {
      await log('skipped', detail, { skipReason: reason, ...details });
      await deps.stats.add(now, { counter: 'skipped', reason });
      // The waiter learns the hand-off ended without an email (a skipped first reminder ends the chase).
      await recordHandOffOutcome(cart, step, { outcome: 'skipped', at: now.toISOString(), reason }, deps);
      return { outcome: 'skipped', reason } as const;
    },
    // A place in a paced release: quiet hours' morning, or (for a throttle) the tail of the release the reminder came
    // from, else the next minute's. A place that does not fit the morning still goes out, and is said plainly.
    async placeInRelease(releaseAt, timeZone) {
      const [place, capacity] = await Promise.all([
        deps.release.queue.take(releaseAt),
        deps.release.capacity.current(),
      ]);
      const rate = releaseRate(capacity);
      const at = new Date(Math.max(releaseSlotAt(releaseAt, place, rate).getTime(), now.getTime() + 1_000));
      const overflow = releaseOverflow({ releaseAt, place, at, timeZone, capacity, rate });
      const details: Details = {
        place,
        releaseAt: releaseAt.toISOString(),
        perSecond: Number(rate.perSecond.toFixed(2)),
      };
      if (overflow) {
        deps.log.warn('morning release does not fit', {
          cartId,
          step,
          overflow: overflow.kind,
          place,
          releaseAt: releaseAt.toISOString(),
          limits: capacity.source,
        });
        await deps.stats.add(now, { counter: 'releaseLate' });
        details.late = overflow.kind;
      }
      const placeText =
        `place ${place} of the release from ${releaseAt.toISOString()}, paced ` +
        `at ${rate.perSecond.toFixed(1)} a second (${capacity.source})`;
      return {
        at,
        details,
        text: overflow ? `${placeText}; it does not fit the morning: ${overflow.detail}` : placeText,
      };
    },
    async giveBackStale() {
      if (stale?.attempt) await deps.sends.release(cartId, step, stale.attempt, stale.email);
    },
  };
}

/**
 * The claim an earlier attempt left: none, a stale one (its lease ran out with no answer and no SEND event from SES,
 * so nothing was accepted and its gates run again), or one that is live or ended (then this request is a duplicate).
 */
async function previousClaim(
  request: ReminderRequest,
  now: Date,
  deps: SenderDeps,
): Promise<
  { readonly outcome: 'duplicate' } | { readonly outcome: 'none' | 'stale'; readonly stale: SendRecord | undefined }
> {
  const { cartId, step } = request;
  const previous = await deps.sends.find(cartId, step);
  if (!previous) return { outcome: 'none', stale: undefined };
  const leaseUntil = previous.leaseUntil ? Date.parse(previous.leaseUntil) : undefined;
  if (previous.status !== 'claimed' || leaseUntil === undefined || leaseUntil > now.getTime()) {
    deps.log.info('reminder already claimed or ended; not sending again', {
      status: previous.status,
      leaseUntil: previous.leaseUntil,
    });
    // A live claim whose attempt died before it scheduled its lease check would stand in between for good: make
    // sure the check exists (the same name as the claimer's own, so this is a no-op when it does).
    if (previous.status === 'claimed' && leaseUntil !== undefined) {
      await deps.deferrals.defer({ cartId, step, at: new Date(leaseUntil), reason: 'lease' });
    }
    return { outcome: 'duplicate' };
  }
  return { outcome: 'stale', stale: previous };
}

/** What the gates let through: the rules in force, and where the email goes. */
interface Cleared {
  readonly rules: Rules;
  /** The shopper's local time zone. */
  readonly zone: string;
  /** The start of the do-not-disturb window the claim checks. */
  readonly quietSince: Date;
  /** The shopper's address: the claim, do-not-disturb and the log are always the shopper's. */
  readonly to: string;
  readonly testMode: boolean;
  /** Where the email goes: the shopper, or the owner in test mode. */
  readonly deliverTo: string;
}

/** The four gates, and what each of their answers other than "send" does with the reminder. */
async function passGates(run: ReminderRun): Promise<Cleared | SendResult> {
  const { cart, cartId, step, now, deps } = run;
  const rules = await deps.rules.current();
  const optOut = cart.email ? await deps.optOuts.find(cart.email, cartId) : undefined;
  const quietSince = new Date(now.getTime() - rules.doNotDisturbMinutes * 60_000);
  const nudge = cart.email ? await deps.sends.lastNudge(cart.email) : undefined;
  const lastReminderToEmailAt = nudge && nudge.cartId !== cartId && nudge.at >= quietSince ? nudge.at : undefined;
  const decision = decideSend({ cart, step, rules, now, optOut, lastReminderToEmailAt });
  // Released (or run) after the shopper touched the cart again: decided again, as the waiter would.
  if (!(decision.action === 'skip' && decision.gate === 1)) {
    const returned = await returnIfStillShopping(cart, step, now, deps);
    if (returned) {
      await run.giveBackStale();
      return returned;
    }
  }

  const lonelyFollowUp =
    decision.action === 'send' ? followUpWithoutFirst(cart, step, rules.testMode === true) : undefined;
  if (lonelyFollowUp !== undefined) {
    await run.giveBackStale();
    return run.skip('no_first_reminder', lonelyFollowUp, { gate: 3 });
  }
  const zone = localTimeZone(cart.timeZone, rules.store.timeZone);
  if (decision.action === 'defer') {
    await run.giveBackStale();
    const placed = await run.placeInRelease(decision.until, zone);
    return run.defer(
      placed.at,
      'quiet_hours',
      `${decision.detail}; ${placed.text}`,
      { gate: decision.gate, ...placed.details },
      decision.until,
    );
  }
  if (decision.action === 'skip' && decision.reason === 'paused') {
    await run.giveBackStale();
    // The owner paused after the waiter handed this reminder off (say, held overnight for quiet hours): it is held,
    // not spent, as the waiter holds one that falls due during a pause. Looked at again hourly; once the give-up
    // window has passed since the hand-off it would come too late, and it is skipped with that reason.
    // The waiter stamps the hand-off as lastReminderAt; a row without it is timed from its last change.
    const handedOffMs = Date.parse(cart.lastReminderAt ?? cart.lastChangedAt);
    const tooLateMs = handedOffMs + rules.giveUpAfterMinutes * 60_000;
    if (now.getTime() < tooLateMs) {
      const at = new Date(Math.min(now.getTime() + OWNER_PAUSE_RECHECK_MS, tooLateMs));
      return run.defer(
        at,
        'owner_paused',
        `held: ${decision.detail}; not sent and not counted, looking again at ${at.toISOString()}`,
        { gate: decision.gate },
      );
    }
    return run.skip(
      decision.reason,
      `${decision.detail}; held since the hand-off at ${new Date(handedOffMs).toISOString()}, now past the give-up ` +
        `window: too late for a reminder`,
      { gate: decision.gate },
    );
  }
  if (decision.action === 'skip') {
    await run.giveBackStale();
    // The cart joins the owner's comparison as held back from the moment its first reminder would have gone.
    // (The cart counter counts the group from that write on the row.) Not in test mode: a test reminded nobody, so
    // neither comparison group is joined.
    if (decision.reason === 'held_back' && step === 'first' && rules.testMode !== true)
      await deps.carts.recordReminder(cartId, { kind: 'held_back', at: now });
    return run.skip(decision.reason, decision.detail, { gate: decision.gate });
  }

  // Gate 1 passed, so the cart has an email; the type system cannot see through decideSend.
  const to = cart.email as string;
  // Test mode changes only where the email goes: every gate, the claim, do-not-disturb and the log stay the shopper's.
  const testMode = rules.testMode === true;
  if (testMode && !deps.email.testModeTo) {
    await run.giveBackStale();
    return run.skip(
      'test_mode_no_owner',
      'test mode is on but no owner address is configured; nothing is sent to the shopper',
      { gate: 4, test: true },
    );
  }
  const deliverTo = testMode ? (deps.email.testModeTo as string) : to;
  return { rules, zone, quietSince, to, testMode, deliverTo };
}

/** The composed email, with the polished opening line when the model gave a good one. */
interface Composed {
  readonly email: ComposedEmail;
  readonly polish: { readonly polished: boolean; readonly fallbackReason?: string };
  readonly links: ReturnType<typeof unsubscribeLinks>;
}

/** Gate 4: the email composes (else skipped), and its opening line is polished by the model or left plain. */
async function composeAndPolish(run: ReminderRun, cleared: Cleared): Promise<Composed | SendResult> {
  const { cart, cartId, step, deps } = run;
  const { rules, to, testMode } = cleared;
  const voice = await deps.voice.current();
  const links = unsubscribeLinks(deps.email.unsubscribeBaseUrl, deps.email.unsubscribeKey, cartId, to);
  try {
    const compose = (openingLine?: string) =>
      composeReminder({
        cart,
        step,
        voice,
        store: rules.store,
        unsubscribeUrl: links.pageUrl,
        openingLine,
        ...(testMode ? { testFor: to } : {}),
      });
    const plain = compose();
    const line = await polishOpening(plain.plainOpening, cart, step, rules, voice.description, deps);
    const polish = line.ok ? { polished: true } : { polished: false, fallbackReason: line.reason };
    return { email: line.ok ? compose(line.line) : plain, polish, links };
  } catch (error) {
    if (!(error instanceof ComposeError)) throw error;
    await run.giveBackStale();
    return run.skip(error.code, `cannot compose the reminder: ${error.message}`, { gate: 4 });
  }
}

/** A claim this attempt holds, and the check scheduled for its lease's end. */
interface Claim {
  readonly attempt: string;
  readonly leaseUntil: Date;
  /** Best effort: a check left in place finds the reminder settled and does nothing. */
  withdrawLeaseCheck(): Promise<void>;
}

/**
 * The claim: a lease on (cart, step) taken with the shopper's do-not-disturb window in one conditional write, then a
 * check scheduled for the lease's end, before SES is called.
 */
async function claimReminder(run: ReminderRun, cleared: Cleared): Promise<Claim | SendResult> {
  const { cartId, step, now, deps } = run;
  const { rules, to, testMode, quietSince } = cleared;
  const attempt = (deps.newAttemptId ?? randomUUID)();
  const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
  const claim = await deps.sends.claim({
    cartId,
    step,
    email: to,
    attempt,
    now,
    leaseUntil,
    quietSince,
    ...(testMode ? { testMode: true } : {}),
  });
  if (claim.outcome === 'taken') return { outcome: 'duplicate' };
  if (claim.outcome === 'do_not_disturb') {
    await run.giveBackStale();
    const minutes = Math.round((now.getTime() - claim.nudge.at.getTime()) / 60_000);
    return run.skip(
      'do_not_disturb',
      `this address got a reminder about another cart ${minutes} min ago (window ${rules.doNotDisturbMinutes} min)`,
      {
        gate: 3,
      },
    );
  }
  if (run.stale)
    await run.log(
      'retried',
      'the last attempt neither got an answer from SES nor a SEND event before its lease ran out: nothing was accepted',
      { attempt },
    );

  // Before SES: whatever happens to this invocation from here, the lease's end brings the sender back to settle it.
  try {
    await deps.deferrals.defer({ cartId, step, at: leaseUntil, reason: 'lease' });
  } catch (error) {
    await deps.sends.release(cartId, step, attempt, to);
    throw error;
  }

  const withdrawLeaseCheck = () =>
    deps.deferrals.withdraw({ cartId, step, at: leaseUntil, reason: 'lease' }).catch((error: unknown) => {
      deps.log.warn('lease check not withdrawn; it will find the reminder settled', { error: String(error) });
    });
  return { attempt, leaseUntil, withdrawLeaseCheck };
}

/** SES is asked once; an accepted email is recorded sent, a failure is classified by {@link settleFailure}. */
async function deliver(run: ReminderRun, cleared: Cleared, composed: Composed, claim: Claim): Promise<SendResult> {
  const { cart, cartId, step, now, deps } = run;
  const { rules, to, testMode, deliverTo } = cleared;
  const { email, polish, links } = composed;
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({
      to: deliverTo,
      from: fromWithStoreName(deps.email.from, rules.store.name),
      replyTo: deps.email.replyTo,
      subject: email.subject,
      html: email.html,
      text: email.text,
      // A test goes to the owner, whose mail client must not one-click unsubscribe the shopper.
      headers: testMode
        ? []
        : [
            {
              name: 'List-Unsubscribe',
              value: [
                `<${links.oneClickUrl}>`,
                ...(deps.email.unsubscribeMailto ? [`<${deps.email.unsubscribeMailto}>`] : []),
              ].join(', '),
            },
            { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
          ],
      tags: testMode ? { cart: cartId, step, test: 'yes' } : { cart: cartId, step },
    }));
  } catch (error) {
    return settleFailure(run, cleared, claim, error);
  }
  // The email is out: recorded, counted, written on the cart row and logged in one transaction.
  const acceptedAt = deps.clock.now();
  await recordAcceptedReminder(
    { cartId, step, attempt: claim.attempt, messageId, now, acceptedAt, polish, testMode, deliverTo, to, rules },
    deps,
  );
  // Settled by SES's answer: the lease's check has nothing left to do.
  await claim.withdrawLeaseCheck();
  // The chase is timed from a test send as from a real one (the waiter reads this verdict, not firstSentAt).
  if (testMode)
    await recordHandOffOutcome(
      cart,
      step,
      { outcome: 'test_sent', at: acceptedAt.toISOString(), reason: 'test' },
      deps,
    );
  return { outcome: 'sent', messageId, polished: polish.polished };
}

/**
 * SES did not accept the reminder: throttled (back into a paced release), refused for now (an hour later), the
 * sandbox (held for a day), refused (skipped), or unknown (the email may be out: settled by the SEND event or the
 * lease's check, never resent blindly).
 */
async function settleFailure(run: ReminderRun, cleared: Cleared, claim: Claim, error: unknown): Promise<SendResult> {
  const { cartId, step, now, request, deps } = run;
  const { to, zone } = cleared;
  const { attempt, leaseUntil } = claim;
  const failure =
    error instanceof MailError
      ? error
      : new MailError('unknown', error instanceof Error ? error.name : 'Error', String(error));
  // `sesError`, not `message`: the logger keeps its own `message` (this line's text) and drops a field of that name.
  deps.log.warn('SES did not accept the reminder', {
    kind: failure.kind,
    code: failure.code,
    sesError: failure.message,
  });
  // Nothing went out on a throttle or a refusal: the lease's check has nothing left to settle.
  if (failure.kind !== 'unknown') await claim.withdrawLeaseCheck();
  if (failure.kind === 'throttled') {
    await deps.sends.release(cartId, step, attempt, to);
    // Back to the tail of the release it came from (or the next minute's queue), paced like the rest: a throttled
    // send never piles into one second with the others it met.
    const releaseAt = sameMorning(request.releaseAt, now) ?? throttleQueueAt(now);
    const placed = await run.placeInRelease(releaseAt, zone);
    return run.defer(
      placed.at,
      'throttled',
      `SES is over its send rate (${failure.code}); nothing was sent, trying again ` +
        `at ${placed.at.toISOString()}, ${placed.text}`,
      { code: failure.code, ...placed.details },
      releaseAt,
    );
  }
  if (failure.kind === 'refused' && failure.retryLater && (request.retry ?? 0) < PAUSED_MAX_RETRIES) {
    await deps.sends.release(cartId, step, attempt, to);
    const at = new Date(now.getTime() + PAUSED_RETRY_MS);
    return run.defer(
      at,
      'paused',
      `SES refused for now (${failure.code}: ${failure.message}); nothing was sent, trying again in an hour`,
      { code: failure.code },
    );
  }
  if (failure.kind === 'sandbox') {
    // Nothing went out and nothing is wrong with the reminder: the account is not ready yet. Held, never refused.
    await deps.sends.release(cartId, step, attempt, to);
    if ((request.retry ?? 0) >= PAUSED_MAX_RETRIES) {
      return run.skip(
        'ses_sandbox',
        `SES still refuses to send to unverified addresses after a day of holding this reminder ` +
          `(${failure.code}: ${failure.message}); nothing was sent. Request SES production access and verify the ` +
          `sending domain (npm run doctor -- --aws)`,
        { code: failure.code },
      );
    }
    const at = new Date(now.getTime() + PAUSED_RETRY_MS);
    return run.defer(
      at,
      'sandbox',
      `held: SES is still in the sandbox or the sending address is not verified ` +
        `(${failure.code}: ${failure.message}); nothing was sent, trying again in an hour. ` +
        `Run npm run doctor -- --aws for what to do`,
      { code: failure.code },
    );
  }
  if (failure.kind === 'refused') {
    await deps.sends.refuse(cartId, step, attempt, to, failure.code);
    return run.skip(`ses_refused`, `SES refused the reminder (${failure.code}: ${failure.message}); nothing was sent`, {
      code: failure.code,
    });
  }
  // Unknown: SES may have accepted it. Never resend blindly: its SEND event marks it sent, and the lease's end
  // brings the sender back to send it again only if no SEND event came.
  await run.log(
    'unknown',
    `SES's answer was lost (${failure.code}: ${failure.message}); the email may be out: settled by SES's SEND event ` +
      `or at ${leaseUntil.toISOString()}`,
    {
      code: failure.code,
      attempt,
    },
  );
  return { outcome: 'unknown', settleAt: leaseUntil };
}

/**
 * A request that answers no live hand-off (a late duplicate of one the sender already settled, or of one it gave back
 * to the waiter) sends nothing.
 */
function leftoverRequest(
  cart: CartRow,
  step: ReminderStep,
  deps: SenderDeps,
): { readonly outcome: 'duplicate' } | undefined {
  const state = handOffState(cart, step);
  if (state === 'current') return undefined;
  deps.log.info(
    state === 'settled'
      ? 'reminder already settled for this hand-off; nothing to do'
      : 'reminder request answers no live hand-off; nothing to do',
    {
      remindersSent: cart.remindersSent,
      lastReminderAt: cart.lastReminderAt,
    },
  );
  return { outcome: 'duplicate' };
}

/**
 * SES accepted the reminder: one transaction records it sent and everything that makes true (the month's count, the
 * sent time on the cart row, the `sent` entry). If SES's SEND event recorded it first, this records nothing more; if
 * the reminder was recorded sent with another message, this email is a second copy and goes on the record as one.
 * A crash before the transaction leaves it to the SEND event (or the lease's check); after it, nothing is missing.
 */
async function recordAcceptedReminder(
  sent: {
    readonly cartId: string;
    readonly step: ReminderStep;
    readonly attempt: string;
    readonly messageId: string;
    /** The invocation's time: the send record's `sentAt` and the month it counts in. */
    readonly now: Date;
    /** When SES's answer came: the cart row's `firstSentAt`/`secondSentAt`. */
    readonly acceptedAt: Date;
    readonly polish: { readonly polished: boolean; readonly fallbackReason?: string };
    readonly testMode: boolean;
    readonly deliverTo: string;
    readonly to: string;
    readonly rules: Rules;
  },
  deps: SenderDeps,
): Promise<void> {
  const { cartId, step, messageId, polish, testMode } = sent;
  const testNote = testMode ? `, test mode: sent to the owner, ${sent.deliverTo}, instead of ${sent.to}` : '';
  const openingLine = polish.polished ? 'polished opening line' : `plain opening line: ${polish.fallbackReason}`;
  const facts = sentFacts({
    cartId,
    step,
    test: testMode,
    countAt: sent.now,
    acceptedAt: sent.acceptedAt,
    joinsHoldBack: (sent.rules.holdBackPercent ?? 0) > 0,
    entry: {
      at: sent.now,
      reason: `${step} reminder sent (${openingLine})${testNote}`,
      details: {
        step,
        messageId,
        polished: polish.polished,
        ...(testMode ? { test: true, sentTo: sent.deliverTo } : {}),
      },
    },
  });
  const written = await deps.sends.complete(
    cartId,
    step,
    sent.attempt,
    { sentAt: sent.now.toISOString(), messageId, ...polish },
    facts,
  );
  await settleSentWrite(
    written,
    { cartId, step, messageId, at: sent.acceptedAt, test: testMode, learntFrom: 'answer' },
    deps,
  );
}

/**
 * A reminder decides again when it is released: the shopper changed the cart after the waiter handed it off, so they
 * are still shopping. Nothing is sent or counted; the row says so (the waiter's next look takes the hand-off back and
 * times the reminder from the change) and the log says why.
 */
async function returnIfStillShopping(
  cart: CartRow,
  step: ReminderStep,
  now: Date,
  deps: SenderDeps,
): Promise<SendResult | undefined> {
  const changedAt = changedSinceHandOff(cart, step);
  if (changedAt === undefined) return undefined;
  await deps.activity.record({
    cartId: cart.cartId,
    at: now,
    actor: 'sender',
    action: 'returned',
    reason:
      `the shopper changed the cart at ${changedAt.toISOString()}, after the ${step} reminder was handed off ` +
      `at ${cart.lastReminderAt}: still shopping, nothing sent and not counted; ` +
      `the waiter times the reminder from the change`,
    details: { step, changedAt: changedAt.toISOString() },
  });
  await recordHandOffOutcome(
    cart,
    step,
    { outcome: 'returned', at: now.toISOString(), reason: 'still_shopping' },
    deps,
  );
  return { outcome: 'returned', changedAt };
}

/**
 * The release a throttled send re-joins: its own morning's, while that morning lasts (a reminder held for a pause or
 * the sandbox since then gets a queue of its own, not the tail of a release long drained).
 */
function sameMorning(releaseAt: string | undefined, now: Date): Date | undefined {
  const at = releaseAt === undefined ? Number.NaN : Date.parse(releaseAt);
  return Number.isFinite(at) && now.getTime() - at < RELEASE_FOLLOWS_MS ? new Date(at) : undefined;
}

/** How long after a release began a throttle still joins its tail. */
const RELEASE_FOLLOWS_MS = 12 * 60 * 60_000;

/**
 * Shoppers should see the store's name, not a bare address: `reminders@store.com` becomes
 * `"Linen & Larch" <reminders@store.com>`. An address that already has a display name is kept as configured.
 */
export function fromWithStoreName(from: string, storeName: string): string {
  if (from.includes('<')) return from;
  const name = storeName.replace(/["\\\r\n]/g, '').trim();
  return name ? `"${name}" <${from.trim()}>` : from.trim();
}

/** Exactly one model call for the opening line; any failure or any doubt about its output means the plain line. */
async function polishOpening(
  plainOpening: string,
  cart: CartRow,
  step: ReminderStep,
  rules: Rules,
  voiceDescription: string,
  deps: SenderDeps,
): Promise<{ ok: true; line: string } | { ok: false; reason: string }> {
  if (!deps.polisher) return { ok: false, reason: 'no model configured' };
  // The titles the email lists (a big cart has more): the model sees no more than the shopper does.
  const itemTitles = cart.items.slice(0, CART_BOUNDS.emailItems).map((item) => item.title);
  const prompt = buildPolishPrompt({
    plainOpening,
    voiceDescription,
    step,
    savedLink: cart.savedLink === true,
    itemTitles,
    storeName: rules.store.name,
  });
  try {
    const { text } = await deps.polisher.polish(prompt);
    return validatePolishedLine(text, { plainOpening, itemTitles });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    deps.log.warn('polish failed; using the plain line', { cartId: cart.cartId, reason });
    return { ok: false, reason: `model unavailable (${error instanceof Error ? error.name : 'error'})` };
  }
}

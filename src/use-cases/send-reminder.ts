import type { CartRow } from '../domain/cart/cart';
import { ComposeError, composeReminder, type ComposedEmail } from '../domain/email/compose';
import { decideSend } from '../domain/cart/gates';
import { buildPolishPrompt, validatePolishedLine } from '../domain/email/polish';
import type { Rules } from '../domain/owner-docs/rules';
import { unsubscribeLinks } from '../domain/unsubscribe/links';
import type { ReminderStep } from '../domain/owner-docs/voice';
import type { ActivityLog } from '../ports/activity-log';
import type { CartStore } from '../ports/cart-store';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { Mailer } from '../ports/mailer';
import type { OptOutStore } from '../ports/opt-outs';
import type { Polisher } from '../ports/polisher';
import type { SendDeferrals, SendLedger } from '../ports/send-ledger';
import type { Stats } from '../ports/stats';
import type { RulesSource, VoiceSource } from '../ports/owner-docs';

export interface SenderDeps {
  readonly carts: Pick<CartStore, 'get'>;
  readonly optOuts: OptOutStore;
  readonly sends: SendLedger;
  readonly deferrals: SendDeferrals;
  /** Absent locally and in tests of the plain path: the template's own opening line is used. */
  readonly polisher: Polisher | undefined;
  readonly mailer: Mailer;
  readonly activity: ActivityLog;
  readonly stats: Stats;
  readonly rules: RulesSource;
  readonly voice: VoiceSource;
  readonly clock: Clock;
  readonly log: Log;
  readonly email: {
    /** The sending address; shown with the store's name from the rules doc unless it already has a display name. */
    readonly from: string;
    readonly replyTo?: string;
    /** Base URL of the unsubscribe endpoint. */
    readonly unsubscribeBaseUrl: string;
    /** HMAC key for unsubscribe tokens. */
    readonly unsubscribeKey: string;
    /** Optional `mailto:` for List-Unsubscribe, for clients that do not do one-click POST. */
    readonly unsubscribeMailto?: string;
  };
}

export type SendResult =
  | { readonly outcome: 'sent'; readonly messageId: string; readonly polished: boolean }
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'deferred'; readonly until: Date }
  | { readonly outcome: 'duplicate' };

/**
 * The sender: four gates (address, quiet hours, do-not-disturb, compose), one polished line, one email per
 * (cart, step). Every outcome is written to the cart's activity log with its reason.
 */
export async function sendReminder(request: { cartId: string; step: ReminderStep }, deps: SenderDeps): Promise<SendResult> {
  const now = deps.clock.now();
  const log = (action: string, reason: string, details?: Record<string, string | number | boolean>) =>
    deps.activity.record({ cartId: request.cartId, at: now, actor: 'sender', action, reason, details: { step: request.step, ...details } });

  const cart = await deps.carts.get(request.cartId);
  if (!cart) {
    deps.log.warn('reminder for an unknown cart', request);
    return { outcome: 'skipped', reason: 'unknown_cart' };
  }
  const previous = await deps.sends.find(cart.cartId, request.step);
  if (previous) {
    deps.log.info('reminder already claimed; not sending again', { ...request, status: previous.status });
    return { outcome: 'duplicate' };
  }

  const rules = await deps.rules.current();
  const optOut = cart.email ? await deps.optOuts.find(cart.email, cart.cartId) : undefined;
  const lastReminderToEmailAt = cart.email
    ? await deps.sends.lastSentTo(cart.email, cart.cartId, new Date(now.getTime() - rules.doNotDisturbMinutes * 60_000))
    : undefined;
  const decision = decideSend({ cart, step: request.step, rules, now, optOut, lastReminderToEmailAt });

  if (decision.action === 'defer') {
    await deps.deferrals.defer({ ...request, at: decision.until });
    await deps.stats.add(now, { counter: 'deferredQuietHours' });
    await log('deferred', decision.detail, { gate: decision.gate, until: decision.until.toISOString() });
    return { outcome: 'deferred', until: decision.until };
  }
  if (decision.action === 'skip') {
    await log('skipped', decision.detail, { gate: decision.gate, skipReason: decision.reason });
    await deps.stats.add(now, { counter: 'skipped', reason: decision.reason });
    return { outcome: 'skipped', reason: decision.reason };
  }

  // Gate 1 passed, so the cart has an email; the type system cannot see through decideSend.
  const to = cart.email as string;
  const voice = await deps.voice.current();
  const links = unsubscribeLinks(deps.email.unsubscribeBaseUrl, deps.email.unsubscribeKey, cart.cartId, to);
  let email: ComposedEmail;
  let polish: { polished: boolean; fallbackReason?: string };
  try {
    const compose = (openingLine?: string) =>
      composeReminder({ cart, step: request.step, voice, store: rules.store, greeting: decision.greeting, unsubscribeUrl: links.pageUrl, openingLine });
    const plain = compose();
    const line = await polishOpening(plain.plainOpening, cart, request.step, rules, voice.description, deps);
    polish = line.ok ? { polished: true } : { polished: false, fallbackReason: line.reason };
    email = line.ok ? compose(line.line) : plain;
  } catch (error) {
    if (!(error instanceof ComposeError)) throw error;
    await log('skipped', `cannot compose the reminder: ${error.message}`, { gate: 4, skipReason: error.code });
    await deps.stats.add(now, { counter: 'skipped', reason: error.code });
    return { outcome: 'skipped', reason: error.code };
  }

  if (!(await deps.sends.claim({ cartId: cart.cartId, step: request.step, email: to, claimedAt: now.toISOString() }))) {
    return { outcome: 'duplicate' };
  }
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({
      to,
      from: fromWithStoreName(deps.email.from, rules.store.name),
      replyTo: deps.email.replyTo,
      subject: email.subject,
      html: email.html,
      text: email.text,
      headers: [
        {
          name: 'List-Unsubscribe',
          value: [`<${links.oneClickUrl}>`, ...(deps.email.unsubscribeMailto ? [`<${deps.email.unsubscribeMailto}>`] : [])].join(', '),
        },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ],
      tags: { cart: cart.cartId, step: request.step },
    }));
  } catch (error) {
    // The provider refused: nothing went out, so give the claim back and let the invocation be retried.
    await deps.sends.release(cart.cartId, request.step);
    throw error;
  }
  // From here the email is out. If we die before this write, the claim stays without a message id and no retry
  // sends it again: a missing record is better than a second email.
  await deps.sends.complete(cart.cartId, request.step, { sentAt: now.toISOString(), messageId, ...polish });
  await deps.stats.add(now, { counter: request.step === 'first' ? 'remindersFirst' : 'remindersSecond' });
  await log(
    'sent',
    `${request.step} reminder sent (${polish.polished ? 'polished opening line' : `plain opening line: ${polish.fallbackReason}`})`,
    { messageId, polished: polish.polished },
  );
  return { outcome: 'sent', messageId, polished: polish.polished };
}

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
  const itemTitles = cart.items.map((item) => item.title);
  const prompt = buildPolishPrompt({ plainOpening, voiceDescription, step, savedLink: cart.savedLink === true, itemTitles, storeName: rules.store.name });
  try {
    const { text } = await deps.polisher.polish(prompt);
    return validatePolishedLine(text, { plainOpening, itemTitles });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    deps.log.warn('polish failed; using the plain line', { cartId: cart.cartId, reason });
    return { ok: false, reason: `model unavailable (${error instanceof Error ? error.name : 'error'})` };
  }
}

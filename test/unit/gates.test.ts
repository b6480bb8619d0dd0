import { describe, expect, it } from 'vitest';
import type { CartRow } from '../../src/domain/cart/cart';
import { decideSend, type GateDecision, type GateInput } from '../../src/domain/cart/gates';
import { greetingFor } from '../../src/domain/email/greeting';
import { DEFAULT_RULES, type Rules } from '../../src/domain/owner-docs/rules';

const DAY_MS = 24 * 60 * 60_000;
/** 12:00 in Chicago (CDT, UTC-5): outside quiet hours. */
const NOON_CHICAGO = new Date('2026-06-10T17:00:00Z');
/** 23:00 in Chicago: inside quiet hours. */
const NIGHT_CHICAGO = new Date('2026-06-11T04:00:00Z');

const CART: CartRow = {
  cartId: 'cart-1',
  source: 'generic',
  email: 'sam@example.com',
  firstName: 'Sam',
  items: [{ title: 'Linen shirt', quantity: 1, unitPrice: 6000 }],
  total: { minor: 6000, currency: 'USD' },
  returnUrl: 'https://shop.example/cart/cart-1',
  timeZone: 'America/Chicago',
  status: 'open',
  eventKey: '2026-06-10T12:00:00.000Z#evt-1',
  firstSeenAt: '2026-06-10T12:00:00.000Z',
  lastChangedAt: '2026-06-10T12:00:00.000Z',
  remindersSent: 0,
  expiresAt: 1_800_000_000,
};

const RULES: Rules = { ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, timeZone: 'America/New_York' } };

function input(overrides: {
  cart?: Partial<CartRow>;
  rules?: Partial<Rules>;
  now?: Date;
  optOut?: GateInput['optOut'];
  lastReminderToEmailAt?: Date;
}): GateInput {
  return {
    cart: { ...CART, ...overrides.cart },
    step: 'first',
    rules: { ...RULES, ...overrides.rules },
    now: overrides.now ?? NOON_CHICAGO,
    optOut: overrides.optOut,
    lastReminderToEmailAt: overrides.lastReminderToEmailAt,
  };
}

/**
 * The parts of a decision a table row states: action, gate and reason. A deferral states when quiet
 * hours end: the release its reminder joins (the place in it is the sender's, test/unit/release.test.ts).
 */
function summary(decision: GateDecision): string {
  switch (decision.action) {
    case 'send':
      return 'send';
    case 'defer':
      return `defer gate ${decision.gate}: ${decision.until.toISOString()}`;
    case 'skip':
      return `skip gate ${decision.gate}: ${decision.reason}`;
  }
}

const stop = (target: string, reason: string, line?: number) => ({ target, reason, line });

describe('decideSend: each gate', () => {
  it.each<[string, GateInput, string]>([
    // Gate 1: an address, and a cart that is still open.
    ['passes a cart with an address', input({}), 'send'],
    ['skips a cart with no email', input({ cart: { email: undefined } }), 'skip gate 1: no_address'],
    ['skips a blank email', input({ cart: { email: '   ' } }), 'skip gate 1: no_address'],
    ['skips an email that is not an address', input({ cart: { email: 'sam at example' } }), 'skip gate 1: no_address'],
    ['skips a checked-out cart', input({ cart: { status: 'checked_out' } }), 'skip gate 1: checked_out'],
    [
      'skips a stopped cart',
      input({ cart: { status: 'stopped', stopReason: 'bought via another cart' } }),
      'skip gate 1: not_open',
    ],
    ['skips a given-up cart', input({ cart: { status: 'given_up' } }), 'skip gate 1: not_open'],
    // Gate 2: quiet hours in the shopper's zone, else the store's.
    [
      'defers at 23:00 shopper time to 08:00 shopper time',
      input({ now: NIGHT_CHICAGO }),
      'defer gate 2: 2026-06-11T13:00:00.000Z',
    ],
    [
      "uses the store's zone when the shopper's is unknown",
      input({ cart: { timeZone: undefined }, now: NIGHT_CHICAGO }),
      'defer gate 2: 2026-06-11T12:00:00.000Z',
    ],
    [
      "uses the store's zone when the shopper's is not IANA",
      input({ cart: { timeZone: 'Central Time' }, now: NIGHT_CHICAGO }),
      'defer gate 2: 2026-06-11T12:00:00.000Z',
    ],
    [
      "sends at 20:30 shopper time although it's 21:30 at the store",
      input({ now: new Date('2026-06-11T01:30:00Z') }),
      'send',
    ],
    [
      'sends at any hour when quiet hours are off',
      input({ now: NIGHT_CHICAGO, rules: { quietHours: { start: '00:00', end: '00:00' } } }),
      'send',
    ],
    // Gate 3: do not disturb.
    ['skips a shopper who left all reminders', input({ optOut: 'all' }), 'skip gate 3: unsubscribed'],
    ["skips a shopper who left this cart's reminders", input({ optOut: 'cart' }), 'skip gate 3: unsubscribed'],
    [
      'skips a cart the owner stopped',
      input({ rules: { stoppedCarts: [stop('cart-1', 'called the shop')] } }),
      'skip gate 3: owner_stopped_cart',
    ],
    ['ignores a stop for another cart', input({ rules: { stoppedCarts: [stop('cart-2', 'other')] } }), 'send'],
    [
      'skips a shopper the owner stopped, whatever the case of the address',
      input({ rules: { stoppedEmails: [stop(' SAM@Example.com ', 'asked by phone')] } }),
      'skip gate 3: owner_stopped_shopper',
    ],
    ['skips everything while paused', input({ rules: { pause: stop('', 'stock-take') } }), 'skip gate 3: paused'],
    [
      'skips a shopper who declined marketing when consent is required',
      input({ cart: { marketingConsent: false }, rules: { requireMarketingConsent: true } }),
      'skip gate 3: no_consent',
    ],
    [
      'sends when consent is required but unknown',
      input({ cart: { marketingConsent: undefined }, rules: { requireMarketingConsent: true } }),
      'send',
    ],
    ['sends to a decliner when consent is not required', input({ cart: { marketingConsent: false } }), 'send'],
    [
      'skips unknown consent when the rules send only with consent',
      input({ cart: { marketingConsent: undefined }, rules: { sendOnlyWithConsent: true } }),
      'skip gate 3: no_consent',
    ],
    [
      'skips a decliner when the rules send only with consent',
      input({ cart: { marketingConsent: false }, rules: { sendOnlyWithConsent: true } }),
      'skip gate 3: no_consent',
    ],
    [
      'sends to a shopper who agreed when the rules send only with consent',
      input({ cart: { marketingConsent: true }, rules: { sendOnlyWithConsent: true } }),
      'send',
    ],
    [
      "reads rules stored before the consent-only setting existed as today's default",
      input({ cart: { marketingConsent: undefined }, rules: { sendOnlyWithConsent: undefined as unknown as boolean } }),
      'send',
    ],
    [
      'skips an address reminded a day ago (3-day window)',
      input({ lastReminderToEmailAt: new Date(NOON_CHICAGO.getTime() - DAY_MS) }),
      'skip gate 3: do_not_disturb',
    ],
    [
      'sends once the window has fully passed',
      input({ lastReminderToEmailAt: new Date(NOON_CHICAGO.getTime() - 3 * DAY_MS) }),
      'send',
    ],
    [
      'treats a reminder stamped in the future as recent',
      input({ lastReminderToEmailAt: new Date(NOON_CHICAGO.getTime() + 60_000) }),
      'skip gate 3: do_not_disturb',
    ],
    [
      'sends when the do-not-disturb window is zero',
      input({ lastReminderToEmailAt: NOON_CHICAGO, rules: { doNotDisturbMinutes: 0 } }),
      'send',
    ],
    // Gate 4: compose (the greeting is compose's, in the voice's words: greetingFor below and
    // test/unit/compose.test.ts).
    ['sends to a cart with a padded first name (compose trims it)', input({ cart: { firstName: '  Sam ' } }), 'send'],
    ['sends to a nameless cart (greeted without a name by compose)', input({ cart: { firstName: undefined } }), 'send'],
  ])('%s', (_label, gateInput, expected) => {
    expect(summary(decideSend(gateInput))).toBe(expected);
  });
});

describe('decideSend: order of gates (the first failing gate decides)', () => {
  const everythingWrong = {
    optOut: 'all' as const,
    rules: { pause: stop('', 'holiday'), stoppedCarts: [stop('cart-1', 'no')], requireMarketingConsent: true },
    lastReminderToEmailAt: NOON_CHICAGO,
  };

  it.each<[string, GateInput, string]>([
    [
      'no address beats everything',
      input({ ...everythingWrong, cart: { email: undefined, status: 'checked_out' }, now: NIGHT_CHICAGO }),
      'skip gate 1: no_address',
    ],
    [
      'a checked-out cart is skipped at night, never deferred',
      input({ ...everythingWrong, cart: { status: 'checked_out' }, now: NIGHT_CHICAGO }),
      'skip gate 1: checked_out',
    ],
    [
      'quiet hours come before do-not-disturb',
      input({ ...everythingWrong, now: NIGHT_CHICAGO }),
      'defer gate 2: 2026-06-11T13:00:00.000Z',
    ],
    ['the shopper opt-out comes first in gate 3', input(everythingWrong), 'skip gate 3: unsubscribed'],
    [
      "the owner's cart stop comes before the shopper stop",
      input({ rules: { ...everythingWrong.rules, stoppedEmails: [stop('sam@example.com', 'x')] } }),
      'skip gate 3: owner_stopped_cart',
    ],
    [
      "the owner's shopper stop comes before the pause",
      input({ rules: { pause: stop('', 'holiday'), stoppedEmails: [stop('sam@example.com', 'x')] } }),
      'skip gate 3: owner_stopped_shopper',
    ],
    [
      'the pause comes before consent',
      input({
        cart: { marketingConsent: false },
        rules: { pause: stop('', 'holiday'), requireMarketingConsent: true },
      }),
      'skip gate 3: paused',
    ],
    [
      'consent comes before the frequency cap',
      input({
        cart: { marketingConsent: false },
        rules: { requireMarketingConsent: true },
        lastReminderToEmailAt: NOON_CHICAGO,
      }),
      'skip gate 3: no_consent',
    ],
  ])('%s', (_label, gateInput, expected) => {
    expect(summary(decideSend(gateInput))).toBe(expected);
  });
});

describe('decideSend: details for the log', () => {
  it('names the window, the zone and the local time of a deferral', () => {
    const decision = decideSend(input({ now: NIGHT_CHICAGO }));
    expect(decision.action).toBe('defer');
    if (decision.action !== 'defer') return;
    expect(decision.detail).toContain('quiet hours 21:00-08:00 in America/Chicago');
    expect(decision.detail).toContain("shopper's zone");
    expect(decision.detail).toContain('deferred to 08:00 local');
  });

  it("says when the store's zone was used", () => {
    const decision = decideSend(input({ cart: { timeZone: undefined }, now: NIGHT_CHICAGO }));
    expect(decision.action === 'defer' && decision.detail).toContain("in America/New_York (store's zone)");
  });

  it("carries the owner's reason and rules-doc line for owner stops", () => {
    const decision = decideSend(input({ rules: { stoppedCarts: [stop('cart-1', 'customer called to cancel', 12)] } }));
    expect(decision).toMatchObject({
      action: 'skip',
      reason: 'owner_stopped_cart',
      ownerReason: 'customer called to cancel',
    });
    expect(decision.action === 'skip' && decision.detail).toBe(
      'owner stopped this cart (rules doc line 12): customer called to cancel',
    );
  });

  it("carries the owner's reason for the pause", () => {
    expect(decideSend(input({ rules: { pause: stop('', 'away until Monday') } }))).toMatchObject({
      reason: 'paused',
      ownerReason: 'away until Monday',
    });
  });

  it('says why a closed cart is closed', () => {
    const decision = decideSend(input({ cart: { status: 'stopped', stopReason: 'shopper unsubscribed' } }));
    expect(decision.action === 'skip' && decision.detail).toBe(
      'cart is stopped (shopper unsubscribed); the chase is over',
    );
  });

  it('has no owner reason on shopper-side skips', () => {
    expect(decideSend(input({ optOut: 'cart' }))).not.toHaveProperty('ownerReason');
  });
});

describe('greetingFor', () => {
  it.each([
    ['Sam', 'Hi Sam'],
    ['  Mary   Ann ', 'Hi Mary Ann'],
    ['José', 'Hi José'],
    [undefined, 'Hi there'],
    ['', 'Hi there'],
    ['sam@example.com', 'Hi there'],
    ['Customer 123', 'Hi there'],
    ['<b>Sam</b>', 'Hi there'],
    ['A'.repeat(41), 'Hi there'],
  ])('%s -> %s', (firstName, expected) => {
    expect(greetingFor(firstName)).toBe(expected);
  });
});

describe("the owner's hold-back (gate 3, last)", () => {
  const ids = Array.from({ length: 400 }, (_, i) => `hb-${i}`);
  const held = (
    cartId: string,
    rules: Partial<Rules>,
    extra: Partial<CartRow> = {},
    step: 'first' | 'second' = 'first',
  ) => decideSend({ ...input({ cart: { cartId, ...extra }, rules }), step });

  it('skips the chosen share of carts that would otherwise be reminded, with the reason, and nobody when off', () => {
    const skipped = ids.filter((id) => held(id, { holdBackPercent: 10 }).action === 'skip');
    expect(skipped.length).toBeGreaterThan(20);
    expect(skipped.length).toBeLessThan(60);
    const decision = held(skipped[0]!, { holdBackPercent: 10 });
    expect(decision).toMatchObject({ action: 'skip', gate: 3, reason: 'held_back' });
    expect(decision.action === 'skip' && decision.detail).toMatch(
      /held back for the owner's comparison \(Hold back: 10% of carts\)/,
    );
    expect(ids.filter((id) => held(id, { holdBackPercent: 0 }).action === 'skip')).toEqual([]);
    expect(ids.filter((id) => held(id, {}).action === 'skip')).toEqual([]);
  });

  it('comes after every other check: quiet hours defer, an unsubscribe is still an unsubscribe', () => {
    const id = ids.find((i) => held(i, { holdBackPercent: 10 }).action === 'skip')!;
    expect(
      decideSend({ ...input({ cart: { cartId: id }, rules: { holdBackPercent: 10 }, now: NIGHT_CHICAGO }) }).action,
    ).toBe('defer');
    expect(
      decideSend({ ...input({ cart: { cartId: id }, rules: { holdBackPercent: 10 }, optOut: 'all' }) }),
    ).toMatchObject({ reason: 'unsubscribed' });
  });

  it('keeps a held-back cart held back for its second reminder, even once the hold-back is off', () => {
    const id = 'any-cart';
    expect(held(id, {}, { holdBack: { group: 'held_back', at: CART.lastChangedAt } }, 'second')).toMatchObject({
      reason: 'held_back',
    });
    expect(
      held(id, { holdBackPercent: 50 }, { holdBack: { group: 'reminded', at: CART.lastChangedAt } }, 'second').action,
    ).toBe('send');
  });
});

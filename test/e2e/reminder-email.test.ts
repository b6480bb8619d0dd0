import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import type { LocalSystem } from '../../src/local/system';
import { cartPayload } from '../support/webhooks';
import { postCartEvent, startTestSystem } from '../support/local-system';

describe('reminders in the local outbox', () => {
  let system: LocalSystem;

  beforeAll(async () => {
    // Frozen at 15:00 in New York (the example rules doc's store zone) on a Monday.
    system = await startTestSystem('e2e-mail-');
  });
  afterAll(() => system.stop());

  const now = () => system.clock.now().toISOString();
  const post = (payload: object) => postCartEvent(system, payload);
  const emailsFor = (cartId: string) => listOutbox(system.outboxDir).filter((entry) => entry.tags.cart === cartId);

  it(
    'sends the seed cart a first reminder an hour later with items, ' + 'total, return link and a working unsubscribe',
    async () => {
      const start = system.clock.now().getTime();
      await post(cartPayload({ id: 'seed-mail' }, now()));

      await system.advance(59 * 60_000);
      expect(emailsFor('seed-mail')).toEqual([]);
      await system.advance(60_000);

      const [email] = emailsFor('seed-mail');
      expect(email).toBeDefined();
      if (!email) return;
      expect(Date.parse(email.sentAt) - start).toBe(3_600_000);
      expect(email.to).toBe('sam@example.com');
      expect(email.subject).toBe('Still thinking it over?');
      for (const part of [email.text, email.html]) {
        expect(part).toContain('Linen shirt');
        expect(part).toContain('Candle');
        expect(part).toContain('Tote');
        expect(part).toContain('$120.00');
        expect(part).toContain('https://shop.example.com/cart/cart-seed-120');
      }
      expect(email.text).toMatch(/^Hi Sam,/);
      const listUnsubscribe = email.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
      expect(email.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
      const oneClick = /^<(http[^>]+)>/.exec(listUnsubscribe)?.[1] ?? '';
      expect(oneClick.startsWith(`${system.url}/u/`)).toBe(true);
      expect(readFileSync(join(system.outboxDir, `${email.name}.html`), 'utf8')).toContain('<table');

      // A mail scanner fetching the link changes nothing.
      expect((await fetch(oneClick)).status).toBe(200);
      expect((await (await fetch(`${system.url}/_local/carts/seed-mail`)).json()) as object).toMatchObject({
        status: 'open',
      });

      // The mail client's one-click POST unsubscribes at once.
      const unsubscribed = await fetch(oneClick, {
        method: 'POST',
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(unsubscribed.status).toBe(200);
      expect((await (await fetch(`${system.url}/_local/carts/seed-mail`)).json()) as object).toMatchObject({
        status: 'stopped',
      });

      await system.advance(3 * 24 * 3_600_000);
      expect(emailsFor('seed-mail')).toHaveLength(1);
    },
  );

  it('holds the reminder of a cart left at 11pm store time until 8am', async () => {
    // A big cart left at 23:00 New York time is due at midnight, inside quiet hours (21:00-08:00).
    const local = DateTime.fromJSDate(system.clock.now(), { zone: 'America/New_York' });
    const elevenPm = local.plus({ days: 1 }).set({ hour: 23, minute: 0, second: 0, millisecond: 0 });
    await system.advance(elevenPm.toMillis() - system.clock.now().getTime());
    await post(cartPayload({ id: 'night-cart', email: 'night@example.com' }, now()));

    await system.advance(12 * 3_600_000);

    const dueAt = elevenPm.plus({ hours: 1 }).toUTC().toISO();
    // Quiet hours end at 8:00; the only reminder held for this morning has the release's first place: 08:00 sharp.
    const eightAm = elevenPm.plus({ days: 1 }).set({ hour: 8 }).toUTC();
    const sentAt = eightAm.toISO();
    const [email] = emailsFor('night-cart');
    expect(email?.sentAt).toBe(sentAt);
    const activity = (await (await fetch(`${system.url}/_local/carts/night-cart/activity`)).json()) as Array<{
      action: string;
      at: string;
    }>;
    expect(activity.map((entry) => [entry.action, entry.at])).toEqual(
      expect.arrayContaining([
        ['first_reminder', dueAt],
        ['deferred', dueAt],
        ['sent', sentAt],
      ]),
    );
  });
});

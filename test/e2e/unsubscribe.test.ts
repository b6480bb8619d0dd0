/**
 * Unsubscribing on the whole local system (the production handlers over HTTP, DynamoDB Local, the test clock):
 * one-click POSTs in every shape mail receivers send (multipart is handed to the handler base64-encoded, as a
 * Function URL does), then the follow-up never goes out; a cart whose address changed after the reminder; and the
 * footer link's page in a real browser (Debian's chromium through puppeteer-core), at phone width.
 *
 * The browser is not optional: without chromium this file fails, it does not skip (.ci/run installs it; set
 * CHROMIUM_PATH for another binary). UPDATE_DOC_IMAGES=1 also writes the phone-width screenshot to docs/images/.
 */
import { existsSync, writeFileSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import type { LocalSystem } from '../../src/local/system';
import { postCartEvent, startTestSystem } from '../support/local-system';
import { ONE_CLICK_BODIES } from '../support/one-click-bodies';
import { cartPayload } from '../support/webhooks';

const HOUR = 3_600_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };

describe('unsubscribing on the local system', () => {
  let system: LocalSystem;

  beforeAll(async () => {
    system = await startTestSystem('e2e-unsub-');
  });
  afterAll(() => system.stop());

  const now = () => system.clock.now().toISOString();
  const emailsFor = (cartId: string) =>
    listOutbox(system.outboxDir)
      .filter((entry) => entry.tags.cart === cartId)
      .sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  const cart = async (cartId: string) =>
    (await (await fetch(`${system.url}/_local/carts/${cartId}`)).json()) as Record<string, unknown>;
  const activity = async (cartId: string) =>
    (
      (await (await fetch(`${system.url}/_local/carts/${cartId}/activity`)).json()) as Array<{
        action: string;
        reason: string;
      }>
    ).map((entry) => entry.action);
  const oneClickUrlOf = (cartId: string) =>
    /^<(http[^>]+)>/.exec(emailsFor(cartId)[0]?.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '')?.[1] ??
    '';
  const footerUrlOf = (cartId: string) =>
    new RegExp(`${system.url}/u/v2\\.[\\w-]+`).exec(emailsFor(cartId)[0]?.text ?? '')?.[0] ?? '';

  it('stops the follow-up on a one-click in every shape mail receivers send, multipart delivered base64', async () => {
    // Each shape from test/support/one-click-bodies.ts, sent byte for byte, and Node's own FormData encoder.
    const senders: Array<[string, (url: string) => Promise<Response>]> = [
      ...ONE_CLICK_BODIES.map((shape): [string, (url: string) => Promise<Response>] => [
        shape.name,
        (url) => fetch(url, { method: 'POST', body: shape.body, headers: { 'content-type': shape.contentType } }),
      ]),
      [
        'FormData (undici)',
        (url) => {
          const form = new FormData();
          form.set('List-Unsubscribe', 'One-Click');
          return fetch(url, { method: 'POST', body: form });
        },
      ],
    ];
    const cartIds = senders.map((_, index) => `shape-${index}`);
    for (const cartId of cartIds)
      await postCartEvent(system, cartPayload({ id: cartId, email: `${cartId}@example.com` }, now()));
    await system.advance(HOUR);
    for (const cartId of cartIds) expect(emailsFor(cartId), cartId).toHaveLength(1);

    for (const [index, [name, send]] of senders.entries()) {
      const response = await send(oneClickUrlOf(cartIds[index]!));
      expect(response.status, name).toBe(200);
      expect(await cart(cartIds[index]!), name).toMatchObject({ status: 'stopped' });
    }
    await system.advance(2 * 24 * HOUR); // past the follow-ups' time (T+21h)
    expect(cartIds.map((cartId) => emailsFor(cartId).length)).toEqual(cartIds.map(() => 1));
  });

  it(
    "opts out the address the reminder went to when the cart's address changed since; " + 'the new address did not ask',
    async () => {
      await postCartEvent(system, cartPayload({ id: 'moved-cart', email: 'd1@example.com' }, now()));
      await system.advance(HOUR);
      expect(emailsFor('moved-cart').map((email) => email.to)).toEqual(['d1@example.com']);
      await postCartEvent(system, cartPayload({ id: 'moved-cart', email: 'd2@example.com' }, now()));

      const form = new FormData();
      form.set('List-Unsubscribe', 'One-Click');
      expect((await fetch(oneClickUrlOf('moved-cart'), { method: 'POST', body: form })).status).toBe(200);
      // d1 opted out of everything: a new cart of d1's is never reminded.
      await postCartEvent(system, cartPayload({ id: 'd1-later', email: 'd1@example.com' }, now()));
      await system.advance(2 * 24 * HOUR);

      expect(emailsFor('moved-cart').map((email) => email.to)).toEqual(['d1@example.com', 'd2@example.com']);
      expect(emailsFor('d1-later')).toEqual([]);
    },
  );

  describe('the footer link in a real browser', () => {
    let browser: Browser;

    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) {
        throw new Error(
          `No chromium at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`,
        );
      }
      // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
        timeout: 300_000,
      });
    });
    afterAll(() => browser?.close());

    it(
      'changes nothing on a page load (a mail scanner), ' + "stops the reminders on a person's click, and fits a phone",
      async () => {
        await postCartEvent(system, cartPayload({ id: 'browser-cart', email: 'browser@example.com' }, now()));
        await system.advance(HOUR);
        const footerUrl = footerUrlOf('browser-cart');
        expect(footerUrl).not.toBe('');

        const page = await browser.newPage();
        // Generous waits: a busy machine may take long to render; the test is about what happens, not how fast.
        page.setDefaultTimeout(300_000);
        await page.setViewport({ ...PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

        // A mail scanner: loads the page (and its every resource) and leaves.
        const loaded = await page.goto(footerUrl, { waitUntil: 'load' });
        expect(loaded?.status()).toBe(200);
        expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('Stop cart reminders from Linen & Larch?');
        expect(await cart('browser-cart')).toMatchObject({ status: 'open' });
        expect(await activity('browser-cart')).not.toContain('unsubscribed');

        // It reads well at phone width: nothing wider than the screen, buttons big enough to tap.
        const layout = {
          scrollWidth: await page.$eval('html', (html) => html.scrollWidth),
          buttons: await page.$$eval('button', (buttons) =>
            buttons.map((button) => {
              const box = button.getBoundingClientRect();
              return { text: button.textContent, left: box.left, right: box.right, height: box.height };
            }),
          ),
        };
        expect(layout.scrollWidth).toBeLessThanOrEqual(PHONE.width);
        expect(layout.buttons.map((button) => button.text)).toEqual([
          'Stop reminders about this cart',
          'Stop all cart reminders',
        ]);
        for (const button of layout.buttons) {
          expect(button.left).toBeGreaterThanOrEqual(0);
          expect(button.right).toBeLessThanOrEqual(PHONE.width);
          expect(button.height).toBeGreaterThanOrEqual(44);
        }
        const screenshot = await page.screenshot({ type: 'png', fullPage: true });
        expect(Buffer.from(screenshot).subarray(1, 4).toString()).toBe('PNG');
        if (process.env.UPDATE_DOC_IMAGES === '1')
          writeFileSync(new URL('../../docs/images/unsubscribe-page.png', import.meta.url), screenshot);

        // A person: taps "Stop all cart reminders".
        const [response] = await Promise.all([
          page.waitForNavigation({ waitUntil: 'load' }),
          page.click('::-p-text(Stop all cart reminders)'),
        ]);
        expect(response?.status()).toBe(200);
        expect(await page.$eval('h1', (h1) => h1.textContent)).toBe('Done.');
        expect(await page.$eval('p', (p) => p.textContent)).toContain("You won't get any more cart reminders");
        await page.close();

        expect(await cart('browser-cart')).toMatchObject({ status: 'stopped' });
        expect(await activity('browser-cart')).toContain('unsubscribed');
        await system.advance(2 * 24 * HOUR);
        expect(emailsFor('browser-cart')).toHaveLength(1);
      },
    );
  });
});

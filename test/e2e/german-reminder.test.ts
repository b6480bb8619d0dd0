/**
 * A German store on the whole local system (issue 16): a EUR cart reminded in the voice doc's own fixed words, with
 * money written the German way ("120,00 €"), and the email shown in a real browser at phone width (Debian's chromium
 * through puppeteer-core, as test/e2e/unsubscribe.test.ts). UPDATE_DOC_IMAGES=1 also writes the screenshot to
 * docs/images/german-reminder.png.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/adapters/local/outbox-mailer';
import type { LocalSystem } from '../../src/local/system';
import { postCartEvent, startTestSystem } from '../support/local-system';
import { cartPayload } from '../support/webhooks';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };

/** A store in Hamburg, its address over three lines. The frozen clock's 20:00 UTC is 21:00 there. */
const GERMAN_RULES = [
  '# Regeln',
  'Store name: Leinen & Lärche',
  'Postal address: Hafenstraße 12',
  '20457 Hamburg',
  'Deutschland',
  '',
  'Time zone: Europe/Berlin',
  'Currency: EUR',
  'Big cart threshold: €100',
  'Quiet hours: 11pm to 7am',
  'Send only with consent: no',
].join('\n');

describe('a German store on the local system', () => {
  let system: LocalSystem;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-german-'));
    const rules = join(dir, 'rules.md');
    writeFileSync(rules, GERMAN_RULES);
    system = await startTestSystem('e2e-german-', {
      docs: { rules, voice: new URL('../../docs/examples/voice-doc-de.md', import.meta.url).pathname },
    });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
      timeout: 300_000,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await system.stop();
  });

  it('reminds a EUR cart with "120,00 €" and the voice doc\'s own fixed words', async () => {
    const cart = cartPayload(
      { id: 'berlin-120', currency: 'EUR', email: 'jonas@example.de', firstName: 'Jonas' },
      system.clock.now().toISOString(),
    );
    await postCartEvent(system, cart);
    await system.advance(60 * 60_000);

    const [email] = listOutbox(system.outboxDir).filter((entry) => entry.tags.cart === 'berlin-120');
    expect(email?.to).toBe('jonas@example.de');
    expect(email?.subject).toBe('Noch am Überlegen?');
    const text = email?.text ?? '';
    expect(text).toMatch(/^Hallo Jonas,\n/);
    expect(text).toContain(
      'Noch am Überlegen? Ihr Warenkorb ist noch da: Linen shirt, Candle ×2 und Tote, zusammen 120,00 €.',
    );
    expect(text).toContain(
      'Ihr Warenkorb:\n- Linen shirt: 60,00\u00a0€\n- Candle ×2: 40,00\u00a0€\n' +
        '- Tote: 20,00\u00a0€\nSumme: 120,00\u00a0€',
    );
    expect(text).toContain(
      '--\nLeinen & Lärche\nHafenstraße 12\n20457 Hamburg\nDeutschland\n' +
        'Sie erhalten diese E-Mail, weil Sie bei Leinen & Lärche Artikel im Warenkorb gelassen haben.\nAbmelden: ',
    );

    // What the shopper sees: the HTML part in a browser at phone width.
    const html = readFileSync(join(system.outboxDir, `${email?.name ?? ''}.html`), 'utf8');
    const page = await (browser as Browser).newPage();
    await page.setViewport({ ...PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.setContent(html, { waitUntil: 'load' });
    // innerText, not textContent (textContent includes hidden text):
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered, what the shopper reads
    const seen = await page.$eval('body', (body) => (body as unknown as { innerText: string }).innerText);
    for (const words of [
      'Hallo Jonas,',
      'Menge: 2',
      'Summe',
      '120,00\u00a0€',
      'Zurück zum Warenkorb',
      'Hafenstraße 12',
      '20457 Hamburg',
      'Keine Erinnerungen mehr? Abmelden',
    ]) {
      expect(seen).toContain(words);
    }
    for (const english of ['Quantity', 'Total', 'Unsubscribe', '$']) expect(seen).not.toContain(english);
    expect(await page.$eval('html', (root) => root.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const screenshot = await page.screenshot({ type: 'png', fullPage: true });
    expect(Buffer.from(screenshot).subarray(1, 4).toString()).toBe('PNG');
    if (process.env.UPDATE_DOC_IMAGES === '1')
      writeFileSync(new URL('../../docs/images/german-reminder.png', import.meta.url), screenshot);
  });
});

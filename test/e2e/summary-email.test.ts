/**
 * The owner's monthly summary email, rendered in a real browser (Debian's chromium through puppeteer-core) at phone
 * width: nothing wider than the screen, every figure readable. UPDATE_DOC_IMAGES=1 also writes the screenshot to
 * docs/images/monthly-summary.png.
 */
import { existsSync, writeFileSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { composeSummary, EMPTY_COUNTERS } from '../../src/domain/reporting/summary';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };

/** A 3,000-cart store month with a 10% hold-back, and the month before without one. */
const NOVEMBER = {
  ...EMPTY_COUNTERS,
  cartsSeen: 3_000,
  cartsWithAddress: 1_350,
  leftBehind: 1_120,
  remindersFirst: 980,
  remindersSecond: 610,
  recovered: 118,
  wonBack: { USD: 1_180_000, EUR: 31_200 },
  optOuts: 14,
  deferredQuietHours: 212,
  skipped: { do_not_disturb: 61, no_consent: 23, held_back: 171, checked_out: 37 },
  heldBack: 108,
  heldBackReturned: 6,
  holdBackReminded: 980,
  holdBackRemindedReturned: 127,
};
const OCTOBER = {
  ...EMPTY_COUNTERS,
  cartsSeen: 2_710,
  cartsWithAddress: 1_190,
  leftBehind: 1_010,
  remindersFirst: 985,
  remindersSecond: 640,
  recovered: 121,
  wonBack: { USD: 1_204_500 },
  optOuts: 11,
  deferredQuietHours: 190,
  skipped: { do_not_disturb: 58, no_consent: 19, checked_out: 40 },
};

describe.skipIf(!existsSync(CHROMIUM))('the monthly summary email at phone width', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  });
  afterAll(() => browser?.close());

  it('fits a 390 px screen and shows every figure, the comparison and the rules', async () => {
    const rules = { ...DEFAULT_RULES, store: { ...DEFAULT_RULES.store, name: 'Linen & Larch' }, holdBackPercent: 10 };
    const { html } = composeSummary({ month: '2026-11', counters: NOVEMBER, previous: OCTOBER, rules });
    const page = await browser.newPage();
    page.setDefaultTimeout(300_000);
    await page.setViewport({ ...PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.setContent(html, { waitUntil: 'load' });

    const width = PHONE.width;
    const layout = {
      scrollWidth: await page.$eval('html', (html) => html.scrollWidth),
      text: await page.$eval('body', (body) => body.textContent ?? ''),
      // Any cell or paragraph poking out of the screen on the right.
      overflowing: await page.$$eval(
        'td, p, h1, h2',
        (elements, limit) => elements.filter((el) => el.getBoundingClientRect().right > limit + 0.5).length,
        width,
      ),
    };
    expect(layout.scrollWidth).toBeLessThanOrEqual(PHONE.width);
    expect(layout.overflowing).toBe(0);
    expect(layout.text).toContain('Carts left behind (unbought when the first reminder was due)');
    expect(layout.text).toContain('$11,800.00');
    expect(layout.text).toContain('€312.00');
    expect(layout.text).toContain('What the reminders added');
    expect(layout.text).toContain("Newcombe's hybrid score interval");

    const screenshot = await page.screenshot({ type: 'png', fullPage: true });
    expect(Buffer.from(screenshot).subarray(1, 4).toString()).toBe('PNG');
    if (process.env.UPDATE_DOC_IMAGES === '1')
      writeFileSync(new URL('../../docs/images/monthly-summary.png', import.meta.url), screenshot);
    await page.close();
  });
});

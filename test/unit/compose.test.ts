import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CartItem } from '../../src/domain/cart/cart';
import { ComposeError, composeReminder, safeHttpUrl, type ComposeInput } from '../../src/domain/email/compose';
import { escapeHtml } from '../../src/domain/email/html';
import { fillTemplate, itemsSummary, TemplateError, templateValues } from '../../src/domain/email/template';
import { greetingFor } from '../../src/domain/email/greeting';
import { DEFAULT_RULES } from '../../src/domain/owner-docs/rules';
import { DEFAULT_VOICE, type TemplatePlaceholder, type Voice } from '../../src/domain/owner-docs/voice';
import { parseVoiceDoc } from '../../src/domain/owner-docs/voice-doc';
import { seedCartLines, seedCartTotal } from '../../src/local/seed-cart';

const RETURN_URL = 'https://shop.example/cart/c-42?key=abc&utm_source=reminder';
const UNSUBSCRIBE_URL = 'https://u.example/u/v1.payload.mac';
const STORE = {
  name: 'Linen & Wick',
  postalAddress: '12 Harbour Road\nPortland, ME 04101',
  timeZone: 'America/New_York',
  currency: 'USD',
};

/**
 * The seed story: a $120 cart of a linen shirt, two candles and a tote (src/local/seed-cart.ts), the shirt pictured.
 */
const SEED_ITEMS: CartItem[] = seedCartLines().map((line, index) =>
  index === 0 ? { ...line, imageUrl: 'https://cdn.example/shirt.jpg' } : line,
);

function compose(overrides: Partial<Omit<ComposeInput, 'cart'>> & { cart?: Partial<ComposeInput['cart']> } = {}) {
  const { cart, ...rest } = overrides;
  return composeReminder({
    step: 'first',
    voice: DEFAULT_VOICE,
    store: STORE,
    greeting: 'Hi Sam',
    unsubscribeUrl: UNSUBSCRIBE_URL,
    ...rest,
    cart: { items: SEED_ITEMS, total: seedCartTotal(), firstName: 'Sam', returnUrl: RETURN_URL, ...cart },
  });
}

describe('composeReminder: the seed story', () => {
  const email = compose();

  it('fills the first template: subject and opening with items and total', () => {
    expect(email.subject).toBe('Still thinking it over?');
    expect(email.plainOpening).toBe(
      'Still thinking it over? Your cart is still here: Linen shirt, Candle ×2 and Tote, $120.00 in all.',
    );
    expect(email.openingUsed).toBe(email.plainOpening);
  });

  it('carries items, line prices, total, return link and unsubscribe link in the text part', () => {
    expect(email.text).toContain('Hi Sam,');
    expect(email.text).toContain('- Linen shirt: $60.00');
    expect(email.text).toContain('- Candle ×2: $40.00');
    expect(email.text).toContain('- Tote: $20.00');
    expect(email.text).toContain('Total: $120.00');
    expect(email.text).toContain(`Return to your cart: ${RETURN_URL}`);
    expect(email.text).toContain(`Unsubscribe: ${UNSUBSCRIBE_URL}`);
  });

  it('carries the same content in the HTML part, with URLs escaped in attributes', () => {
    for (const text of [
      'Linen shirt',
      'Candle',
      'Tote',
      '$60.00',
      '$40.00',
      '$120.00',
      'Quantity: 2',
      'Return to your cart',
    ]) {
      expect(email.html).toContain(text);
    }
    expect(email.html).toContain(`href="${RETURN_URL.replace('&', '&amp;')}"`);
    expect(email.html).toContain(`href="${UNSUBSCRIBE_URL}"`);
    expect(email.html).toContain('<img src="https://cdn.example/shirt.jpg"');
  });

  it('has the footer: store name, postal address, why-you-got-this line', () => {
    const why = "You're getting this because you left items in your cart at Linen & Wick.";
    expect(email.text).toContain(`Linen & Wick\n12 Harbour Road\nPortland, ME 04101\n${why}`);
    expect(email.html).toContain('<strong>Linen &amp; Wick</strong><br>12 Harbour Road<br>Portland, ME 04101');
    expect(email.html).toContain(escapeHtml(why));
  });

  it('is a self-contained, phone-width HTML email: tables, inline styles, no script or external CSS', () => {
    expect(email.html).toMatch(/^<!DOCTYPE html>/);
    expect(email.html).toContain('max-width:560px');
    expect(email.html).toContain('name="viewport"');
    expect(email.html).not.toMatch(/<script|<link|<style|javascript:/i);
  });
});

describe('composeReminder: escaping and URL safety', () => {
  const nasty = '<script>alert(1)</script> & "Co"';

  it('escapes a hostile item title everywhere it appears in HTML', () => {
    const email = compose({
      cart: { items: [{ title: nasty, quantity: 1, unitPrice: 100, imageUrl: 'https://cdn.example/x.png' }] },
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(email.html).toContain('alt="&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"');
    // The plain-text part is not HTML: the title appears as the shopper typed it.
    expect(email.text).toContain(`- ${nasty}: $1.00`);
  });

  it('escapes the greeting, the store name and address', () => {
    const email = compose({
      greeting: 'Hi <b>Sam</b>',
      store: { ...STORE, name: '<i>Shop</i>', postalAddress: '1 "Main" St <br>' },
    });
    expect(email.html).toContain('Hi &lt;b&gt;Sam&lt;/b&gt;,');
    expect(email.html).toContain('&lt;i&gt;Shop&lt;/i&gt;');
    expect(email.html).toContain('1 &quot;Main&quot; St &lt;br&gt;');
    expect(email.html).not.toMatch(/<i>|<b>/);
  });

  it('escapes a polished opening line too', () => {
    const email = compose({ openingLine: 'Your <em>Tote</em> misses you' });
    expect(email.html).toContain('Your &lt;em&gt;Tote&lt;/em&gt; misses you');
  });

  it.each([
    ['javascript:alert(1)'],
    ['data:image/png;base64,AAAA'],
    ['//cdn.example/protocol-relative.png'],
    ['ftp://cdn.example/x.png'],
    ['not a url'],
  ])('omits a non-http(s) image (%s) but keeps the item', (imageUrl) => {
    const email = compose({ cart: { items: [{ title: 'Candle', quantity: 1, unitPrice: 2000, imageUrl }] } });
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain(imageUrl);
    expect(email.html).toContain('Candle');
  });

  it('cannot break out of an attribute with a crafted URL', () => {
    const email = compose({ cart: { returnUrl: 'https://shop.example/cart?x="><script>alert(1)</script>' } });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toMatch(/href="[^"]*"[^ >]*><script/);
  });

  it('keeps the subject on one line even when a title carries a newline', () => {
    const voice: Voice = {
      ...DEFAULT_VOICE,
      templates: {
        ...DEFAULT_VOICE.templates,
        first: { ...DEFAULT_VOICE.templates.first, subject: 'About your {items_summary}' },
      },
    };
    const email = compose({
      voice,
      cart: { items: [{ title: 'Tote\r\nBcc: victim@example.com', quantity: 1, unitPrice: 2000 }] },
    });
    expect(email.subject).toBe('About your Tote Bcc: victim@example.com');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it.each([
    ['https://shop.example/cart', 'https://shop.example/cart'],
    ['  http://localhost:3000/c/1 ', 'http://localhost:3000/c/1'],
    ['https://user:pass@shop.example/', undefined],
    ['javascript:alert(1)', undefined],
    ['/relative/cart', undefined],
    [undefined, undefined],
  ])('safeHttpUrl(%s) = %s', (raw, expected) => {
    expect(safeHttpUrl(raw)).toBe(expected);
  });
});

describe('composeReminder: wording', () => {
  it('uses the saved-link subject and opening for a saved-link cart', () => {
    const email = compose({ cart: { savedLink: true } });
    expect(email.subject).toBe(DEFAULT_VOICE.savedLink.first.subject);
    expect(email.plainOpening).toBe(
      'Still saving these? Your cart is waiting whenever you are: Linen shirt, Candle ×2 and Tote.',
    );
    // The body and button still come from the step's template.
    expect(email.text).toContain(DEFAULT_VOICE.templates.first.body);
    expect(email.text).toContain(DEFAULT_VOICE.templates.first.button);
  });

  it('uses the second template for the second reminder and greets once', () => {
    const email = compose({ step: 'second' });
    expect(email.subject).toBe('We saved your cart for you');
    expect(email.plainOpening).toBe('Hi Sam, one last nudge: we saved your cart in case you still want it.');
    expect(email.text.match(/Hi Sam/g)).toHaveLength(1);
    expect(email.text).toContain("It's all still there, $120.00 in all.");
    expect(email.text).toContain('Pick up where you left off: ');
  });

  it('falls back to "Hi there" for a cart with no first name', () => {
    const email = compose({ greeting: greetingFor(undefined), cart: { firstName: undefined } });
    expect(email.text.startsWith('Hi there,\n\n')).toBe(true);
    expect(email.html).toContain('Hi there,');
    expect(email.html).not.toContain('Hi Sam');
  });

  it('uses a polished opening when given, keeping the plain one for the record', () => {
    const email = compose({ openingLine: '  Your linen shirt and candles are still waiting for you.  ' });
    expect(email.openingUsed).toBe('Your linen shirt and candles are still waiting for you.');
    expect(email.plainOpening).toContain('Still thinking it over?');
    expect(email.text).toContain(email.openingUsed);
    expect(email.text).not.toContain(email.plainOpening);
  });

  it('ignores a blank polished opening', () => {
    expect(compose({ openingLine: '   ' }).openingUsed).toBe(compose().plainOpening);
  });

  it('formats yen without decimals', () => {
    const email = compose({
      cart: { items: [{ title: 'Tenugui', quantity: 2, unitPrice: 600 }], total: { minor: 1200, currency: 'JPY' } },
    });
    expect(email.plainOpening).toContain('¥1,200 in all');
    expect(email.text).toContain('- Tenugui ×2: ¥1,200');
    expect(email.text).toContain('Total: ¥1,200');
    expect(email.html).not.toContain('¥1,200.00');
  });
});

describe('composeReminder: refusals', () => {
  it.each([
    ['no return link', { returnUrl: undefined }, 'no_return_link'],
    ['a javascript: return link', { returnUrl: 'javascript:alert(1)' }, 'no_return_link'],
    ['no items', { items: [] }, 'empty_cart'],
    [
      'no items, from Stripe, with nothing to pay',
      { items: [], source: 'stripe', total: { minor: 0, currency: 'USD' } },
      'empty_cart',
    ],
  ] as const)('refuses a cart with %s', (_label, cart, code) => {
    expect(() => compose({ cart })).toThrow(ComposeError);
    expect(() => compose({ cart })).toThrow(expect.objectContaining({ code }));
  });

  it('reminds a Stripe cart whose line items could not be read with its total alone', () => {
    const email = compose({ cart: { items: [], source: 'stripe', total: seedCartTotal() } });
    expect(email.text).toContain('Total: $120.00');
    expect(email.text).not.toContain('- ');
    expect(email.html).toContain('$120.00');
  });

  it('refuses an unsubscribe URL that is not http(s)', () => {
    expect(() => compose({ unsubscribeUrl: 'mailto:stop@shop.example' })).toThrow(
      expect.objectContaining({ code: 'bad_unsubscribe_link' }),
    );
  });

  it('refuses a voice template with an unknown placeholder', () => {
    const voice: Voice = {
      ...DEFAULT_VOICE,
      templates: {
        ...DEFAULT_VOICE.templates,
        first: { ...DEFAULT_VOICE.templates.first, body: 'Thanks, {frist_name}!' },
      },
    };
    expect(() => compose({ voice })).toThrow(TemplateError);
  });
});

describe('fillTemplate', () => {
  const values: Record<TemplatePlaceholder, string> = {
    first_name: 'Sam',
    greeting: 'Hi Sam',
    store_name: 'Linen & Wick',
    item_count: '4',
    items_summary: 'Linen shirt, Candle ×2 and Tote',
    total: '$120.00',
  };

  it('fills every known placeholder', () => {
    expect(
      fillTemplate(
        '{greeting}! {item_count} items ({items_summary}), {total} at {store_name}. Bye {first_name}',
        values,
      ),
    ).toBe('Hi Sam! 4 items (Linen shirt, Candle ×2 and Tote), $120.00 at Linen & Wick. Bye Sam');
  });

  it('never expands braces that come from a value', () => {
    expect(fillTemplate('{items_summary}', { ...values, items_summary: 'Mug {total}' })).toBe('Mug {total}');
  });

  it.each([
    ['Hi {name}', /unknown placeholder \{name\}/],
    ['Hi {First_Name}', /unknown placeholder/],
    ['Hi { first_name }', /unknown placeholder/],
    ['Hi {first_name', /stray "\{"/],
    ['Hi first_name}', /stray "\}"/],
  ])('throws a clear error for %s', (template, message) => {
    expect(() => fillTemplate(template, values)).toThrow(TemplateError);
    expect(() => fillTemplate(template, values)).toThrow(message);
  });

  it('throws rather than leave a blank in the email', () => {
    expect(() => fillTemplate('Hi {first_name},', { ...values, first_name: ' ' })).toThrow(/has no value/);
  });
});

describe('itemsSummary', () => {
  const item = (title: string, quantity = 1) => ({ title, quantity });

  it.each([
    [[item('Tote')], 'Tote'],
    [[item('Candle', 2)], 'Candle ×2'],
    [[item('Linen shirt'), item('Tote')], 'Linen shirt and Tote'],
    [[item('Linen shirt'), item('Candle', 2), item('Tote')], 'Linen shirt, Candle ×2 and Tote'],
    [[item('Linen shirt'), item('Candle', 2), item('Tote'), item('Mug')], 'Linen shirt, Candle ×2 and 2 more'],
    [[item('A'), item('B'), item('C'), item('D'), item('E')], 'A, B and 3 more'],
    [[item('  Tote \n bag ')], 'Tote bag'],
    [[item('')], 'Item'],
    [[], 'your items'],
  ])('%j -> %s', (items, expected) => {
    expect(itemsSummary(items)).toBe(expected);
  });

  it('shortens a very long title', () => {
    const summary = itemsSummary([item('Hand-poured soy candle '.repeat(10))]);
    expect(summary.length).toBeLessThanOrEqual(60);
    expect(summary.endsWith('…')).toBe(true);
  });
});

describe('templateValues', () => {
  it('fills every placeholder from the cart, with "there" for a missing first name', () => {
    const values = templateValues({
      cart: { firstName: undefined, items: SEED_ITEMS, total: seedCartTotal() },
      greeting: 'Hi there',
      storeName: DEFAULT_RULES.store.name,
    });
    expect(values).toEqual({
      first_name: 'there',
      greeting: 'Hi there',
      store_name: 'Your Store',
      item_count: '4',
      items_summary: 'Linen shirt, Candle ×2 and Tote',
      total: '$120.00',
    });
  });
});

describe("composeReminder: money in the cart currency and the voice doc's language and fixed words (issue 16)", () => {
  const german = parseVoiceDoc(readFileSync(new URL('../../docs/examples/voice-doc-de.md', import.meta.url), 'utf8'));
  if (!german.ok) throw new Error(german.problems.map((p) => p.message).join('\n'));
  const BERLIN = {
    name: 'Leinen & Lärche',
    postalAddress: 'Hafenstraße 12\n20457 Hamburg\nDeutschland',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
  };
  const email = compose({
    voice: german.voice,
    store: BERLIN,
    greeting: greetingFor('Sam', german.voice.words),
    cart: { total: seedCartTotal('EUR') },
  });

  it('writes a EUR cart in German: "120,00 €", the German fixed words and the whole address', () => {
    expect(email.subject).toBe('Noch am Überlegen?');
    expect(email.plainOpening).toBe(
      'Noch am Überlegen? Ihr Warenkorb ist noch da: Linen shirt, Candle ×2 und Tote, zusammen 120,00 €.',
    );
    expect(email.text).toBe(
      [
        'Hallo Sam,',
        '',
        email.plainOpening,
        '',
        'Wir haben alles so aufbewahrt, wie Sie es verlassen haben. ' +
          'Wenn Sie eine Frage dazu haben, antworten Sie einfach auf diese E-Mail.',
        '',
        'Ihr Warenkorb:',
        '- Linen shirt: 60,00\u00a0€',
        '- Candle ×2: 40,00\u00a0€',
        '- Tote: 20,00\u00a0€',
        'Summe: 120,00\u00a0€',
        '',
        `Zurück zum Warenkorb: ${RETURN_URL}`,
        '',
        '--',
        'Leinen & Lärche',
        'Hafenstraße 12',
        '20457 Hamburg',
        'Deutschland',
        'Sie erhalten diese E-Mail, weil Sie bei Leinen & Lärche Artikel im Warenkorb gelassen haben.',
        `Abmelden: ${UNSUBSCRIBE_URL}`,
        '',
      ].join('\n'),
    );
    // Intl writes "120,00 €" with a no-break space, as German typesetting does (a sentence's spaces are made plain).
    for (const text of [
      '120,00\u00a0€',
      'Menge: 2',
      '>Summe<',
      'Keine Erinnerungen mehr?',
      '>Abmelden</a>',
      'Hafenstraße 12<br>20457 Hamburg<br>Deutschland',
      '<html lang="de">',
    ]) {
      expect(email.html).toContain(text);
    }
    for (const english of ['Quantity', 'Total', 'Unsubscribe', 'No more reminders', "You're getting this", '$']) {
      expect(email.html).not.toContain(english);
      expect(email.text).not.toContain(english);
    }
  });

  it("greets without a name and counts the rest in the voice's words", () => {
    expect(greetingFor(undefined, german.voice.words)).toBe('Guten Tag');
    const many = [
      ...SEED_ITEMS,
      { title: 'Mug', quantity: 1, unitPrice: 1000 },
      { title: 'Soap', quantity: 1, unitPrice: 500 },
    ];
    expect(itemsSummary(many, german.voice.words)).toBe('Linen shirt, Candle ×2 und 3 weitere');
    expect(itemsSummary([], german.voice.words)).toBe('Ihre Artikel');
  });

  it("writes money in the cart's own currency even when the store's is another", () => {
    const yen = compose({
      voice: german.voice,
      store: BERLIN,
      cart: { total: { minor: 12000, currency: 'JPY' }, items: [{ title: 'Tee', quantity: 1, unitPrice: 12000 }] },
    });
    expect(yen.text).toContain('Summe: 12.000\u00a0¥');
  });
});

describe('composeReminder: test mode (issue 16)', () => {
  it('marks a test in the subject and at the top, naming who it would have gone to', () => {
    const email = compose({ testFor: 'sam@example.com' });
    expect(email.subject).toBe('[Test] Still thinking it over?');
    expect(email.text.split('\n')[0]).toMatch(
      new RegExp(
        /^TEST: test mode is on in your rules doc\. /.source +
          /This reminder would have gone to sam@example\.com; it came to you instead/.source,
      ),
    );
    expect(email.html).toContain('This reminder would have gone to sam@example.com');
    expect(compose().text).not.toContain('TEST');
  });
});

describe('composeReminder: a big cart kept bounded (issue 21)', () => {
  const many = (n: number): CartItem[] =>
    Array.from({ length: n }, (_, i) => ({ title: `Napkin ${i + 1}`, quantity: 1, unitPrice: 500 }));

  it('lists the first items and says how many more, counting those not kept, in both parts', () => {
    const email = compose({
      cart: { items: many(50), moreItems: 4_950, total: { minor: 2_500_000, currency: 'USD' } },
    });
    expect(email.text).toContain('- Napkin 10: $5.00');
    expect(email.text).not.toContain('Napkin 11');
    expect(email.text).toContain('- and 4,990 more\n');
    expect(email.html).toContain('and 4,990 more');
    expect(email.html).not.toContain('Napkin 11<');
    expect(email.text).toContain('Total: $25,000.00');
  });

  it('says nothing more for a cart that fits', () => {
    const email = compose({ cart: { items: many(10) } });
    expect(email.text).toContain('Napkin 10');
    expect(email.text).not.toMatch(/^- and \d+ more$/m);
  });

  it('counts items not kept in {items_summary} and {item_count}', () => {
    const values = templateValues({
      cart: { items: many(2), moreItems: 3, total: { minor: 100, currency: 'USD' } },
      greeting: 'Hi there',
      storeName: 'Shop',
    });
    expect(values.items_summary).toBe('Napkin 1, Napkin 2 and 3 more');
    expect(values.item_count).toBe('5');
    expect(itemsSummary(many(2), undefined, 0)).toBe('Napkin 1 and Napkin 2');
  });
});

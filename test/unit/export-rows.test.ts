import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED_CART, seedCartLines, seedExportItems } from '../../src/local/seed-cart';
import type { CartChangedEvent, CheckedOutEvent } from '../../src/domain/cart/cart';
import { CsvError, parseCsv, parseExportRows, parseItems } from '../../src/domain/intake/export-rows';

const HEADER = [
  'Cart ID',
  'Updated at',
  'Email',
  'First name',
  'Items',
  'Total',
  'Currency',
  'Return URL',
  'Status',
  'Time zone',
  'Saved link',
  'Marketing consent',
];

/** A full open row; override cells by header name. */
function row(overrides: Partial<Record<(typeof HEADER)[number], string>> = {}): string[] {
  const base: Record<string, string> = {
    'Cart ID': 'c_8f2k1',
    'Updated at': '2026-11-02T15:04:00-06:00',
    Email: ' Sam@Example.com ',
    'First name': 'Sam',
    Items: 'Linen shirt x1 @ 60.00; Candle x2 @ 20.00',
    Total: '100.00',
    Currency: '',
    'Return URL': 'https://shop.example.com/cart/c_8f2k1',
    Status: 'open',
    'Time zone': 'America/Chicago',
    'Saved link': 'no',
    'Marketing consent': 'yes',
    ...overrides,
  };
  return HEADER.map((name) => base[name] ?? '');
}

/** The store's clock at import time: after every row the tests write, unless a test says otherwise. */
const NOW = new Date('2026-12-07T02:00:00Z');

function parse(rows: string[][], storeCurrency = 'USD', now = NOW) {
  return parseExportRows(rows, { storeCurrency, now });
}

function changed(result: ReturnType<typeof parse>, index = 0): CartChangedEvent {
  const event = result.events[index]?.event;
  if (event?.kind !== 'cart_changed') throw new Error(`event ${index} is not a cart change`);
  return event;
}

function cartIdOf(event: CartChangedEvent | CheckedOutEvent): string | undefined {
  return event.kind === 'cart_changed' ? event.cart.cartId : event.match.cartId;
}

/** The single problem's message, for rows expected to fail. */
function problemFor(cells: string[]): string {
  const result = parse([HEADER, cells]);
  expect(result.events).toEqual([]);
  expect(result.problems).toHaveLength(1);
  expect(result.problems[0]?.line).toBe(2);
  return result.problems[0]?.message ?? '';
}

describe('parseExportRows: well-formed sheets', () => {
  it('turns an open row into the same cart change our webhook would produce', () => {
    const result = parse([HEADER, row()]);

    expect(result.problems).toEqual([]);
    expect(result.events).toEqual([
      {
        row: 2,
        event: {
          kind: 'cart_changed',
          eventId: 'sheet:c_8f2k1:2026-11-02T21:04:00.000Z',
          occurredAt: new Date('2026-11-02T21:04:00Z'),
          source: 'sheet',
          cart: {
            cartId: 'c_8f2k1',
            source: 'sheet',
            email: 'sam@example.com',
            firstName: 'Sam',
            items: [
              { title: 'Linen shirt', quantity: 1, unitPrice: 6000 },
              { title: 'Candle', quantity: 2, unitPrice: 2000 },
            ],
            total: { minor: 10000, currency: 'USD' },
            returnUrl: 'https://shop.example.com/cart/c_8f2k1',
            timeZone: 'America/Chicago',
            savedLink: false,
            marketingConsent: true,
          },
        },
      },
    ]);
  });

  it('needs only cart id, updated at and total; leaves unknown facts out of the snapshot', () => {
    const result = parse([
      ['cart id', 'updated at', 'total'],
      ['c1', '2026-11-02T15:04:00Z', '12'],
    ]);

    expect(changed(result).cart).toEqual({
      cartId: 'c1',
      source: 'sheet',
      items: [],
      total: { minor: 1200, currency: 'USD' },
      savedLink: false,
    });
    // Absent, not present-but-undefined: nothing to overwrite stored facts with.
    expect(Object.keys(changed(result).cart)).not.toContain('email');
    expect(Object.keys(changed(result).cart)).not.toContain('marketingConsent');
  });

  it('reads a local time in the row time zone, including across a DST change', () => {
    const result = parse([
      ['cart id', 'updated at', 'total', 'time zone'],
      ['summer', '2026-07-01 09:30', '1.00', 'America/Chicago'],
      ['winter', '2026-12-01T09:30:15', '1.00', 'America/Chicago'],
      ['tokyo', '2026-12-01 09:30', '1.00', 'Asia/Tokyo'],
    ]);

    expect(result.problems).toEqual([]);
    expect(result.events.map((e) => e.event.occurredAt.toISOString())).toEqual([
      '2026-07-01T14:30:00.000Z',
      '2026-12-01T15:30:15.000Z',
      '2026-12-01T00:30:00.000Z',
    ]);
  });

  it('lets an explicit offset win over the time zone column', () => {
    const result = parse([HEADER, row({ 'Updated at': '2026-11-02T15:04:00Z', 'Time zone': 'Asia/Tokyo' })]);

    expect(changed(result).occurredAt).toEqual(new Date('2026-11-02T15:04:00Z'));
    expect(changed(result).cart.timeZone).toBe('Asia/Tokyo');
  });

  it('uses the currency column, else the store currency', () => {
    const result = parse(
      [
        HEADER,
        row({ Currency: 'jpy', Total: '1200', Items: 'Tea x1 @ 1200' }),
        row({ 'Cart ID': 'c2', Total: '5.50', Items: '' }),
      ],
      'eur',
    );

    expect(changed(result, 0).cart.total).toEqual({ minor: 1200, currency: 'JPY' });
    expect(changed(result, 0).cart.items).toEqual([{ title: 'Tea', quantity: 1, unitPrice: 1200 }]);
    expect(changed(result, 1).cart.total).toEqual({ minor: 550, currency: 'EUR' });
  });

  it('accepts amounts as Sheets displays currency and number formats', () => {
    const totals = ['$1,200.00', '1,200.00', '1200', 'USD 1200.00', '1200.00 USD', ' 1200.0 '];

    const result = parse([HEADER, ...totals.map((total, index) => row({ 'Cart ID': `c${index}`, Total: total }))]);

    expect(result.problems).toEqual([]);
    expect(result.events.map((_, index) => changed(result, index).cart.total.minor)).toEqual(totals.map(() => 120000));
  });

  it('sets savedLink from the column or from the saved-cart marker on the return url', () => {
    const result = parse([
      HEADER,
      row({ 'Cart ID': 'flag', 'Saved link': 'Yes' }),
      row({ 'Cart ID': 'marker', 'Saved link': '', 'Return URL': 'https://shop.example.com/cart/1?cr_saved=1' }),
      row({ 'Cart ID': 'neither', 'Saved link': '' }),
    ]);

    expect(result.events.map((_, index) => changed(result, index).cart.savedLink)).toEqual([true, true, false]);
  });

  it('reads marketing consent as yes, no or unknown', () => {
    const result = parse([
      HEADER,
      row({ 'Cart ID': 'a', 'Marketing consent': 'yes' }),
      row({ 'Cart ID': 'b', 'Marketing consent': 'No' }),
      row({ 'Cart ID': 'c', 'Marketing consent': '' }),
    ]);

    expect(result.events.map((_, index) => changed(result, index).cart.marketingConsent)).toEqual([
      true,
      false,
      undefined,
    ]);
  });

  it('skips blank rows silently and keeps sheet row numbers', () => {
    const result = parse([
      [],
      ['', '  '],
      HEADER,
      row({ 'Cart ID': 'first' }),
      ['', '', ''],
      row({ 'Cart ID': 'second' }),
    ]);

    expect(result.problems).toEqual([]);
    expect(result.events.map((e) => e.row)).toEqual([4, 6]);
  });

  it('returns every row for a cart that appears twice, leaving the order to the intake', () => {
    const result = parse([
      HEADER,
      row({ 'Updated at': '2026-11-02T16:00:00Z', Total: '20.00', Items: 'Candle x1 @ 20.00' }),
      row({ 'Updated at': '2026-11-02T15:00:00Z' }),
    ]);

    expect(result.events.map((e) => [cartIdOf(e.event), e.event.eventId])).toEqual([
      ['c_8f2k1', 'sheet:c_8f2k1:2026-11-02T16:00:00.000Z'],
      ['c_8f2k1', 'sheet:c_8f2k1:2026-11-02T15:00:00.000Z'],
    ]);
  });

  it('gives the same event ids on every import, whatever the spelling of the same instant', () => {
    const sheet = [HEADER, row(), row({ 'Cart ID': 'c2', Status: 'checked out' })];
    const first = parse(sheet);
    const again = parse(sheet.map((cells) => [...cells]));
    const respelled = parse([HEADER, row({ 'Updated at': '2026-11-02 15:04', 'Time zone': 'America/Chicago' })]);

    expect(again.events.map((e) => e.event.eventId)).toEqual(first.events.map((e) => e.event.eventId));
    expect(respelled.events[0]?.event.eventId).toBe(first.events[0]?.event.eventId);
    // A change and a checkout of the same cart at the same time are different events.
    const sameTime = parse([HEADER, row(), row({ Status: 'checked out' })]);
    expect(new Set(sameTime.events.map((e) => e.event.eventId)).size).toBe(2);
  });
});

describe('parseExportRows: checked-out rows', () => {
  it('become a checkout matched by cart id and email, with the order total', () => {
    const result = parse([HEADER, row({ Status: 'Checked out', Total: '100.00' })]);

    const event: CheckedOutEvent = {
      kind: 'checked_out',
      eventId: 'sheet:c_8f2k1:2026-11-02T21:04:00.000Z:checked-out',
      occurredAt: new Date('2026-11-02T21:04:00Z'),
      source: 'sheet',
      match: { cartId: 'c_8f2k1', email: 'sam@example.com' },
      orderTotal: { minor: 10000, currency: 'USD' },
    };
    expect(result).toEqual({ events: [{ row: 2, event }], problems: [] });
  });

  it('need no total, and ignore the cart-only columns', () => {
    const result = parse([
      HEADER,
      row({ Status: 'checked_out', Total: '', Email: '', Items: 'not an item list', 'Saved link': 'maybe' }),
    ]);

    expect(result.problems).toEqual([]);
    expect(result.events[0]?.event).toEqual({
      kind: 'checked_out',
      eventId: 'sheet:c_8f2k1:2026-11-02T21:04:00.000Z:checked-out',
      occurredAt: new Date('2026-11-02T21:04:00Z'),
      source: 'sheet',
      match: { cartId: 'c_8f2k1' },
    });
  });

  it('accept spelling variants of the status', () => {
    const result = parse([
      HEADER,
      ...['checked out', 'Checked-Out', 'CHECKEDOUT'].map((status, i) => row({ 'Cart ID': `c${i}`, Status: status })),
    ]);

    expect(result.events.map((e) => e.event.kind)).toEqual(['checked_out', 'checked_out', 'checked_out']);
  });
});

describe('parseExportRows: bad rows', () => {
  it.each([
    ['cart id', { 'Cart ID': '' }, 'row 2: cart id is empty'],
    ['cart id', { 'Cart ID': 'cart 42' }, 'row 2: cart id "cart 42" must be 1-128 letters, digits or . _ : @ -'],
    ['updated at', { 'Updated at': '' }, 'row 2: updated at is empty'],
    [
      'updated at',
      { 'Updated at': '11/2/2026 15:04:00' },
      'row 2: updated at "11/2/2026 15:04:00" is not a date and time like 2026-11-02T15:04:00-06:00',
    ],
    [
      'updated at',
      { 'Updated at': '2026-02-30T10:00:00Z' },
      'row 2: updated at "2026-02-30T10:00:00Z" is not a real date and time',
    ],
    [
      'updated at',
      { 'Updated at': '2999-11-02T15:04:00Z' },
      'row 2: updated at "2999-11-02T15:04:00Z" is ahead of the store\'s clock ' +
        '(2026-12-07T02:00:00.000Z) by more than 5 minutes',
    ],
    [
      'updated at',
      { 'Updated at': '2026-11-02 15:04', 'Time zone': '' },
      'row 2: updated at "2026-11-02 15:04" has no UTC offset; ' +
        'add one (like 2026-11-02T15:04:00-06:00) or fill in the time zone column',
    ],
    ['email', { Email: 'sam@' }, 'row 2: email "sam@" is not an email address'],
    ['first name', { 'First name': 'S'.repeat(101) }, 'row 2: first name is longer than 100 characters'],
    [
      'items',
      { Items: 'Candle x2' },
      'row 2: items: "Candle x2" should look like "Candle x2 @ 20.00" (title, x quantity, @ unit price)',
    ],
    [
      'items',
      { Items: 'Candle x0 @ 20.00' },
      'row 2: items: "Candle x0 @ 20.00" has quantity 0; it must be 1 to 100000',
    ],
    [
      'items',
      { Items: 'Candle x2 @ 20,00' },
      'row 2: items: "Candle x2 @ 20,00": price "20,00" is not a decimal amount',
    ],
    ['total', { Total: '12,5' }, 'row 2: total "12,5" is not a decimal amount'],
    ['total', { Total: '' }, 'row 2: total is empty'],
    ['total', { Total: '-5.00' }, 'row 2: total "-5.00" is not a decimal amount'],
    ['total', { Total: '12.345' }, 'row 2: total "12.345" has more decimal places than USD allows'],
    ['total', { Total: '€12.00' }, 'row 2: total "€12.00" is not a decimal amount'],
    ['total', { Total: '1,20' }, 'row 2: total "1,20" is not a decimal amount'],
    ['currency', { Currency: 'DOLLARS' }, 'row 2: currency "DOLLARS" is not a currency code such as USD'],
    [
      'return url',
      { 'Return URL': 'javascript:alert(1)' },
      'row 2: return url "javascript:alert(1)" is not an http(s) URL',
    ],
    [
      'return url',
      { 'Return URL': 'shop.example.com/cart' },
      'row 2: return url "shop.example.com/cart" is not an http(s) URL',
    ],
    ['status', { Status: 'abandoned' }, 'row 2: status "abandoned" must be open or checked out'],
    [
      'time zone',
      { 'Time zone': 'Central' },
      'row 2: time zone "Central" is not an IANA time zone such as America/Chicago',
    ],
    ['saved link', { 'Saved link': 'maybe' }, 'row 2: saved link "maybe" must be yes or no'],
    [
      'marketing consent',
      { 'Marketing consent': 'opted' },
      'row 2: marketing consent "opted" must be yes, no or blank',
    ],
  ])('%s: %j', (_field, overrides, message) => {
    expect(problemFor(row(overrides))).toBe(message);
  });

  it(
    'refuses a time ahead of the store clock by more than the webhook lanes allow, ' +
      'open or checked out; a drift within it passes',
    () => {
      const ahead = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
      const result = parse([
        HEADER,
        row({ 'Cart ID': 'typo', 'Updated at': '2999-11-02T15:04:00Z' }),
        row({ 'Cart ID': 'bought-late', 'Updated at': ahead(6), Status: 'checked out' }),
        row({ 'Cart ID': 'drifted', 'Updated at': ahead(4) }),
      ]);
      expect(
        result.events.map((e) => (e.event.kind === 'cart_changed' ? e.event.cart.cartId : e.event.match.cartId)),
      ).toEqual(['drifted']);
      expect(result.problems.map((p) => p.line)).toEqual([2, 3]);
      expect(result.problems.every((p) => p.message.includes("ahead of the store's clock"))).toBe(true);
    },
  );

  it('lists every fault of a row in column order, in one problem', () => {
    const message = problemFor(row({ Total: '12,5', Email: 'sam@', Status: 'paid' }));

    expect(message).toBe(
      'row 2: email "sam@" is not an email address; total "12,5" is not a decimal amount; ' +
        'status "paid" must be open or checked out',
    );
  });

  it('does not pile a second message on a local time when the time zone itself is wrong', () => {
    expect(problemFor(row({ 'Updated at': '2026-11-02 15:04', 'Time zone': 'Central' }))).toBe(
      'row 2: time zone "Central" is not an IANA time zone such as America/Chicago',
    );
  });

  it('shortens long values in messages', () => {
    const message = problemFor(row({ 'Return URL': `ftp://${'x'.repeat(200)}` }));

    expect(message.length).toBeLessThan(120);
    expect(message).toContain('…');
  });

  it('lets good rows land despite bad ones, with each problem on its own row number', () => {
    const result = parse([
      HEADER,
      row({ 'Cart ID': 'good-1' }),
      row({ 'Cart ID': 'bad-1', Total: '12,5' }),
      [],
      row({ 'Cart ID': 'good-2' }),
      row({ 'Cart ID': 'bad-2', Email: 'nobody' }),
    ]);

    expect(result.events.map((e) => [e.row, cartIdOf(e.event)])).toEqual([
      [2, 'good-1'],
      [5, 'good-2'],
    ]);
    expect(result.problems).toEqual([
      { line: 3, message: 'row 3: total "12,5" is not a decimal amount' },
      { line: 6, message: 'row 6: email "nobody" is not an email address' },
    ]);
  });
});

describe('parseExportRows: header', () => {
  it('matches names without case, spacing or punctuation, and in any order, ignoring unknown columns', () => {
    const result = parse([
      ['Order #', 'TOTAL', ' cart_id ', 'E-mail', 'updatedAt', 'TimeZone', 'Notes'],
      ['1001', '9.99', 'c1', 'a@b.co', '2026-11-02T15:04:00Z', 'Europe/Paris', 'call back'],
    ]);

    expect(result.problems).toEqual([]);
    expect(changed(result).cart).toMatchObject({
      cartId: 'c1',
      email: 'a@b.co',
      total: { minor: 999 },
      timeZone: 'Europe/Paris',
    });
  });

  it('accepts the documented aliases', () => {
    const result = parse([
      ['Cart', 'Last updated', 'Cart total', 'Email address', 'Products', 'Cart URL', 'Accepts marketing', 'TZ'],
      ['c1', '2026-11-02 15:04', '20.00', 'a@b.co', 'Candle @ 20.00', 'https://x.example/c1', 'no', 'UTC'],
    ]);

    expect(result.problems).toEqual([]);
    expect(changed(result).cart).toMatchObject({
      cartId: 'c1',
      items: [{ title: 'Candle', quantity: 1, unitPrice: 2000 }],
      returnUrl: 'https://x.example/c1',
      marketingConsent: false,
    });
  });

  it('reports missing required columns once, on the header row, and imports nothing', () => {
    const result = parse([
      ['Cart ID', 'Email'],
      ['c1', 'a@b.co'],
    ]);

    expect(result).toEqual({
      events: [],
      problems: [
        {
          line: 1,
          message:
            'row 1: the header row has no "updated at", "total" columns; ' +
            'the first row must name the columns (cart id, updated at, total, email, items, ...)',
        },
      ],
    });
  });

  it('treats a data row in place of the header as a missing header', () => {
    const result = parse([row(), row()]);

    expect(result.events).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toMatch(
      /^row 1: the header row has no "cart id", "updated at", "total" columns/,
    );
  });

  it('refuses a header that names a column twice', () => {
    const result = parse([
      ['cart id', 'updated at', 'total', 'Email', 'email address'],
      ['c1', '2026-11-02T15:04:00Z', '1.00', 'a@b.co', 'c@d.co'],
    ]);

    expect(result).toEqual({
      events: [],
      problems: [{ line: 1, message: 'row 1: columns D and E are both "email"; rename or remove one' }],
    });
  });

  it('gives nothing for an empty sheet', () => {
    expect(parse([])).toEqual({ events: [], problems: [] });
    expect(parse([[''], []])).toEqual({ events: [], problems: [] });
  });

  it('throws for a store currency that is not one (configuration, not the sheet)', () => {
    expect(() => parseExportRows([HEADER, row()], { storeCurrency: 'dollars', now: NOW })).toThrow(/unknown currency/);
  });
});

describe('parseItems', () => {
  it('reads titles containing the separators it does not split on', () => {
    expect(parseItems('Tee @ home x1 @ 20.00; Box x2 pack x3 @ 5', 'USD')).toEqual({
      ok: true,
      value: [
        { title: 'Tee @ home', quantity: 1, unitPrice: 2000 },
        { title: 'Box x2 pack', quantity: 3, unitPrice: 500 },
      ],
    });
  });

  it('splits on line breaks instead of semicolons when the cell has them', () => {
    expect(parseItems('Salt; pepper grinder ×2 @ 12.50\nTote @ $20.00\n', 'USD')).toEqual({
      ok: true,
      value: [
        { title: 'Salt; pepper grinder', quantity: 2, unitPrice: 1250 },
        { title: 'Tote', quantity: 1, unitPrice: 2000 },
      ],
    });
  });

  it('reads a blank cell or stray separators as no items', () => {
    expect(parseItems('', 'USD')).toEqual({ ok: true, value: [] });
    expect(parseItems(' ; ;', 'USD')).toEqual({ ok: true, value: [] });
  });

  it('prices in the given currency', () => {
    expect(parseItems('Tea X3 @ 400', 'JPY')).toEqual({
      ok: true,
      value: [{ title: 'Tea', quantity: 3, unitPrice: 400 }],
    });
  });

  it("reads the seed cart's items cell (src/local/seed-cart.ts) back as the seed cart's lines", () => {
    expect(parseItems(seedExportItems(), SEED_CART.currency)).toEqual({ ok: true, value: seedCartLines() });
  });
});

describe('parseCsv', () => {
  it.each([
    [
      'plain fields, CRLF',
      'a,b,c\r\n1,2,3\r\n',
      [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ],
    ],
    [
      'LF and no final newline',
      'a,b\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    ['lone CR line ends', 'a\rb\r', [['a'], ['b']]],
    ['quoted comma', '"Smith, Sam",x', [['Smith, Sam', 'x']]],
    ['doubled quotes', '"say ""hi""",""""', [['say "hi"', '"']]],
    [
      'line breaks inside quotes',
      '"Linen shirt x1 @ 60.00\r\nCandle x2 @ 20.00",100.00\r\n',
      [['Linen shirt x1 @ 60.00\r\nCandle x2 @ 20.00', '100.00']],
    ],
    [
      'empty fields',
      ',,\r\n,',
      [
        ['', '', ''],
        ['', ''],
      ],
    ],
    ['empty quoted field', '"",a', [['', 'a']]],
    ['blank line in the middle', 'a\r\n\r\nb\r\n', [['a'], [''], ['b']]],
    ['only a line break', '\r\n', [['']]],
    ['a quoted empty last field, no final line break', 'a\r\n""', [['a'], ['']]],
    ['empty text', '', []],
    ['byte-order mark', '\uFEFFcart id,total\r\n', [['cart id', 'total']]],
    ['spaces kept', ' a , b ', [[' a ', ' b ']]],
    ['quote inside an unquoted field kept', 'say "hi",x', [['say "hi"', 'x']]],
    ['text after a closing quote kept', '"12"in,x', [['12in', 'x']]],
  ])('%s', (_name, text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });

  it('throws for a quote that is never closed, naming the line it opened on', () => {
    const text = 'cart id,items\r\nc1,"Candle x1 @ 2.00\r\nc2,Tote @ 20.00\r\n';

    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow('line 2: a quoted field is never closed');
  });

  it('feeds parseExportRows: a CSV export imports like the sheet', () => {
    const csv = [
      'Cart ID,Updated at,Email,Items,Total',
      'c1,2026-11-02T15:04:00Z,sam@example.com,"Shirt, linen x1 @ 60.00; Candle x2 @ 20.00","1,100.00"',
      '',
      'c2,2026-11-02T16:00:00Z,,,oops',
    ].join('\r\n');

    const result = parse(parseCsv(csv));

    expect(changed(result).cart.items).toEqual([
      { title: 'Shirt, linen', quantity: 1, unitPrice: 6000 },
      { title: 'Candle', quantity: 2, unitPrice: 2000 },
    ]);
    expect(changed(result).cart.total.minor).toBe(110000);
    expect(result.problems).toEqual([{ line: 4, message: 'row 4: total "oops" is not a decimal amount' }]);
  });

  // A simple RFC 4180 writer: quote when needed (or always), double the quotes.
  function writeCsv(rows: string[][], options: { eol: string; alwaysQuote: boolean; finalEol: boolean }): string {
    const field = (value: string) =>
      options.alwaysQuote || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
    const body = rows.map((cells) => cells.map(field).join(',')).join(options.eol);
    return options.finalEol && rows.length > 0 ? body + options.eol : body;
  }

  const text = fc.string({
    unit: fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\r', '\n', 'é', '😀', ';', '@'),
    maxLength: 12,
  });
  const rows = fc.array(fc.array(text, { minLength: 1, maxLength: 5 }), { maxLength: 8 });

  it('reads back whatever a CSV writer wrote (round trip)', () => {
    fc.assert(
      fc.property(rows, fc.constantFrom('\r\n', '\n'), fc.boolean(), (written, eol, alwaysQuote) => {
        expect(parseCsv(writeCsv(written, { eol, alwaysQuote, finalEol: true }))).toEqual(written);
      }),
    );
  });

  it('reads back a file without a final line break, unless its last record is one empty field', () => {
    fc.assert(
      fc.property(
        rows.filter((r) => !(r.at(-1)?.length === 1 && r.at(-1)?.[0] === '')),
        fc.constantFrom('\r\n', '\n'),
        fc.boolean(),
        (written, eol, alwaysQuote) => {
          expect(parseCsv(writeCsv(written, { eol, alwaysQuote, finalEol: false }))).toEqual(written);
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FORM_BYTES, readFormBody } from '../../src/http/form-body';
import { functionUrlEvent } from '../support/function-url';
import { ONE_CLICK_BODIES } from '../support/one-click-bodies';

const read = (body: string | undefined, contentType: string | undefined, base64 = false) =>
  readFormBody(
    functionUrlEvent({
      path: '/u/x',
      body,
      base64,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    }),
  );
const fields = (result: ReturnType<typeof read>) => (result.ok ? Object.fromEntries(result.fields) : result.reason);

describe('readFormBody: what mail receivers send', () => {
  it.each(
    ONE_CLICK_BODIES.flatMap((shape) => [
      [`${shape.name}, plain`, shape, false] as const,
      [`${shape.name}, base64`, shape, true] as const,
    ]),
  )('%s', (_name, shape, base64) => {
    expect(fields(read(shape.body, shape.contentType, base64))).toEqual({ 'List-Unsubscribe': 'One-Click' });
  });

  it("reads the page's own buttons and a body without a content type", () => {
    expect(fields(read('scope=cart', 'application/x-www-form-urlencoded; charset=UTF-8'))).toEqual({ scope: 'cart' });
    expect(fields(read('List-Unsubscribe=One-Click', undefined))).toEqual({ 'List-Unsubscribe': 'One-Click' });
    expect(fields(read('List-Unsubscribe=One-Click\r\n', 'text/plain'))).toEqual({ 'List-Unsubscribe': 'One-Click' });
    expect(fields(read(undefined, undefined))).toEqual({});
  });

  it('reads several multipart fields, a preamble, LF line ends and an epilogue; skips file parts unread', () => {
    const body = [
      'preamble to ignore',
      '--b1',
      'Content-Disposition: form-data; name="scope"',
      '',
      'all',
      '--b1',
      'Content-Disposition: form-data; name="upload"; filename="x.bin"',
      'Content-Type: application/octet-stream',
      '',
      '\u0000\u0001binary',
      '--b1',
      'Content-Disposition: form-data; name="note"',
      '',
      'ünïcödé, two\nlines',
      '--b1--',
      'epilogue',
    ].join('\n');
    expect(fields(read(body, 'multipart/form-data; boundary=b1', true))).toEqual({
      scope: 'all',
      note: 'ünïcödé, two\nlines',
    });
  });
});

describe('readFormBody: anything else is refused, never thrown', () => {
  const webkit = ONE_CLICK_BODIES[1]!;
  it.each([
    ['a JSON body', '{"List-Unsubscribe":"One-Click"}', 'application/json', false, /not a form content type/],
    ['multipart without a boundary', webkit.body, 'multipart/form-data', false, /boundary/],
    [
      'multipart with another boundary',
      webkit.body,
      'multipart/form-data; boundary=other',
      false,
      /without its boundary/,
    ],
    ['multipart cut short', webkit.body.slice(0, 120), webkit.contentType, false, /cut short/],
    ['multipart cut before the value', webkit.body.slice(0, 60), webkit.contentType, false, /cut short/],
    [
      'a part without a name',
      webkit.body.replace('name="List-Unsubscribe"', 'foo="bar"'),
      webkit.contentType,
      false,
      /form-data name/,
    ],
    [
      'a part without headers',
      '--b\r\nOne-Click\r\n--b--',
      'multipart/form-data; boundary=b',
      false,
      /readable headers/,
    ],
    ['a delimiter with junk after it', '--bjunk\r\n', 'multipart/form-data; boundary=b', false, /line end/],
    ['base64 with junk', '!!!!', 'application/x-www-form-urlencoded', true, /not base64/],
    ['base64 without its padding', 'YWJj ZA', 'application/x-www-form-urlencoded', true, /not base64/],
    [
      'invalid UTF-8',
      Buffer.from([0x73, 0x3d, 0xff, 0xfe]).toString('base64'),
      'application/x-www-form-urlencoded',
      true,
      /UTF-8/,
    ],
    [
      'the same field twice, different values',
      'scope=cart&scope=all',
      'application/x-www-form-urlencoded',
      false,
      /twice/,
    ],
    [
      'a body over the bound',
      'a='.padEnd(MAX_FORM_BYTES + 1, 'x'),
      'application/x-www-form-urlencoded',
      false,
      /too large/,
    ],
    [
      'a base64 body over the bound',
      Buffer.from('a='.padEnd(MAX_FORM_BYTES + 10, 'x')).toString('base64'),
      'application/x-www-form-urlencoded',
      true,
      /too large/,
    ],
    [
      'too many fields',
      Array.from({ length: 40 }, (_, i) => `f${i}=1`).join('&'),
      'application/x-www-form-urlencoded',
      false,
      /too many/,
    ],
  ])('%s', (_name, body, contentType, base64, reason) => {
    // The body exactly as it arrives in the event (already base64 where `base64` says so).
    const event = {
      ...functionUrlEvent({ path: '/u/x', headers: { 'content-type': contentType } }),
      body,
      isBase64Encoded: base64,
    };
    const result = readFormBody(event);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('keeps a malformed percent-escape as text instead of throwing', () => {
    expect(fields(read('List-Unsubscribe=One-Click%zz&x=%E0%A4%A', 'application/x-www-form-urlencoded'))).toEqual({
      'List-Unsubscribe': 'One-Click%zz',
      x: '\uFFFD%A',
    });
  });

  it('never throws on arbitrary bytes under any form content type', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom(
          'multipart/form-data; boundary=b',
          'multipart/form-data; boundary="x=y"',
          'application/x-www-form-urlencoded',
          '',
          'text/plain',
        ),
        fc.boolean(),
        (bytes, contentType, base64) => {
          const event = functionUrlEvent({ path: '/u/x', headers: { 'content-type': contentType } });
          event.body = base64 ? Buffer.from(bytes).toString('base64') : Buffer.from(bytes).toString('latin1');
          event.isBase64Encoded = base64;
          expect(typeof readFormBody(event).ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});

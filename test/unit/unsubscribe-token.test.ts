import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_TOKEN_LENGTH,
  signUnsubscribeToken,
  verifyUnsubscribeToken,
  type UnsubscribeClaims,
} from '../../src/domain/unsubscribe/token';

const KEY = 'test-key-0123456789abcdef-not-a-secret';
const OTHER_KEY = 'another-key-0123456789abcdef-xyz';
const CLAIMS: UnsubscribeClaims = { cartId: 'shopify:c1-7f3a9b', scope: 'cart' };

/** Builds a token the way a forger with the right key would, to reach checks after the mac. */
function forge(version: string, payloadJson: string, key = KEY): string {
  const payload = Buffer.from(payloadJson, 'utf8').toString('base64url');
  const mac = createHmac('sha256', key).update(`cart-recovery/unsubscribe.${version}.${payload}`).digest('base64url');
  return `${version}.${payload}.${mac}`;
}

const reasonOf = (token: string, key: string | Buffer = KEY): string => {
  const result = verifyUnsubscribeToken(token, key);
  return result.ok ? 'ok' : result.reason;
};

describe('signUnsubscribeToken / verifyUnsubscribeToken', () => {
  it.each<UnsubscribeClaims>([
    CLAIMS,
    { cartId: 'gid://shopify/Cart/abc?key=1&x=2', scope: 'all' },
    { cartId: 'pañuelo-ñ-漢字', scope: 'cart' },
  ])('round-trips %j', (claims) => {
    const token = signUnsubscribeToken(claims, KEY);
    expect(verifyUnsubscribeToken(token, KEY)).toEqual({ ok: true, claims });
  });

  it('is URL-safe, versioned and deterministic', () => {
    const token = signUnsubscribeToken(CLAIMS, KEY);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(signUnsubscribeToken(CLAIMS, KEY)).toBe(token);
  });

  it('accepts the key as a Buffer with the same bytes', () => {
    const token = signUnsubscribeToken(CLAIMS, Buffer.from(KEY));
    expect(verifyUnsubscribeToken(token, KEY).ok).toBe(true);
  });

  it('carries no email address, only the cart id and scope', () => {
    const token = signUnsubscribeToken(CLAIMS, KEY);
    const payload = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8');
    expect(JSON.parse(payload)).toEqual({ c: CLAIMS.cartId, s: 'cart' });
    expect(payload).not.toContain('@');
  });

  it('binds the scope: a cart token and an all token differ', () => {
    const cart = signUnsubscribeToken(CLAIMS, KEY);
    const all = signUnsubscribeToken({ ...CLAIMS, scope: 'all' }, KEY);
    expect(cart).not.toBe(all);
  });
});

describe('verifyUnsubscribeToken rejections', () => {
  const token = signUnsubscribeToken(CLAIMS, KEY);
  const [version = '', payload = '', mac = ''] = token.split('.');
  const allPayload = Buffer.from(JSON.stringify({ c: CLAIMS.cartId, s: 'all' })).toString('base64url');
  const flip = (text: string, index: number): string =>
    text.slice(0, index) + (text[index] === 'A' ? 'B' : 'A') + text.slice(index + 1);

  it.each([
    ['a widened scope (payload swapped, mac kept)', `${version}.${allPayload}.${mac}`, /mac does not match/],
    ['a changed payload character', `${version}.${flip(payload, 3)}.${mac}`, /mac does not match|canonical/],
    ['a changed mac character', `${version}.${payload}.${flip(mac, 10)}`, /mac does not match/],
    ['a truncated mac', `${version}.${payload}.${mac.slice(0, -1)}`, /mac is not canonical/],
    ['a mac with extra characters', `${version}.${payload}.${mac}AA`, /mac is not canonical/],
    ['padding added', `${token}=`, /mac is not canonical/],
    ['another version prefix', `v3.${payload}.${mac}`, /unsupported version "v3"/],
    ['a v1 token relabelled v2', `v2.${payload}.${mac}`, /v2 token is not two dot-separated parts/],
    ['no version', `${payload}.${mac}`, /not three dot-separated parts/],
    ['an extra part', `${token}.x`, /not three dot-separated parts/],
    ['an empty string', '', /empty token/],
    ['garbage', 'hello world', /not three dot-separated parts/],
    ['garbage in three parts', 'v1.***.###', /not canonical/],
    ['an overlong token', `v1.${'A'.repeat(MAX_TOKEN_LENGTH)}.${mac}`, /longer than 700/],
  ])('rejects %s', (_label, candidate, reason) => {
    expect(reasonOf(candidate)).toMatch(reason);
  });

  it('rejects a token signed with another key', () => {
    expect(reasonOf(signUnsubscribeToken(CLAIMS, OTHER_KEY))).toMatch(/mac does not match/);
  });

  it('rejects a v3 token even when its mac is right for v3', () => {
    expect(reasonOf(forge('v3', JSON.stringify({ c: 'c1', s: 'cart' })))).toMatch(/unsupported version/);
  });

  it.each([
    ['not JSON', 'c1|cart'],
    ['a JSON array', '["c1","cart"]'],
    ['an unknown scope', JSON.stringify({ c: 'c1', s: 'everything' })],
    ['a blank cart id', JSON.stringify({ c: ' ', s: 'cart' })],
    ['a numeric cart id', JSON.stringify({ c: 42, s: 'cart' })],
  ])('rejects correctly signed but invalid claims: %s', (_label, json) => {
    expect(reasonOf(forge('v1', json))).toMatch(/payload is not valid claims/);
  });

  it('makes the token invalid when any single character is changed', () => {
    fc.assert(
      fc.property(
        fc.record({
          cartId: fc.string({ minLength: 1, maxLength: 80 }).filter((id) => id.trim() !== ''),
          scope: fc.constantFrom('cart' as const, 'all' as const),
        }),
        fc.nat(),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '),
        (claims, position, replacement) => {
          const valid = signUnsubscribeToken(claims, KEY);
          const index = position % valid.length;
          fc.pre(valid[index] !== replacement);
          const tampered = valid.slice(0, index) + replacement + valid.slice(index + 1);
          expect(verifyUnsubscribeToken(tampered, KEY).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('key and claim guards', () => {
  it('refuses a short key on both sides: a deployment mistake, not a bad token', () => {
    expect(() => signUnsubscribeToken(CLAIMS, 'short')).toThrow(/at least 16 bytes/);
    expect(() => verifyUnsubscribeToken('v1.a.b', Buffer.alloc(8))).toThrow(/at least 16 bytes/);
  });

  it('refuses to sign a blank cart id', () => {
    expect(() => signUnsubscribeToken({ cartId: '  ', scope: 'cart' }, KEY)).toThrow(/needs a cart id/);
  });

  it('refuses to sign a token that would be longer than the verifier accepts', () => {
    expect(() => signUnsubscribeToken({ cartId: 'x'.repeat(600), scope: 'cart' }, KEY)).toThrow(/too long/);
    expect(() =>
      signUnsubscribeToken(
        { cartId: 'x'.repeat(300), scope: 'cart', email: `${'a'.repeat(60)}@${'b'.repeat(200)}.com` },
        KEY,
      ),
    ).toThrow(/too long/);
  });

  it('refuses to bind something that is not an email address', () => {
    expect(() => signUnsubscribeToken({ cartId: 'c1', scope: 'all', email: 'not an address' }, KEY)).toThrow(
      /plausible email/,
    );
  });
});

describe('v2 tokens: the address the email went to, sealed', () => {
  const V2: UnsubscribeClaims = { cartId: 'shopify-c1-7f3a9b', scope: 'all', email: 'd1@example.com' };

  it.each<UnsubscribeClaims>([
    V2,
    { cartId: 'c1', scope: 'cart', email: 'sam+tag@example.co.uk' },
    { cartId: 'pañuelo-ñ-漢字', scope: 'all', email: 'ñandú@例え.jp' },
    { cartId: 'x'.repeat(100), scope: 'cart', email: `${'a'.repeat(64)}@${'b'.repeat(185)}.com` },
  ])('round-trips %j', (claims) => {
    const token = signUnsubscribeToken(claims, KEY);
    expect(token).toMatch(/^v2\.[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(verifyUnsubscribeToken(token, KEY)).toEqual({ ok: true, claims });
  });

  it('does not show the address or the cart to anyone without the key', () => {
    const token = signUnsubscribeToken(V2, KEY);
    const bytes = Buffer.from(token.slice(3), 'base64url');
    for (const text of [token, bytes.toString('utf8'), bytes.toString('latin1')]) {
      expect(text).not.toContain('d1@example.com');
      expect(text).not.toContain('example');
      expect(text).not.toContain('shopify-c1');
    }
  });

  it('is deterministic per claims and differs for another address, cart or scope', () => {
    const token = signUnsubscribeToken(V2, KEY);
    expect(signUnsubscribeToken(V2, KEY)).toBe(token);
    const others = [
      { ...V2, email: 'd2@example.com' },
      { ...V2, cartId: 'shopify-c2' },
      { ...V2, scope: 'cart' as const },
    ].map((claims) => signUnsubscribeToken(claims, KEY));
    expect(new Set([token, ...others]).size).toBe(4);
    // Different claims never share an iv (the first 12 bytes).
    expect(
      new Set([token, ...others].map((t) => Buffer.from(t.slice(3), 'base64url').subarray(0, 12).toString('hex'))).size,
    ).toBe(4);
  });

  it('rejects another key, truncation, extension and any single changed character', () => {
    const token = signUnsubscribeToken(V2, KEY);
    expect(reasonOf(signUnsubscribeToken(V2, OTHER_KEY))).toMatch(/seal does not open/);
    expect(reasonOf(token.slice(0, -1))).toMatch(/canonical|does not open/);
    expect(reasonOf(token.slice(0, 3 + 30))).toMatch(/too short|canonical/);
    expect(reasonOf(`${token}AAAA`)).toMatch(/does not open/);
    expect(reasonOf(`${token}.x`)).toMatch(/not two dot-separated parts/);
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '),
        (position, replacement) => {
          const index = position % token.length;
          fc.pre(token[index] !== replacement);
          expect(verifyUnsubscribeToken(token.slice(0, index) + replacement + token.slice(index + 1), KEY).ok).toBe(
            false,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps old v1 links (cart only) working beside v2', () => {
    const v1 = signUnsubscribeToken({ cartId: V2.cartId, scope: 'all' }, KEY);
    expect(v1.startsWith('v1.')).toBe(true);
    expect(verifyUnsubscribeToken(v1, KEY)).toEqual({ ok: true, claims: { cartId: V2.cartId, scope: 'all' } });
  });
});

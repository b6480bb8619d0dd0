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
    ['another version prefix', `v2.${payload}.${mac}`, /unsupported version "v2"/],
    ['no version', `${payload}.${mac}`, /not three dot-separated parts/],
    ['an extra part', `${token}.x`, /not three dot-separated parts/],
    ['an empty string', '', /empty token/],
    ['garbage', 'hello world', /not three dot-separated parts/],
    ['garbage in three parts', 'v1.***.###', /not canonical/],
    ['an overlong token', `v1.${'A'.repeat(MAX_TOKEN_LENGTH)}.${mac}`, /longer than 512/],
  ])('rejects %s', (_label, candidate, reason) => {
    expect(reasonOf(candidate)).toMatch(reason);
  });

  it('rejects a token signed with another key', () => {
    expect(reasonOf(signUnsubscribeToken(CLAIMS, OTHER_KEY))).toMatch(/mac does not match/);
  });

  it('rejects a v2 token even when its mac is right for v2', () => {
    expect(reasonOf(forge('v2', JSON.stringify({ c: 'c1', s: 'cart' })))).toMatch(/unsupported version/);
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
        fc.record({ cartId: fc.string({ minLength: 1, maxLength: 80 }).filter((id) => id.trim() !== ''), scope: fc.constantFrom('cart' as const, 'all' as const) }),
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
    expect(() => signUnsubscribeToken({ cartId: 'x'.repeat(400), scope: 'cart' }, KEY)).toThrow(/cart id too long/);
  });
});

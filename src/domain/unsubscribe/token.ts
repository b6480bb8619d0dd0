import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, non-expiring unsubscribe tokens for the one-click (RFC 8058) and footer links.
 *
 * Format: `v1.<payload>.<mac>`
 * - `payload` is base64url (no padding) of the UTF-8 JSON `{"c":"<cartId>","s":"cart"|"all"}`. It names the cart,
 *   never the email address: the unsubscribe handler looks the address up from the cart.
 * - `mac` is base64url (no padding) of HMAC-SHA256(key, `"cart-recovery/unsubscribe." + "v1." + payload`), all 32
 *   bytes. The context prefix keeps a key shared with another use from producing a valid unsubscribe mac.
 *
 * Tokens never expire: CAN-SPAM requires an opt-out to keep working for at least 30 days after sending, and a link
 * in an old email should still work years later. Both parts must be canonical base64url, so no two strings verify
 * as the same token; the whole token is at most {@link MAX_TOKEN_LENGTH} characters.
 */

/** What a token says: which cart, and whether the shopper leaves this cart's reminders or all of them. */
export interface UnsubscribeClaims {
  readonly cartId: string;
  readonly scope: 'cart' | 'all';
}

/** Verification outcome; `reason` is for the log, never shown to the shopper verbatim. */
export type UnsubscribeVerification =
  | { readonly ok: true; readonly claims: UnsubscribeClaims }
  | { readonly ok: false; readonly reason: string };

/** Longest token accepted; anything longer is refused before any decoding or hashing. */
export const MAX_TOKEN_LENGTH = 512;
/** Shortest signing key accepted, in bytes (HMAC keys below 128 bits are a configuration mistake). */
export const MIN_KEY_BYTES = 16;

const VERSION = 'v1';
const CONTEXT = 'cart-recovery/unsubscribe.';
const MAC_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Signs claims into a URL-safe token.
 *
 * @throws Error when the key is shorter than {@link MIN_KEY_BYTES}, the cart id is blank, or the token would exceed
 * {@link MAX_TOKEN_LENGTH} (a cart id of a few hundred characters).
 */
export function signUnsubscribeToken(claims: UnsubscribeClaims, key: string | Buffer): string {
  const secret = keyBytes(key);
  if (claims.cartId.trim() === '') throw new Error('unsubscribe token needs a cart id');
  if (claims.scope !== 'cart' && claims.scope !== 'all') throw new Error(`unknown unsubscribe scope "${String(claims.scope)}"`);
  const payload = Buffer.from(JSON.stringify({ c: claims.cartId, s: claims.scope }), 'utf8').toString('base64url');
  const token = `${VERSION}.${payload}.${mac(secret, payload).toString('base64url')}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new Error(`unsubscribe token would be ${token.length} characters; cart id too long`);
  return token;
}

/**
 * Checks a token and returns its claims. Any alteration of version, payload or mac, a token signed with another
 * key, and anything malformed or longer than {@link MAX_TOKEN_LENGTH} fail. The mac is compared in constant time.
 *
 * @throws Error only for a key shorter than {@link MIN_KEY_BYTES} (a deployment mistake, not a bad token).
 */
export function verifyUnsubscribeToken(token: string, key: string | Buffer): UnsubscribeVerification {
  const secret = keyBytes(key);
  if (typeof token !== 'string' || token.length === 0) return fail('empty token');
  if (token.length > MAX_TOKEN_LENGTH) return fail(`token longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  const [version, payload, macText] = parts;
  if (parts.length !== 3 || version === undefined || payload === undefined || macText === undefined) {
    return fail('not three dot-separated parts');
  }
  if (version !== VERSION) return fail(`unsupported version "${version.slice(0, 8)}"`);

  const given = decodeCanonical(macText);
  if (given === undefined || given.length !== MAC_BYTES) return fail('mac is not canonical base64url of 32 bytes');
  if (decodeCanonical(payload) === undefined) return fail('payload is not canonical base64url');
  if (!timingSafeEqual(given, mac(secret, payload))) return fail('mac does not match');

  const claims = readClaims(payload);
  return claims === undefined ? fail('payload is not valid claims') : { ok: true, claims };
}

function fail(reason: string): UnsubscribeVerification {
  return { ok: false, reason };
}

function keyBytes(key: string | Buffer): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < MIN_KEY_BYTES) throw new Error(`unsubscribe signing key must be at least ${MIN_KEY_BYTES} bytes`);
  return bytes;
}

function mac(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${CONTEXT}${VERSION}.${payload}`, 'utf8').digest();
}

/** Decodes base64url only when re-encoding gives the same text; Node's decoder otherwise ignores stray bits. */
function decodeCanonical(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function readClaims(payload: string): UnsubscribeClaims | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { c: cartId, s: scope } = parsed as Record<string, unknown>;
  if (typeof cartId !== 'string' || cartId.trim() === '') return undefined;
  if (scope !== 'cart' && scope !== 'all') return undefined;
  return { cartId, scope };
}

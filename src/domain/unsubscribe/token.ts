import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Signed, non-expiring unsubscribe tokens for the one-click (RFC 8058) and footer links. Two versions verify:
 *
 * `v2.<sealed>` (every link built now) binds the address the email was sent to, unreadably:
 * - `sealed` is base64url (no padding) of `iv (12 bytes) || ciphertext || tag (16 bytes)`: AES-256-GCM over the UTF-8
 *   JSON `{"c":"<cartId>","s":"cart"|"all","e":"<email>"}`, with the associated data `cart-recovery/unsubscribe.v2`.
 * - Both keys come from the one configured key through HKDF-SHA256 (info `cart-recovery/unsubscribe.v2 enc` and
 *   `... iv`), so no new secret is needed. The iv is the first 12 bytes of HMAC-SHA256(iv key, plaintext) (the SIV
 *   construction): the same claims always give the same token, different claims never share an iv, and no random
 *   source is needed. Only the holder of the key can read the address or make a token; any change to any byte fails
 *   the tag.
 * - The opt-out lands on that address whatever happened to the cart since (its email changed, its row expired).
 *
 * `v1.<payload>.<mac>` (links already in inboxes) names only the cart; the handler looks the address up from the cart:
 * - `payload` is base64url (no padding) of the UTF-8 JSON `{"c":"<cartId>","s":"cart"|"all"}`.
 * - `mac` is base64url (no padding) of HMAC-SHA256(key, `"cart-recovery/unsubscribe." + "v1." + payload`), all 32
 *   bytes. The context prefix keeps a key shared with another use from producing a valid unsubscribe mac.
 *
 * Tokens never expire: CAN-SPAM requires an opt-out to keep working for at least 30 days after sending, and a link
 * in an old email should still work years later. Every part must be canonical base64url, so no two strings verify
 * as the same token; the whole token is at most {@link MAX_TOKEN_LENGTH} characters.
 */

/** What a token says: which cart, whether the shopper leaves this cart's reminders or all of them, and (v2) to whom. */
export interface UnsubscribeClaims {
  readonly cartId: string;
  readonly scope: 'cart' | 'all';
  /** The address the email carrying the link was sent to (v2); absent in v1 tokens, which name only the cart. */
  readonly email?: string;
}

/** Verification outcome; `reason` is for the log, never shown to the shopper verbatim. */
export type UnsubscribeVerification =
  | { readonly ok: true; readonly claims: UnsubscribeClaims }
  | { readonly ok: false; readonly reason: string };

/**
 * Longest token accepted; anything longer is refused before any decoding or hashing. 700 keeps the
 * `List-Unsubscribe` header (base URL, token and an optional mailto) inside SES's 870-character header value.
 */
export const MAX_TOKEN_LENGTH = 700;
/** Shortest signing key accepted, in bytes (HMAC keys below 128 bits are a configuration mistake). */
export const MIN_KEY_BYTES = 16;

const CONTEXT = 'cart-recovery/unsubscribe.';
const MAC_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEAL_AAD = Buffer.from(`${CONTEXT}v2`, 'utf8');
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** A plausible address: something@something, no spaces, at most 254 characters (RFC 5321). */
const PLAUSIBLE_EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

/**
 * Signs claims into a URL-safe token: v2 (sealed, binding the address) when the claims carry an email, else v1.
 *
 * @throws Error when the key is shorter than {@link MIN_KEY_BYTES}, the cart id is blank, the email is not
 * plausible, or the token would exceed {@link MAX_TOKEN_LENGTH} (a cart id and address of several hundred characters).
 */
export function signUnsubscribeToken(claims: UnsubscribeClaims, key: string | Buffer): string {
  const secret = keyBytes(key);
  if (claims.cartId.trim() === '') throw new Error('unsubscribe token needs a cart id');
  if (claims.scope !== 'cart' && claims.scope !== 'all')
    throw new Error(`unknown unsubscribe scope "${String(claims.scope)}"`);
  let token: string;
  if (claims.email === undefined) {
    const payload = Buffer.from(JSON.stringify({ c: claims.cartId, s: claims.scope }), 'utf8').toString('base64url');
    token = `v1.${payload}.${mac(secret, payload).toString('base64url')}`;
  } else {
    if (!PLAUSIBLE_EMAIL.test(claims.email)) throw new Error('unsubscribe token needs a plausible email address');
    const plaintext = Buffer.from(JSON.stringify({ c: claims.cartId, s: claims.scope, e: claims.email }), 'utf8');
    token = `v2.${seal(secret, plaintext).toString('base64url')}`;
  }
  if (token.length > MAX_TOKEN_LENGTH)
    throw new Error(`unsubscribe token would be ${token.length} characters; cart id or email too long`);
  return token;
}

/**
 * Checks a token and returns its claims. Any alteration, a token made with another key, and anything malformed or
 * longer than {@link MAX_TOKEN_LENGTH} fail. Macs and ivs are compared in constant time.
 *
 * @throws Error only for a key shorter than {@link MIN_KEY_BYTES} (a deployment mistake, not a bad token).
 */
export function verifyUnsubscribeToken(token: string, key: string | Buffer): UnsubscribeVerification {
  const secret = keyBytes(key);
  if (typeof token !== 'string' || token.length === 0) return fail('empty token');
  if (token.length > MAX_TOKEN_LENGTH) return fail(`token longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  const version = parts[0] ?? '';
  if (version === 'v2')
    return parts.length === 2 ? verifySealed(parts[1] ?? '', secret) : fail('v2 token is not two dot-separated parts');
  if (parts.length !== 3) return fail('not three dot-separated parts');
  if (version !== 'v1') return fail(`unsupported version "${version.slice(0, 8)}"`);
  const [, payload = '', macText = ''] = parts;

  const given = decodeCanonical(macText);
  if (given === undefined || given.length !== MAC_BYTES) return fail('mac is not canonical base64url of 32 bytes');
  if (decodeCanonical(payload) === undefined) return fail('payload is not canonical base64url');
  if (!timingSafeEqual(given, mac(secret, payload))) return fail('mac does not match');

  const claims = readClaims(Buffer.from(payload, 'base64url'), false);
  return claims === undefined ? fail('payload is not valid claims') : { ok: true, claims };
}

function verifySealed(sealedText: string, secret: Buffer): UnsubscribeVerification {
  const sealed = decodeCanonical(sealedText);
  if (sealed === undefined) return fail('sealed part is not canonical base64url');
  if (sealed.length <= IV_BYTES + TAG_BYTES) return fail('sealed part too short');
  const plaintext = open(secret, sealed);
  if (plaintext === undefined) return fail('seal does not open');
  // The iv must be the one the plaintext gives: one token per claims, as with v1.
  if (!timingSafeEqual(sealed.subarray(0, IV_BYTES), ivFor(secret, plaintext))) return fail('iv does not match');
  const claims = readClaims(plaintext, true);
  return claims === undefined ? fail('sealed claims are not valid') : { ok: true, claims };
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
  return createHmac('sha256', secret).update(`${CONTEXT}v1.${payload}`, 'utf8').digest();
}

function derive(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `${CONTEXT}v2 ${purpose}`, 32));
}

function ivFor(secret: Buffer, plaintext: Buffer): Buffer {
  return createHmac('sha256', derive(secret, 'iv')).update(plaintext).digest().subarray(0, IV_BYTES);
}

function seal(secret: Buffer, plaintext: Buffer): Buffer {
  const iv = ivFor(secret, plaintext);
  const cipher = createCipheriv('aes-256-gcm', derive(secret, 'enc'), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(SEAL_AAD);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the tag does not verify (altered, truncated, or made with another key). */
function open(secret: Buffer, sealed: Buffer): Buffer | undefined {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', derive(secret, 'enc'), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(SEAL_AAD);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Decodes base64url only when re-encoding gives the same text; Node's decoder otherwise ignores stray bits. */
function decodeCanonical(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function readClaims(json: Buffer, withEmail: boolean): UnsubscribeClaims | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { c: cartId, s: scope, e: email } = parsed as Record<string, unknown>;
  if (typeof cartId !== 'string' || cartId.trim() === '') return undefined;
  if (scope !== 'cart' && scope !== 'all') return undefined;
  if (!withEmail) return { cartId, scope };
  if (typeof email !== 'string' || !PLAUSIBLE_EMAIL.test(email)) return undefined;
  return { cartId, scope, email };
}

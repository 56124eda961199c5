/**
 * Session tokens. The client holds the token; the store keeps only its SHA-256, so a leaked
 * database does not hand out live sessions. A token has 256 bits of entropy, so a plain (unsalted,
 * fast) hash is enough: there is nothing to brute-force.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes per token. 32 (256 bits). */
export const TOKEN_BYTES = 32;
/** base64url of 32 bytes, no padding: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new session token: 32 random bytes, base64url (43 chars, safe in headers and cookies). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** True when `s` has the shape newToken() produces; lets callers refuse junk before touching the store. */
export function isTokenShaped(s: unknown): s is string {
  return typeof s === 'string' && TOKEN_PATTERN.test(s);
}

/** SHA-256 of the token, lowercase hex (64 chars): what the store keeps and looks up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Per-process key so the comparison digests below are unpredictable to a caller. */
const compareKey = randomBytes(32);

/**
 * Constant-time string equality for strings of any length: both sides are HMACed to 32 bytes
 * first, so neither the content nor the length of a secret leaks through timing (timingSafeEqual
 * alone throws on different lengths, and an early length check would leak the length).
 */
export function safeEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const da = createHmac('sha256', compareKey).update(a, 'utf8').digest();
  const db = createHmac('sha256', compareKey).update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

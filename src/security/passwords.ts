/**
 * Password hashing with scrypt (node:crypto only), and the username/password rules.
 *
 * Encoded hashes are self-describing, `scrypt$N$r$p$<salt base64>$<key base64>`, so the cost can
 * be raised later without breaking stored hashes (see needsRehash).
 *
 * Timing: login must take the same time whether or not the username exists, otherwise the
 * response time tells an attacker which accounts exist. verifyPasswordOrDummy() does the full
 * scrypt work against a dummy hash when there is no stored hash.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Cost parameters for new hashes: N = 2^15, r = 8, p = 1 → 32 MiB of memory and ~150–250 ms of
 * one core per hash on the project's 2-core machine. That is below OWASP's N = 2^17 suggestion;
 * the design trades it for login latency and for how long a burst of logins occupies the libuv
 * pool (4 threads). Raise it here; old hashes keep verifying (see needsRehash).
 */
export const SCRYPT_PARAMS = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });
/** Salt length in bytes (random per hash). 16. */
export const SALT_BYTES = 16;
/** Derived key length in bytes. 64. */
export const KEY_BYTES = 64;

/** Password length bounds, in Unicode code points after NFC. 8..1024 (the upper bound caps hashing cost per request). */
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 1024;
export const USERNAME_PATTERN = /^[A-Za-z0-9_]{3,32}$/;

/**
 * Bounds accepted when *verifying*: a stored hash names its own cost, and a corrupted or planted
 * one must not make a login allocate gigabytes (scrypt memory is 128·N·r bytes).
 */
const VERIFY_LIMITS = { minN: 2 ** 14, maxN: 2 ** 17, maxR: 16, maxP: 4, maxMemBytes: 256 * 1024 * 1024 };

interface Params {
  N: number;
  r: number;
  p: number;
}

/** scrypt needs 128·N·r bytes for V plus 128·r·p for B; Node's default maxmem (32 MiB) is just too small for N=2^15 r=8. */
function maxmemFor({ N, r, p }: Params): number {
  return 128 * r * (N + p + 2) + 1024 * 1024;
}

function scryptAsync(password: string, salt: Buffer, keylen: number, params: Params): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: maxmemFor(params) };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Passwords are NFC-normalized before hashing so that the same visible password typed on two
 * keyboards (precomposed é vs e + combining accent) verifies.
 */
function prepare(password: string): string {
  return password.normalize('NFC');
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(prepare(password), salt, KEY_BYTES, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface Decoded extends Params {
  salt: Buffer;
  key: Buffer;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeB64(s: string): Buffer | undefined {
  if (!B64.test(s)) return undefined;
  const buf = Buffer.from(s, 'base64');
  // Canonical only: Buffer.from ignores junk bits, so re-encode to be sure the text is what we wrote.
  return buf.toString('base64') === s ? buf : undefined;
}

function decimal(s: string | undefined): number | undefined {
  return s !== undefined && /^[1-9]\d{0,9}$/.test(s) ? Number(s) : undefined;
}

/** Parses an encoded hash; undefined when malformed or outside the accepted cost bounds. */
function decode(encoded: string): Decoded | undefined {
  if (typeof encoded !== 'string' || encoded.length > 512) return undefined;
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const N = decimal(parts[1]);
  const r = decimal(parts[2]);
  const p = decimal(parts[3]);
  if (N === undefined || r === undefined || p === undefined) return undefined;
  if (N < VERIFY_LIMITS.minN || N > VERIFY_LIMITS.maxN || (N & (N - 1)) !== 0) return undefined;
  if (r > VERIFY_LIMITS.maxR || p > VERIFY_LIMITS.maxP || 128 * N * r > VERIFY_LIMITS.maxMemBytes) return undefined;
  const salt = decodeB64(parts[4] ?? '');
  const key = decodeB64(parts[5] ?? '');
  if (!salt || !key || salt.length < 16 || salt.length > 64 || key.length < 32 || key.length > 128) return undefined;
  return { N, r, p, salt, key };
}

/** True when the password matches. Never throws: a malformed encoding or a non-string is simply false. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (typeof password !== 'string') return false;
  const d = decode(encoded);
  if (!d) return false;
  try {
    const key = await scryptAsync(prepare(password), d.salt, d.key.length, d);
    return timingSafeEqual(key, d.key);
  } catch {
    return false;
  }
}

/** True when a stored hash uses other parameters than new hashes get (rehash it after a successful login). */
export function needsRehash(encoded: string): boolean {
  const d = decode(encoded);
  return !d || d.N !== SCRYPT_PARAMS.N || d.r !== SCRYPT_PARAMS.r || d.p !== SCRYPT_PARAMS.p || d.salt.length !== SALT_BYTES || d.key.length !== KEY_BYTES;
}

let dummyHash: Promise<string> | undefined;

/**
 * A valid hash of a random password nobody knows, computed once on first use (not at import:
 * that would cost every CLI command a scrypt run). Same parameters as real hashes, so verifying
 * against it costs the same as verifying a real user.
 */
export function getDummyHash(): Promise<string> {
  if (!dummyHash) {
    dummyHash = hashPassword(randomBytes(32).toString('base64url'));
    dummyHash.catch(() => {
      dummyHash = undefined; // try again next time rather than caching a failure
    });
  }
  return dummyHash;
}

/**
 * Login helper: verifies against `encoded`, or against the dummy hash when the user does not
 * exist (then always false), so both cases cost one full scrypt run.
 */
export async function verifyPasswordOrDummy(password: string, encoded: string | null | undefined): Promise<boolean> {
  if (encoded === null || encoded === undefined) {
    await verifyPassword(typeof password === 'string' ? password : '', await getDummyHash());
    return false;
  }
  return verifyPassword(password, encoded);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * 8..1024 Unicode code points after NFC, and well-formed (a lone surrogate would be hashed as
 * U+FFFD, making different inputs equal). No composition rules: length is what matters.
 */
export function validatePassword(password: unknown): password is string {
  if (typeof password !== 'string') return false;
  // Cheap bound before normalizing attacker-sized input: 1024 code points are at most 2048 UTF-16 units (NFC rarely expands; checked again below).
  if (password.length > PASSWORD_MAX_CHARS * 2 + 16) return false;
  if (LONE_SURROGATE.test(password)) return false;
  let count = 0;
  for (const _ of password.normalize('NFC')) count++;
  return count >= PASSWORD_MIN_CHARS && count <= PASSWORD_MAX_CHARS;
}

/** ^[A-Za-z0-9_]{3,32}$ — ASCII only, so no look-alike (homoglyph) usernames. */
export function validateUsername(name: unknown): name is string {
  return typeof name === 'string' && USERNAME_PATTERN.test(name);
}

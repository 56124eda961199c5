/**
 * Counts failures per key in a sliding window and blocks a key once it has `max` failures within
 * `windowMs`. Used for login throttling (loginMaxFailuresPerUsername 5 and loginMaxFailuresPerIp
 * 20 per loginWindowMs 60 s; a successful login resets the username key) and for registrations
 * per IP (registrationsPerIpPerHour 10 per hour: each registration is a `fail`).
 *
 * Blocking always expires: a key is blocked only while `max` of its failures are younger than
 * `windowMs`, and failures are not counted while blocked (the caller refuses before checking the
 * password), so an attacker guessing a username cannot lock its owner out for longer than one
 * window after they stop.
 *
 * Memory is bounded: each key keeps at most `max` timestamps, keys whose failures have all expired
 * are pruned as new failures arrive, and at most `maxKeys` (default 100 000) keys are kept — when
 * full, the key with the oldest last failure is evicted. Eviction forgets a counter early, which
 * helps an attacker who can spread failures over 100 000 keys within one window; that bound is the
 * price of not running out of memory under a flood, and the per-IP limiter still applies.
 */
import { createHash } from 'node:crypto';

export type LimitResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface AttemptLimiterOptions {
  /** Failures within the window that block the key (≥ 1). */
  max: number;
  /** Window length in ms (> 0). */
  windowMs: number;
  /** Clock in ms; injectable for tests. Default Date.now. */
  now?: () => number;
  /** Most keys tracked at once; the oldest is evicted beyond. Default 100 000. */
  maxKeys?: number;
}

const OK: LimitResult = Object.freeze({ ok: true });
/** Keys longer than this are stored as their SHA-256, so an attacker-chosen username cannot make one entry large. 128 chars. */
const MAX_KEY_CHARS = 128;

function normalizeKey(key: string): string {
  return key.length <= MAX_KEY_CHARS ? key : `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export class AttemptLimiter {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;
  /** key → failure times ascending (at most `max`); Map order = order of last failure, oldest first. */
  private readonly entries = new Map<string, number[]>();

  constructor({ max, windowMs, now = Date.now, maxKeys = 100_000 }: AttemptLimiterOptions) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be an integer >= 1');
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError('windowMs must be a finite number > 0');
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be an integer >= 1');
    this.max = max;
    this.windowMs = windowMs;
    this.now = now;
    this.maxKeys = maxKeys;
  }

  /** Drops the failures of `times` that are outside the window ending at t. */
  private expire(times: number[], t: number): void {
    const cutoff = t - this.windowMs;
    let i = 0;
    while (i < times.length && (times[i] as number) <= cutoff) i++;
    if (i > 0) times.splice(0, i);
  }

  /** Removes keys whose last failure left the window, oldest first; stops at the first live one (amortized O(1)). */
  private pruneExpired(t: number): void {
    const cutoff = t - this.windowMs;
    for (const [key, times] of this.entries) {
      const last = times[times.length - 1];
      if (last !== undefined && last > cutoff) break;
      this.entries.delete(key);
    }
  }

  /** Whether the key may attempt now; when blocked, how long until its oldest counted failure expires. */
  check(key: string): LimitResult {
    const k = normalizeKey(key);
    const times = this.entries.get(k);
    if (!times) return OK;
    const t = this.now();
    this.expire(times, t);
    if (times.length === 0) {
      this.entries.delete(k);
      return OK;
    }
    if (times.length < this.max) return OK;
    const oldestCounted = times[times.length - this.max] as number;
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(oldestCounted + this.windowMs - t)) };
  }

  /** Records one failure (or, for registration limits, one event) for the key. */
  fail(key: string): void {
    const k = normalizeKey(key);
    const t = this.now();
    this.pruneExpired(t);
    const times = this.entries.get(k);
    if (times) {
      // Re-insert so Map order stays "oldest last failure first" for pruning and eviction.
      this.entries.delete(k);
      this.expire(times, t);
      times.push(t);
      if (times.length > this.max) times.splice(0, times.length - this.max);
      this.entries.set(k, times);
      return;
    }
    if (this.entries.size >= this.maxKeys) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(k, [t]);
  }

  /** Forgets the key (a successful login resets its username's counter). */
  reset(key: string): void {
    this.entries.delete(normalizeKey(key));
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}

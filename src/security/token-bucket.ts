/**
 * A token bucket: `burst` tokens at most, refilled continuously at `ratePerSecond`, starting full.
 * Used per connection (messagesPerSecond 20 / messageBurst 40 by default) and per user
 * (userMessagesPerSecond 40 / userMessageBurst 80). One exists per live connection, so it keeps
 * four numbers and a clock reference, and does no work between calls (refill is computed lazily).
 */

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

const OK: TakeResult = Object.freeze({ ok: true });
/** Floating-point slack so that, e.g., 3 refills of 1/3 token count as 1 token. */
const EPSILON = 1e-9;

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;

  /**
   * @param ratePerSecond tokens added per second (> 0)
   * @param burst capacity in tokens (≥ 1); the bucket starts full
   * @param now clock in ms; injectable for tests
   */
  constructor(
    ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError('ratePerSecond must be a finite number > 0');
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError('burst must be a finite number >= 1');
    this.perMs = ratePerSecond / 1000;
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    // A clock that steps backwards (NTP) adds nothing rather than removing tokens.
    const elapsed = t - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perMs);
    }
    this.last = t;
  }

  /**
   * Takes n tokens if available. Otherwise takes nothing and says how long until n tokens will
   * be there (ms, rounded up, at least 1). n larger than burst can never succeed: RangeError.
   */
  take(n = 1): TakeResult {
    if (!(n > 0) || n > this.burst) throw new RangeError(`n must be in (0, ${this.burst}]`);
    this.refill();
    if (this.tokens + EPSILON >= n) {
      this.tokens = Math.max(0, this.tokens - n);
      return OK;
    }
    // The EPSILON keeps float noise (50.0000001 ms) from adding a whole millisecond.
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((n - this.tokens) / this.perMs - EPSILON)) };
  }

  /** Tokens available now (for tests and metrics). */
  available(): number {
    this.refill();
    return this.tokens;
  }
}

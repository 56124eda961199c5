/**
 * Counts events in a sliding window and reports when `max` of them fall within `windowMs`.
 * Used per connection for "rateViolationsToClose (5) RATE_LIMITED replies within
 * rateViolationWindowMs (10 s) → close 1008": a client that keeps hammering after being told to
 * slow down is dropped, one that trips the limit now and then is not.
 *
 * One exists per live connection, so the timestamp array is allocated only on the first event and
 * never holds more than `max` entries.
 */
export class ViolationWindow {
  private times: number[] | undefined;

  /**
   * @param max events within the window that trip it (≥ 1)
   * @param windowMs window length in ms (> 0)
   * @param now clock in ms; injectable for tests
   */
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be an integer >= 1');
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError('windowMs must be a finite number > 0');
  }

  /** Records one event; true when this makes `max` events within the last windowMs (the caller closes 1008). */
  record(): boolean {
    const t = this.now();
    const times = (this.times ??= []);
    times.push(t);
    // Only the newest `max` events can matter; older ones are dropped.
    if (times.length > this.max) times.shift();
    return times.length >= this.max && t - (times[0] as number) < this.windowMs;
  }

  /** Events currently within the window. */
  count(): number {
    if (!this.times) return 0;
    const cutoff = this.now() - this.windowMs;
    return this.times.filter((x) => x > cutoff).length;
  }

  reset(): void {
    this.times = undefined;
  }
}

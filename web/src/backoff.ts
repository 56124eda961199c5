/**
 * Reconnect delays: exponential with "equal jitter" (half fixed, half random). The fixed half
 * keeps a client from hammering a server that just came back; the random half spreads a
 * thousand clients that lost the same server over the window instead of a thundering herd.
 * Pure, so it is unit-tested without a browser.
 */
export interface BackoffPolicy {
  /** First delay ceiling, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

/** Delay before reconnect attempt number `attempt` (0 = the first retry). `random` is in [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}

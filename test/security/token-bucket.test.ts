import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../src/security/token-bucket.js';
import { manualClock } from './clock.js';

test('starts full: burst takes succeed at once, the next one is refused', () => {
  const clock = manualClock();
  const b = new TokenBucket(20, 40, clock.now);
  for (let i = 0; i < 40; i++) assert.deepEqual(b.take(), { ok: true }, `take ${i}`);
  const r = b.take();
  assert.equal(r.ok, false);
  // 20/s → one token every 50 ms
  assert.deepEqual(r, { ok: false, retryAfterMs: 50 });
});

test('refills continuously at the rate, never above burst', () => {
  const clock = manualClock();
  const b = new TokenBucket(20, 40, clock.now);
  for (let i = 0; i < 40; i++) b.take();
  clock.advance(49);
  assert.deepEqual(b.take(), { ok: false, retryAfterMs: 1 });
  clock.advance(1);
  assert.deepEqual(b.take(), { ok: true });
  clock.advance(25);
  assert.ok(Math.abs(b.available() - 0.5) < 1e-9);
  clock.advance(60 * 60 * 1000);
  assert.equal(b.available(), 40, 'capped at burst after a long idle');
});

test('sustained rate: exactly rate takes per second after the burst is spent', () => {
  const clock = manualClock();
  const b = new TokenBucket(20, 40, clock.now);
  for (let i = 0; i < 40; i++) b.take();
  let ok = 0;
  for (let ms = 0; ms < 1000; ms++) {
    clock.advance(1);
    if (b.take().ok) ok++;
  }
  assert.equal(ok, 20);
});

test('retryAfterMs is the time until n tokens are there, rounded up, at least 1', () => {
  const clock = manualClock();
  const b = new TokenBucket(3, 5, clock.now); // one token every 333.3 ms
  assert.deepEqual(b.take(5), { ok: true });
  assert.deepEqual(b.take(2), { ok: false, retryAfterMs: 667 });
  clock.advance(666);
  assert.equal(b.take(2).ok, false, 'a refused take consumes nothing');
  clock.advance(1);
  assert.deepEqual(b.take(2), { ok: true });
  // With 0.9999 tokens short by a hair, retryAfterMs is still ≥ 1.
  const c = new TokenBucket(1000, 1, clock.now);
  c.take();
  const r = c.take();
  assert.ok(!r.ok && r.retryAfterMs >= 1);
});

test('fractional rates accumulate without float loss', () => {
  const clock = manualClock();
  const b = new TokenBucket(3, 1, clock.now);
  b.take();
  for (let i = 0; i < 3; i++) {
    clock.advance(111);
    b.available();
  }
  clock.advance(1); // 334 ms ≥ 333.33
  assert.deepEqual(b.take(), { ok: true });
});

test('a clock stepping backwards adds no tokens and removes none', () => {
  const clock = manualClock(10_000);
  const b = new TokenBucket(10, 2, clock.now);
  b.take();
  clock.set(5_000);
  assert.ok(Math.abs(b.available() - 1) < 1e-9);
  assert.deepEqual(b.take(), { ok: true });
  assert.equal(b.take().ok, false);
});

test('bad arguments are programmer errors', () => {
  assert.throws(() => new TokenBucket(0, 1), RangeError);
  assert.throws(() => new TokenBucket(1, 0), RangeError);
  assert.throws(() => new TokenBucket(Number.NaN, 1), RangeError);
  const b = new TokenBucket(1, 2);
  assert.throws(() => b.take(3), RangeError, 'more than burst can never succeed');
  assert.throws(() => b.take(0), RangeError);
});

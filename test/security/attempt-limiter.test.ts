import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptLimiter } from '../../src/security/attempt-limiter.js';
import { manualClock } from './clock.js';

const MINUTE = 60_000;

test('blocks once failures in the window reach max (login: 5 per minute per username)', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 5, windowMs: MINUTE, now: clock.now });
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(l.check('alice'), { ok: true }, `attempt ${i + 1}`);
    l.fail('alice');
    clock.advance(1000);
  }
  // 5 failures at t0..t0+4s, now t0+5s: blocked until the first one is a minute old.
  assert.deepEqual(l.check('alice'), { ok: false, retryAfterMs: MINUTE - 5000 });
  assert.deepEqual(l.check('bob'), { ok: true }, 'keys are independent');
});

test('blocking expires: the real user is never locked out for good', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 5, windowMs: MINUTE, now: clock.now });
  for (let i = 0; i < 5; i++) l.fail('alice');
  const r = l.check('alice');
  assert.equal(r.ok, false);
  clock.advance(MINUTE - 1);
  assert.deepEqual(l.check('alice'), { ok: false, retryAfterMs: 1 });
  clock.advance(1);
  assert.deepEqual(l.check('alice'), { ok: true });
  assert.equal(l.size, 0, 'expired key is dropped');
});

test('sliding window: only the failures younger than windowMs count', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 3, windowMs: 10_000, now: clock.now });
  l.fail('k'); // t=0
  clock.advance(6000);
  l.fail('k'); // t=6
  clock.advance(3000);
  l.fail('k'); // t=9 → 3 in window
  assert.deepEqual(l.check('k'), { ok: false, retryAfterMs: 1000 });
  clock.advance(1000); // t=10: the first has expired
  assert.deepEqual(l.check('k'), { ok: true });
  l.fail('k'); // t=10 → 6, 9, 10
  assert.deepEqual(l.check('k'), { ok: false, retryAfterMs: 6000 });
});

test('reset forgets the key (successful login resets the username counter)', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 2, windowMs: MINUTE, now: clock.now });
  l.fail('alice');
  l.fail('alice');
  assert.equal(l.check('alice').ok, false);
  l.reset('alice');
  assert.deepEqual(l.check('alice'), { ok: true });
});

test('expired keys are pruned as new failures arrive', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 5, windowMs: MINUTE, now: clock.now });
  for (let i = 0; i < 1000; i++) l.fail(`user${i}`);
  assert.equal(l.size, 1000);
  clock.advance(MINUTE);
  l.fail('fresh');
  assert.equal(l.size, 1);
});

test('maxKeys caps memory: when full the oldest key is evicted', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 1, windowMs: MINUTE, now: clock.now, maxKeys: 3 });
  l.fail('a');
  clock.advance(1);
  l.fail('b');
  clock.advance(1);
  l.fail('c');
  clock.advance(1);
  l.fail('a'); // refreshes a: b is now the oldest
  l.fail('d');
  assert.equal(l.size, 3);
  assert.deepEqual(l.check('b'), { ok: true }, 'b evicted');
  for (const k of ['a', 'c', 'd']) assert.equal(l.check(k).ok, false, k);
});

test('each key keeps at most max timestamps, and huge keys are stored hashed', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 3, windowMs: MINUTE, now: clock.now });
  for (let i = 0; i < 10_000; i++) l.fail('k');
  assert.equal(l.check('k').ok, false);
  const big = 'x'.repeat(1_000_000);
  l.fail(big);
  l.fail(big);
  l.fail(big);
  assert.equal(l.check(big).ok, false, 'a long key is still counted');
  assert.equal(l.check(`${big}y`).ok, true, 'and distinct from another long key');
  const stored = (l as unknown as { entries: Map<string, number[]> }).entries;
  for (const [key, times] of stored) {
    assert.ok(key.length <= 128 + 7, 'key stored short');
    assert.ok(times.length <= 3);
  }
});

test('registrations per IP per hour: 10, then refused for the rest of the hour', () => {
  const clock = manualClock();
  const l = new AttemptLimiter({ max: 10, windowMs: 60 * MINUTE, now: clock.now });
  for (let i = 0; i < 10; i++) {
    assert.equal(l.check('203.0.113.7').ok, true);
    l.fail('203.0.113.7');
    clock.advance(MINUTE);
  }
  assert.deepEqual(l.check('203.0.113.7'), { ok: false, retryAfterMs: 50 * MINUTE });
});

test('bad options are programmer errors', () => {
  assert.throws(() => new AttemptLimiter({ max: 0, windowMs: 1 }), RangeError);
  assert.throws(() => new AttemptLimiter({ max: 1, windowMs: 0 }), RangeError);
  assert.throws(() => new AttemptLimiter({ max: 1, windowMs: 1, maxKeys: 0 }), RangeError);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ViolationWindow } from '../../src/security/violation-window.js';
import { manualClock } from './clock.js';

test('5 violations within 10 s trip it (close 1008)', () => {
  const clock = manualClock();
  const w = new ViolationWindow(5, 10_000, clock.now);
  for (let i = 0; i < 4; i++) {
    assert.equal(w.record(), false, `violation ${i + 1}`);
    clock.advance(2000);
  }
  // violations at 0, 2, 4, 6 s; the fifth at 8 s
  assert.equal(w.record(), true);
  assert.equal(w.count(), 5);
});

test('violations spread wider than the window never trip it', () => {
  const clock = manualClock();
  const w = new ViolationWindow(5, 10_000, clock.now);
  for (let i = 0; i < 100; i++) {
    assert.equal(w.record(), false, `violation ${i + 1}`);
    clock.advance(2500); // 5 violations span exactly 10 s: the first has just left the window
  }
});

test('the window slides: old violations stop counting', () => {
  const clock = manualClock();
  const w = new ViolationWindow(3, 1000, clock.now);
  w.record();
  w.record();
  clock.advance(1000);
  assert.equal(w.count(), 0);
  assert.equal(w.record(), false);
  assert.equal(w.record(), false);
  assert.equal(w.record(), true);
});

test('keeps at most max timestamps; reset clears', () => {
  const clock = manualClock();
  const w = new ViolationWindow(2, 1000, clock.now);
  for (let i = 0; i < 1000; i++) w.record();
  assert.equal((w as unknown as { times: number[] }).times.length, 2);
  w.reset();
  assert.equal(w.count(), 0);
  assert.equal(w.record(), false);
});

test('max 1 trips on the first event; bad arguments throw', () => {
  assert.equal(new ViolationWindow(1, 1000, () => 0).record(), true);
  assert.throws(() => new ViolationWindow(0, 1000), RangeError);
  assert.throws(() => new ViolationWindow(1, 0), RangeError);
});

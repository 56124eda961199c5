/**
 * The browser client's pure logic, without a browser: the timeline that dedupes by seq, the
 * reconnect backoff, the reading of close codes, and text cleaning before `send`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF } from '../../web/src/backoff.js';
import { cleanText, closeAction, codePoints } from '../../web/src/protocol.js';
import { Timeline, type TimelineMessage } from '../../web/src/timeline.js';

const msg = (seq: number, text = `m${seq}`): TimelineMessage => ({ room: 'r', seq, from: { id: 'u', name: 'u' }, text, ts: seq * 1000 });
const seqs = (t: Timeline): number[] => t.messages.map((m) => m.seq);

describe('Timeline', () => {
  it('appends live messages in order and drops repeats', () => {
    const t = new Timeline();
    t.reset(10);
    assert.equal(t.addLive(msg(11)), true);
    assert.equal(t.addLive(msg(12)), true);
    assert.equal(t.addLive(msg(12)), false, 'a replayed duplicate');
    assert.equal(t.addLive(msg(9)), false, 'below the resume point: history fills it');
    assert.deepEqual(seqs(t), [11, 12]);
    assert.equal(t.resumeSeq, 12);
  });

  it('pages older messages in below the oldest, deduplicated, and knows the start of the room', () => {
    const t = new Timeline();
    t.reset(120);
    t.addLive(msg(121));
    const page1 = Array.from({ length: 50 }, (_, i) => msg(71 + i));
    assert.equal(t.addOlder(page1, 50).length, 50);
    assert.equal(t.hasOlder, true);
    // An overlapping page (a retry) adds only what is new.
    const overlap = Array.from({ length: 50 }, (_, i) => msg(41 + i));
    assert.deepEqual(t.addOlder(overlap, 50).map((m) => m.seq), Array.from({ length: 30 }, (_, i) => 41 + i));
    const last = Array.from({ length: 40 }, (_, i) => msg(1 + i));
    t.addOlder(last, 50);
    assert.equal(t.hasOlder, false, 'a short page is the beginning');
    assert.deepEqual(seqs(t), Array.from({ length: 121 }, (_, i) => i + 1));
  });

  it('resumes after the highest seq received, and starts over after a truncated replay', () => {
    const t = new Timeline();
    t.reset(5);
    for (const s of [6, 7, 8]) t.addLive(msg(s));
    assert.equal(t.resumeSeq, 8, 'the `since` of the next join');
    // A truncated replay: start over at the room's latest seq; replayed frames at or below it are ignored.
    t.reset(900);
    assert.equal(t.addLive(msg(9)), false);
    assert.equal(t.addLive(msg(901)), true);
    assert.equal(t.hasOlder, true);
  });

  it('an empty room has nothing older', () => {
    const t = new Timeline();
    t.reset(0);
    assert.equal(t.hasOlder, false);
  });

  it('trims the oldest messages and pages them back in later', () => {
    const t = new Timeline();
    t.reset(0);
    for (let s = 1; s <= 10; s++) t.addLive(msg(s));
    assert.equal(t.trimOldest(4), 6);
    assert.deepEqual(seqs(t), [7, 8, 9, 10]);
    assert.equal(t.hasOlder, true);
    t.addOlder([msg(5), msg(6)], 2);
    assert.deepEqual(seqs(t), [5, 6, 7, 8, 9, 10]);
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially up to the cap, with half of each delay random', () => {
    const low = (n: number): number => backoffDelay(n, DEFAULT_BACKOFF, () => 0);
    const high = (n: number): number => backoffDelay(n, DEFAULT_BACKOFF, () => 0.999999);
    assert.equal(low(0), 250);
    assert.equal(high(0), 500);
    assert.equal(low(3), 2000);
    assert.equal(high(3), 4000);
    assert.equal(high(20), 30_000);
    assert.equal(low(1000), 15_000, 'no overflow for long outages');
  });

  it('spreads clients over the window (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    assert.ok(delays.size > 10);
    for (const d of delays) assert.ok(d >= 4000 && d <= 8000);
  });
});

describe('close codes', () => {
  it('4000–4099 are terminal, 1001/1013/1011/1006 and 4100–4199 reconnect, policy closes wait for the user', () => {
    for (const code of [4000, 4001, 4002, 4099]) assert.equal(closeAction(code), 'login', String(code));
    for (const code of [1001, 1005, 1006, 1011, 1012, 1013, 4100, 4199]) assert.equal(closeAction(code), 'reconnect', String(code));
    for (const code of [1000, 1002, 1003, 1007, 1008, 1009]) assert.equal(closeAction(code), 'stop', String(code));
  });
});

describe('text before send', () => {
  it('keeps newlines and tabs, drops what the server refuses, and normalises to NFC', () => {
    assert.equal(cleanText('a\r\nb\rc'), 'a\nb\nc');
    assert.equal(cleanText('x\u0000y\u0007z\u007f\u0085\tq'), 'xyz\tq');
    assert.equal(cleanText('lone \ud800 high, pair \ud83d\ude00'), 'lone  high, pair \ud83d\ude00');
    assert.equal(cleanText('e\u0301'), '\u00e9');
    assert.equal(codePoints('\ud83d\ude00ab'), 3);
  });
});

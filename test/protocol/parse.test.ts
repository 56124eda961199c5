import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientFrame, type ParseResult } from '../../src/protocol/parse.js';
import { normalizeText } from '../../src/protocol/text.js';

const limits = { maxTextChars: 4000 };
const parse = (frame: unknown): ParseResult =>
  parseClientFrame(typeof frame === 'string' ? frame : JSON.stringify(frame), limits);

function ok(frame: unknown) {
  const r = parse(frame);
  assert.equal(r.ok, true, `expected ok for ${JSON.stringify(frame)}: ${JSON.stringify(r)}`);
  return (r as Extract<ParseResult, { ok: true }>).msg;
}
function bad(frame: unknown, code = 'BAD_REQUEST', id?: string) {
  const r = parse(frame);
  assert.deepEqual(r, id === undefined ? { ok: false, code } : { ok: false, code, id }, JSON.stringify(frame));
}

const valid = {
  join: { type: 'join', id: '1', room: 'general' },
  leave: { type: 'leave', id: '1', room: 'general' },
  send: { type: 'send', id: '1', room: 'general', text: 'hi', nonce: 'n-1_A' },
  history: { type: 'history', id: '1', room: 'general' },
  create: { type: 'create', id: '1', room: 'team-x', visibility: 'private' },
  invite: { type: 'invite', id: '1', room: 'general', user: 'alice_1' },
  kick: { type: 'kick', id: '1', room: 'general', user: 'bob' },
  ban: { type: 'ban', id: '1', room: 'general', user: 'Carol' },
  typing: { type: 'typing', room: 'general' },
  rooms: { type: 'rooms', id: '1' },
} as const;

test('every type parses when valid, and keeps exactly its fields', () => {
  for (const frame of Object.values(valid)) assert.deepEqual(ok(frame), frame);
  assert.deepEqual(ok({ ...valid.join, since: 0 }), { ...valid.join, since: 0 });
  assert.deepEqual(ok({ ...valid.history, before: 10, limit: 100 }), { ...valid.history, before: 10, limit: 100 });
  assert.equal(ok({ ...valid.create, visibility: 'public' }).type, 'create');
});

test('a missing required field is BAD_REQUEST, with the id echoed', () => {
  for (const frame of Object.values(valid)) {
    for (const key of Object.keys(frame)) {
      if (key === 'type') continue;
      const copy: Record<string, unknown> = { ...frame };
      delete copy[key];
      bad(copy, 'BAD_REQUEST', key === 'id' || !('id' in frame) ? undefined : '1');
    }
  }
});

test('an unknown field is BAD_REQUEST (no smuggled sender identity)', () => {
  for (const frame of Object.values(valid)) {
    bad({ ...frame, from: 'admin' }, 'BAD_REQUEST', 'id' in frame ? '1' : undefined);
  }
  bad({ ...valid.typing, id: '7' }, 'BAD_REQUEST', '7'); // typing takes no id
});

test('wrong field types are BAD_REQUEST', () => {
  bad({ ...valid.join, room: 5 }, 'BAD_REQUEST', '1');
  bad({ ...valid.join, since: '3' }, 'BAD_REQUEST', '1');
  bad({ ...valid.join, since: 1.5 }, 'BAD_REQUEST', '1');
  bad({ ...valid.join, since: 2 ** 60 }, 'BAD_REQUEST', '1');
  bad({ ...valid.send, text: 42 }, 'BAD_REQUEST', '1');
  bad({ ...valid.send, text: null }, 'BAD_REQUEST', '1');
  bad({ ...valid.create, visibility: 'secret' }, 'BAD_REQUEST', '1');
  bad({ ...valid.history, limit: true }, 'BAD_REQUEST', '1');
  bad({ ...valid.join, id: 1 }); // not a readable id: nothing to echo
});

test('nested objects and arrays where a scalar is expected are BAD_REQUEST', () => {
  bad({ ...valid.send, text: ['hi'] }, 'BAD_REQUEST', '1');
  bad({ ...valid.send, text: { toString: 'x' } }, 'BAD_REQUEST', '1');
  bad({ ...valid.join, room: { $ne: null } }, 'BAD_REQUEST', '1');
  bad({ ...valid.join, id: ['1'] });
});

test('bad room, user, nonce and id values are BAD_REQUEST', () => {
  for (const room of ['', 'General', '-a', '_a', 'a b', 'a/b', 'a'.repeat(65), 'é', '../etc']) {
    bad({ ...valid.join, room }, 'BAD_REQUEST', '1');
  }
  assert.equal(ok({ ...valid.join, room: 'a'.repeat(64) }).type, 'join');
  for (const user of ['ab', 'a'.repeat(33), 'al ice', 'al-ice', 'alïce', '']) {
    bad({ ...valid.kick, user }, 'BAD_REQUEST', '1');
  }
  for (const nonce of ['', 'a'.repeat(65), 'a b', 'a.b', 'ä']) {
    bad({ ...valid.send, nonce }, 'BAD_REQUEST', '1');
  }
  assert.equal(ok({ ...valid.send, nonce: 'a'.repeat(64) }).type, 'send');
  for (const id of ['', 'x'.repeat(65), 'a\nb', 'a\u0000', 'a\u007f', 'a\u0085', '\ud800']) {
    bad({ ...valid.rooms, id });
  }
  assert.equal(ok({ ...valid.rooms, id: 'x'.repeat(64) }).type, 'rooms');
  assert.equal(ok({ ...valid.rooms, id: '😀'.repeat(64) }).type, 'rooms'); // 64 code points
});

test('limit above 100, below 1 or fractional is BAD_REQUEST; negative since/before too', () => {
  bad({ ...valid.history, limit: 101 }, 'BAD_REQUEST', '1');
  bad({ ...valid.history, limit: 0 }, 'BAD_REQUEST', '1');
  bad({ ...valid.history, limit: 2.5 }, 'BAD_REQUEST', '1');
  bad({ ...valid.join, since: -1 }, 'BAD_REQUEST', '1');
  bad({ ...valid.history, before: -1 }, 'BAD_REQUEST', '1');
  assert.equal(ok({ ...valid.history, limit: 1 }).type, 'history');
});

test('UNKNOWN_TYPE for an unknown string type, BAD_REQUEST for a missing or non-string one', () => {
  bad({ type: 'admin', id: 'q' }, 'UNKNOWN_TYPE', 'q');
  bad({ type: 'JOIN', id: 'q', room: 'a' }, 'UNKNOWN_TYPE', 'q');
  bad({ type: 'toString', id: 'q' }, 'UNKNOWN_TYPE', 'q');
  bad({ type: 'hasOwnProperty' }, 'UNKNOWN_TYPE');
  bad({ id: 'q', room: 'a' }, 'BAD_REQUEST', 'q');
  bad({ type: 1, id: 'q' }, 'BAD_REQUEST', 'q');
  bad({ type: null, id: 'q' }, 'BAD_REQUEST', 'q');
  bad({ type: ['join'], id: 'q' }, 'BAD_REQUEST', 'q');
});

test('non-objects and non-JSON are BAD_REQUEST without an id', () => {
  for (const raw of ['', ' ', 'null', '1', '"join"', 'true', '[]', '[{"type":"rooms","id":"1"}]', '{', '{"type":"rooms","id":"1"} x', "{'type':'rooms'}", 'not json', '\ufeff{"type":"rooms","id":"1"}']) {
    bad(raw);
  }
  assert.equal(ok(' \n\t{"type":"rooms","id":"1"} ').type, 'rooms');
});

test('__proto__, constructor and prototype keys are refused, id still echoed', () => {
  bad('{"type":"join","id":"1","room":"a","__proto__":{"x":1}}', 'BAD_REQUEST', '1');
  bad('{"type":"join","id":"1","room":"a","__proto__":1}', 'BAD_REQUEST', '1');
  bad('{"type":"join","id":"1","room":"a","\\u005f_proto__":{"admin":true}}', 'BAD_REQUEST', '1');
  bad('{"type":"join","id":"1","room":"a","constructor":{"prototype":{"admin":true}}}', 'BAD_REQUEST', '1');
  bad('{"type":"join","id":"1","room":"a","prototype":"x"}', 'BAD_REQUEST', '1');
  bad('{"__proto__":{"type":"rooms"},"id":"1"}', 'BAD_REQUEST', '1');
  assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype untouched');
  assert.equal(({} as Record<string, unknown>).admin, undefined, 'Object.prototype untouched');
});

test('more than 16 top-level keys is BAD_REQUEST', () => {
  const frame: Record<string, unknown> = { ...valid.rooms };
  for (let i = 0; i < 15; i++) frame[`k${i}`] = i;
  bad(frame, 'BAD_REQUEST', '1');
});

test('deep nesting inside the size limit is BAD_REQUEST without throwing or parsing', () => {
  const depth = 8000; // 16 000 bytes of brackets: fits a 16 KiB frame
  const arrays = '['.repeat(depth) + ']'.repeat(depth);
  bad(`{"type":"send","id":"1","room":"a","text":${arrays},"nonce":"n"}`); // too deep to read the id
  bad(arrays);
  const tenThousand = '['.repeat(10_000) + ']'.repeat(10_000);
  bad(`{"type":"history","id":"1","room":"a","limit":${tenThousand}}`);
  bad('{"a":'.repeat(3000) + '1' + '}'.repeat(3000));
  bad(`{"type":"join","id":"1","room":"a","since":${'['.repeat(10_000)}`); // unterminated
  // Shallow mistakes are still parsed, so the id is echoed.
  bad('{"type":"send","id":"1","room":"a","text":[[{"a":1}]],"nonce":"n"}', 'BAD_REQUEST', '1');
  bad('{"type":"send","id":"1","room":"a","text":[[[{"a":1}]]],"nonce":"n"}');
  // Brackets and escaped quotes inside strings are text, not nesting.
  const text = '[[[[[[{{{{{{ \" [[[[[[ {{{{{';
  assert.equal((ok({ ...valid.send, text }) as { text: string }).text, text);
});

test('parseClientFrame never throws on hostile input', () => {
  const inputs = ['\ud800', '{"type":"send","id":"\ud800"}', '{"type":"send","id":"1","room":"a","text":"\\ud800","nonce":"n"}', '1e999', '{"a":1e999}', '\u0000'];
  for (const raw of inputs) assert.doesNotThrow(() => parseClientFrame(raw, limits));
  assert.deepEqual(parse('{"type":"send","id":"1","room":"a","text":"\\ud800","nonce":"n"}'), { ok: false, code: 'BAD_REQUEST', id: '1' });
});

test('text: HTML is data, accepted verbatim', () => {
  const text = '<img src=x onerror=alert(1)>';
  assert.equal((ok({ ...valid.send, text }) as { text: string }).text, text);
});

test('text: NFC normalised before it is returned', () => {
  const msg = ok({ ...valid.send, text: 'caf' + 'e\u0301' }) as { text: string };
  assert.equal(msg.text, 'café');
  assert.equal(msg.text, 'caf\u00e9');
  assert.equal(msg.text.length, 4);
});

test('text: counted in code points (emoji), TOO_LARGE beyond the limit', () => {
  assert.equal(ok({ ...valid.send, text: '😀'.repeat(4000) }).type, 'send');
  bad({ ...valid.send, text: '😀'.repeat(4001) }, 'TOO_LARGE', '1');
  assert.equal(ok({ ...valid.send, text: 'a'.repeat(4000) }).type, 'send');
  bad({ ...valid.send, text: 'a'.repeat(4001) }, 'TOO_LARGE', '1');
  // 4001 raw code points that NFC composes down to 4000 fit.
  assert.equal(ok({ ...valid.send, text: 'a'.repeat(3999) + 'e\u0301' }).type, 'send');
  assert.deepEqual(parseClientFrame(JSON.stringify({ ...valid.send, text: 'abc' }), { maxTextChars: 2 }), { ok: false, code: 'TOO_LARGE', id: '1' });
});

test('text: controls and lone surrogates refused; \\n and \\t accepted; empty refused', () => {
  for (const text of ['a\rb', '\u0000', 'a\u0000b', 'a\u001bb', 'a\u007fb', 'a\u0085b', 'a\u009fb', '\ud800', 'a\udc00b', 'x\ud83d', '']) {
    bad({ ...valid.send, text }, 'BAD_REQUEST', '1');
  }
  assert.equal((ok({ ...valid.send, text: 'a\nb\tc' }) as { text: string }).text, 'a\nb\tc');
  assert.equal((ok({ ...valid.send, text: ' ' }) as { text: string }).text, ' ');
  assert.equal((ok({ ...valid.send, text: '\u00a0é中😀' }) as { text: string }).text, '\u00a0é中😀');
});

test('normalizeText directly', () => {
  assert.deepEqual(normalizeText('e\u0301', 1), { ok: true, text: 'é' });
  assert.deepEqual(normalizeText('\u212b', 1), { ok: true, text: '\u00c5' }); // Angstrom sign → Å
  assert.deepEqual(normalizeText('', 10), { ok: false, code: 'BAD_REQUEST' });
  assert.deepEqual(normalizeText('ab', 1), { ok: false, code: 'TOO_LARGE' });
  assert.deepEqual(normalizeText('😀', 1), { ok: true, text: '😀' });
  assert.deepEqual(normalizeText('\r', 10), { ok: false, code: 'BAD_REQUEST' });
});

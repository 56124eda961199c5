import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  getDummyHash,
  hashPassword,
  needsRehash,
  validatePassword,
  validateUsername,
  verifyPassword,
  verifyPasswordOrDummy,
} from '../../src/security/passwords.js';

test('hash is self-describing: scrypt$32768$8$1$<16-byte salt>$<64-byte key>, salted', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  const m = /^scrypt\$32768\$8\$1\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(a);
  assert.ok(m, a);
  assert.equal(Buffer.from(m[1] ?? '', 'base64').length, 16);
  assert.equal(Buffer.from(m[2] ?? '', 'base64').length, 64);
  assert.notEqual(a, b, 'random salt');
  assert.equal(needsRehash(a), false);
});

test('verify: right password true, wrong false', async () => {
  const h = await hashPassword('correct horse battery');
  assert.equal(await verifyPassword('correct horse battery', h), true);
  assert.equal(await verifyPassword('correct horse batterY', h), false);
  assert.equal(await verifyPassword('', h), false);
});

test('passwords are NFC-normalized: composed and decomposed é verify alike', async () => {
  const h = await hashPassword('caf\u00e9-password');
  assert.equal(await verifyPassword('cafe\u0301-password', h), true);
});

test('malformed encodings are false, never a throw', async () => {
  const h = await hashPassword('correct horse battery');
  const parts = h.split('$');
  const bad = [
    '',
    'garbage',
    h.replace('scrypt$', 'bcrypt$'),
    parts.slice(0, 5).join('$'),
    `${h}$extra`,
    h.replace('$32768$', '$32767$'), // N not a power of two
    h.replace('$32768$', '$1073741824$'), // N huge: would allocate 128 GiB
    h.replace('$32768$', '$-32768$'),
    h.replace('$8$1$', '$8000$1$'), // r huge
    h.replace('$8$1$', '$8$0$'),
    [...parts.slice(0, 4), 'not base64!', parts[5]].join('$'),
    [...parts.slice(0, 4), parts[4], ''].join('$'),
    [...parts.slice(0, 4), 'AAAA', parts[5]].join('$'), // salt too short
    'scrypt$' + 'x'.repeat(10_000),
  ];
  for (const encoded of bad) {
    assert.equal(await verifyPassword('correct horse battery', encoded), false, encoded.slice(0, 80));
    assert.equal(needsRehash(encoded), true);
  }
  assert.equal(await verifyPassword('x', undefined as unknown as string), false);
  assert.equal(await verifyPassword(undefined as unknown as string, h), false);
});

test('dummy hash: computed once, valid, verifies nothing; unknown users cost a full verify', async () => {
  const [a, b] = await Promise.all([getDummyHash(), getDummyHash()]);
  assert.equal(a, b);
  assert.match(a, /^scrypt\$32768\$8\$1\$/);
  assert.equal(needsRehash(a), false, 'same parameters as real hashes, so the same cost');
  assert.equal(await verifyPasswordOrDummy('anything at all', undefined), false);
  assert.equal(await verifyPasswordOrDummy('anything at all', null), false);
  const h = await hashPassword('correct horse battery');
  assert.equal(await verifyPasswordOrDummy('correct horse battery', h), true);
});

test('validatePassword: 8..1024 code points, well-formed', () => {
  assert.equal(validatePassword('1234567'), false);
  assert.equal(validatePassword('12345678'), true);
  assert.equal(validatePassword('x'.repeat(1024)), true);
  assert.equal(validatePassword('x'.repeat(1025)), false);
  assert.equal(validatePassword('😀'.repeat(1024)), true, 'counted in code points, not UTF-16 units');
  assert.equal(validatePassword('😀'.repeat(7)), false);
  assert.equal(validatePassword('abcdefg\uD800'), false, 'lone surrogate');
  assert.equal(validatePassword('x'.repeat(1_000_000)), false);
  assert.equal(validatePassword(undefined), false);
  assert.equal(validatePassword(12345678), false);
});

test('validateUsername: ^[A-Za-z0-9_]{3,32}$', () => {
  for (const ok of ['abc', 'Alice_01', 'x'.repeat(32)]) assert.equal(validateUsername(ok), true, ok);
  for (const bad of ['ab', 'x'.repeat(33), 'al ice', 'alice\n', 'ålice', 'аlice' /* Cyrillic а */, 'a-b', '', undefined, null, 123]) {
    assert.equal(validateUsername(bad), false, String(bad));
  }
});

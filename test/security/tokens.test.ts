import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashToken, isTokenShaped, newToken, safeEqual } from '../../src/security/tokens.js';

test('newToken: 32 random bytes as base64url (43 chars), unique', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const t = newToken();
    assert.match(t, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(t, 'base64url').length, 32);
    assert.ok(isTokenShaped(t));
    seen.add(t);
  }
  assert.equal(seen.size, 1000);
});

test('isTokenShaped refuses anything else', () => {
  for (const bad of ['', 'abc', `${newToken()}=`, `${newToken()}x`, 'a'.repeat(42) + '+', undefined, 42]) {
    assert.equal(isTokenShaped(bad), false, String(bad));
  }
});

test('hashToken: SHA-256 hex', () => {
  assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const t = newToken();
  assert.equal(hashToken(t), createHash('sha256').update(t).digest('hex'));
  assert.notEqual(hashToken(t), hashToken(newToken()));
});

test('safeEqual: equality for strings of any length, never throws', () => {
  assert.equal(safeEqual('', ''), true);
  assert.equal(safeEqual('secret', 'secret'), true);
  assert.equal(safeEqual('secret', 'secreT'), false);
  assert.equal(safeEqual('secret', 'secret2'), false, 'different lengths');
  assert.equal(safeEqual('a', 'a'.repeat(10_000)), false);
  assert.equal(safeEqual('é', 'e\u0301'), false, 'no normalization: bytes must match');
  const long = 'x'.repeat(100_000);
  assert.equal(safeEqual(long, `${long}`), true);
  assert.equal(safeEqual(undefined as unknown as string, 'x'), false);
});

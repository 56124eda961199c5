/**
 * The Store contract: behaviour every Store implementation must show. It talks only to the
 * Store interface, so SqliteStore and PostgresStore run the identical suite.
 *
 * Every test gets a fresh store from the factory (and cleans it up), so tests can assert
 * exact lists and counts and cannot leak state into each other.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store, UserRecord } from '../../src/store/store.js';

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

export function runStoreContract(name: string, factory: StoreFactory): void {
  /** `it` with a fresh store that is cleaned up whatever the outcome. */
  const test = (title: string, fn: (store: Store) => Promise<void>): void => {
    it(title, async () => {
      const { store, cleanup } = await factory();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });
  };

  const user = async (store: Store, userName: string, admin = false): Promise<UserRecord> => {
    const u = await store.createUser({ name: userName, passwordHash: `hash-of-${userName}`, admin });
    assert.ok(u, `user ${userName} should be created`);
    return u;
  };

  /** Starts `n` appends in the same turn (no await in between), returns them all. */
  const appendMany = (store: Store, room: string, userId: string, n: number, prefix = 'm') =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.appendMessage({ room, userId, text: `${prefix}${i + 1}`, nonce: `${prefix}-${i + 1}`, ts: 1000 + i }),
      ),
    );

  describe(`Store contract: ${name}`, () => {
    describe('users', () => {
      test('createUser returns the record, readable by id and by name', async (store) => {
        const before = Date.now();
        const u = await user(store, 'Alice');
        assert.equal(typeof u.id, 'string');
        assert.ok(u.id.length > 0);
        assert.equal(u.name, 'Alice');
        assert.equal(u.passwordHash, 'hash-of-Alice');
        assert.equal(u.admin, false);
        assert.equal(u.banned, false);
        assert.ok(u.createdAt >= before - 1000 && u.createdAt <= Date.now() + 1000);
        assert.deepEqual(await store.getUserById(u.id), u);
        assert.deepEqual(await store.getUserByName('Alice'), u);
      });

      test('admin flag on creation; ids are distinct', async (store) => {
        const a = await user(store, 'root', true);
        const b = await user(store, 'bob');
        assert.equal(a.admin, true);
        assert.equal((await store.getUserById(a.id))?.admin, true);
        assert.notEqual(a.id, b.id);
      });

      test('names are unique case-insensitively', async (store) => {
        await user(store, 'Alice');
        assert.equal(await store.createUser({ name: 'alice', passwordHash: 'x' }), null);
        assert.equal(await store.createUser({ name: 'ALICE', passwordHash: 'x' }), null);
        assert.equal((await store.listUsers()).length, 1);
        // The first account is untouched by the refused attempts.
        assert.equal((await store.getUserByName('alice'))?.passwordHash, 'hash-of-Alice');
      });

      test('getUserByName is case-insensitive and returns the stored spelling', async (store) => {
        const u = await user(store, 'MixedCase_1');
        assert.deepEqual(await store.getUserByName('mixedcase_1'), u);
        assert.deepEqual(await store.getUserByName('MIXEDCASE_1'), u);
        assert.equal((await store.getUserByName('mixedcase_1'))?.name, 'MixedCase_1');
      });

      test('unknown users are null', async (store) => {
        await user(store, 'alice');
        assert.equal(await store.getUserByName('nobody'), null);
        assert.equal(await store.getUserById('no-such-id'), null);
        // No pattern matching: a LIKE wildcard is just a character.
        assert.equal(await store.getUserByName('ali%'), null);
        assert.equal(await store.getUserByName('_lice'), null);
      });

      test('listUsers returns every user', async (store) => {
        assert.deepEqual(await store.listUsers(), []);
        const a = await user(store, 'alice');
        const b = await user(store, 'bob');
        const listed = await store.listUsers();
        assert.equal(listed.length, 2);
        assert.deepEqual(
          listed.map((u) => u.id).sort(),
          [a.id, b.id].sort(),
        );
      });

      test('setPassword, setBanned, setAdmin update and report unknown ids', async (store) => {
        const u = await user(store, 'alice');
        assert.equal(await store.setPassword(u.id, 'new-hash'), true);
        assert.equal(await store.setBanned(u.id, true), true);
        assert.equal(await store.setAdmin(u.id, true), true);
        let got = await store.getUserById(u.id);
        assert.equal(got?.passwordHash, 'new-hash');
        assert.equal(got?.banned, true);
        assert.equal(got?.admin, true);
        assert.equal(await store.setBanned(u.id, false), true);
        assert.equal(await store.setAdmin(u.id, false), true);
        got = await store.getUserById(u.id);
        assert.equal(got?.banned, false);
        assert.equal(got?.admin, false);
        assert.equal(await store.setPassword('no-such-id', 'x'), false);
        assert.equal(await store.setBanned('no-such-id', true), false);
        assert.equal(await store.setAdmin('no-such-id', true), false);
      });

      test('deleteUser removes sessions and memberships but keeps their messages', async (store) => {
        const alice = await user(store, 'alice');
        const bob = await user(store, 'bob');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        await store.createRoom({ name: 'alices', visibility: 'private', ownerId: alice.id });
        await store.addMember('general', alice.id);
        await store.addMember('general', bob.id);
        await store.createSession({ tokenHash: 'a1', userId: alice.id, expiresAt: Date.now() + 60_000, createdAt: Date.now() });
        await store.createSession({ tokenHash: 'b1', userId: bob.id, expiresAt: Date.now() + 60_000, createdAt: Date.now() });
        await store.appendMessage({ room: 'general', userId: alice.id, text: 'hi from alice', nonce: 'n1', ts: 5 });
        await store.appendMessage({ room: 'general', userId: bob.id, text: 'hi alice', nonce: 'n1', ts: 6 });

        assert.equal(await store.deleteUser(alice.id), true);
        assert.equal(await store.deleteUser(alice.id), false);
        assert.equal(await store.getUserById(alice.id), null);
        assert.equal(await store.getUserByName('alice'), null);
        assert.equal(await store.getSession('a1'), null);
        assert.notEqual(await store.getSession('b1'), null);
        assert.equal(await store.isMember('general', alice.id), false);
        assert.equal(await store.isMember('alices', alice.id), false);
        assert.equal(await store.isMember('general', bob.id), true);

        const history = await store.messagesBefore('general', undefined, 10);
        assert.deepEqual(
          history.map((m) => ({ seq: m.seq, from: m.from, text: m.text, ts: m.ts })),
          [
            { seq: 1, from: { id: alice.id, name: 'alice' }, text: 'hi from alice', ts: 5 },
            { seq: 2, from: { id: bob.id, name: 'bob' }, text: 'hi alice', ts: 6 },
          ],
        );
        assert.equal(await store.lastSeq('general'), 2);
        // The room the user owned survives them.
        assert.notEqual(await store.getRoom('alices'), null);
        const general = (await store.listRoomsForUser(bob.id)).find((r) => r.room === 'general');
        assert.equal(general?.members, 1);
        // The name is free again, and the new account is a different id.
        const again = await user(store, 'Alice');
        assert.notEqual(again.id, alice.id);
      });
    });

    describe('sessions', () => {
      test('create, get, delete', async (store) => {
        const u = await user(store, 'alice');
        const s = { tokenHash: 'ab'.repeat(32), userId: u.id, expiresAt: Date.now() + 86_400_000, createdAt: Date.now() };
        await store.createSession(s);
        assert.deepEqual(await store.getSession(s.tokenHash), s);
        assert.equal(await store.getSession('cd'.repeat(32)), null);
        assert.equal(await store.deleteSession(s.tokenHash), true);
        assert.equal(await store.deleteSession(s.tokenHash), false);
        assert.equal(await store.getSession(s.tokenHash), null);
      });

      test('deleteUserSessions removes only that user’s sessions and counts them', async (store) => {
        const a = await user(store, 'alice');
        const b = await user(store, 'bob');
        const exp = Date.now() + 60_000;
        for (const t of ['a1', 'a2', 'a3']) await store.createSession({ tokenHash: t, userId: a.id, expiresAt: exp, createdAt: 1 });
        await store.createSession({ tokenHash: 'b1', userId: b.id, expiresAt: exp, createdAt: 1 });
        assert.equal(await store.deleteUserSessions(a.id), 3);
        assert.equal(await store.deleteUserSessions(a.id), 0);
        assert.equal(await store.getSession('a2'), null);
        assert.notEqual(await store.getSession('b1'), null);
      });

      test('expired sessions are still returned until deleteExpiredSessions removes them', async (store) => {
        const u = await user(store, 'alice');
        const now = 1_700_000_000_000;
        await store.createSession({ tokenHash: 'old1', userId: u.id, expiresAt: now - 10, createdAt: now - 100 });
        await store.createSession({ tokenHash: 'old2', userId: u.id, expiresAt: now - 1, createdAt: now - 100 });
        await store.createSession({ tokenHash: 'live', userId: u.id, expiresAt: now + 1000, createdAt: now - 100 });
        // Callers check expiresAt themselves.
        assert.equal((await store.getSession('old1'))?.expiresAt, now - 10);
        assert.equal(await store.deleteExpiredSessions(now), 2);
        assert.equal(await store.deleteExpiredSessions(now), 0);
        assert.equal(await store.getSession('old1'), null);
        assert.equal(await store.getSession('old2'), null);
        assert.notEqual(await store.getSession('live'), null);
      });
    });

    describe('rooms', () => {
      test('createRoom makes the owner a member; a second create of the name is null', async (store) => {
        const u = await user(store, 'alice');
        const before = Date.now();
        const r = await store.createRoom({ name: 'lobby', visibility: 'private', ownerId: u.id });
        assert.ok(r);
        assert.equal(r.name, 'lobby');
        assert.equal(r.visibility, 'private');
        assert.equal(r.ownerId, u.id);
        assert.ok(r.createdAt >= before - 1000 && r.createdAt <= Date.now() + 1000);
        assert.deepEqual(await store.getRoom('lobby'), r);
        assert.equal(await store.isMember('lobby', u.id), true);
        assert.equal(await store.createRoom({ name: 'lobby', visibility: 'public', ownerId: null }), null);
        assert.equal((await store.getRoom('lobby'))?.visibility, 'private');
      });

      test('a room without an owner has no members; unknown rooms are null', async (store) => {
        const r = await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        assert.equal(r?.ownerId, null);
        assert.equal(await store.getRoom('nope'), null);
        const u = await user(store, 'alice');
        assert.deepEqual(await store.listRoomsForUser(u.id), [{ room: 'general', visibility: 'public', members: 0, lastSeq: 0, owner: null }]);
      });

      test('listRoomsForUser: public rooms plus own private rooms, sorted, with counts and lastSeq', async (store) => {
        const alice = await user(store, 'alice');
        const bob = await user(store, 'bob');
        const carol = await user(store, 'carol');
        await store.createRoom({ name: 'zeta', visibility: 'public', ownerId: bob.id });
        await store.createRoom({ name: 'alpha', visibility: 'public', ownerId: null });
        await store.createRoom({ name: 'bobs-secret', visibility: 'private', ownerId: bob.id });
        await store.createRoom({ name: 'mid', visibility: 'private', ownerId: carol.id });
        await store.addMember('mid', alice.id);
        await store.addMember('zeta', carol.id);
        await store.appendMessage({ room: 'zeta', userId: bob.id, text: 'a', nonce: 'n1', ts: 1 });
        await store.appendMessage({ room: 'zeta', userId: bob.id, text: 'b', nonce: 'n2', ts: 2 });
        await store.appendMessage({ room: 'mid', userId: carol.id, text: 'c', nonce: 'n1', ts: 3 });

        assert.deepEqual(await store.listRoomsForUser(alice.id), [
          { room: 'alpha', visibility: 'public', members: 0, lastSeq: 0, owner: null },
          { room: 'mid', visibility: 'private', members: 2, lastSeq: 1, owner: carol.id },
          { room: 'zeta', visibility: 'public', members: 2, lastSeq: 2, owner: bob.id },
        ]);
        assert.deepEqual(
          (await store.listRoomsForUser(bob.id)).map((r) => r.room),
          ['alpha', 'bobs-secret', 'zeta'],
        );
        // Leaving a private room hides it.
        await store.removeMember('mid', alice.id);
        assert.deepEqual(
          (await store.listRoomsForUser(alice.id)).map((r) => r.room),
          ['alpha', 'zeta'],
        );
      });
    });

    describe('membership and room bans', () => {
      test('addMember is idempotent; removeMember reports whether there was a membership', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        assert.equal(await store.isMember('general', u.id), false);
        await store.addMember('general', u.id);
        await store.addMember('general', u.id);
        assert.equal(await store.isMember('general', u.id), true);
        assert.equal((await store.listRoomsForUser(u.id))[0]?.members, 1);
        assert.equal(await store.removeMember('general', u.id), true);
        assert.equal(await store.removeMember('general', u.id), false);
        assert.equal(await store.isMember('general', u.id), false);
      });

      test('banFromRoom removes the membership, is idempotent, and is per room', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        await store.createRoom({ name: 'other', visibility: 'public', ownerId: null });
        await store.addMember('general', u.id);
        await store.addMember('other', u.id);
        assert.equal(await store.isBannedFromRoom('general', u.id), false);
        await store.banFromRoom('general', u.id);
        await store.banFromRoom('general', u.id);
        assert.equal(await store.isBannedFromRoom('general', u.id), true);
        assert.equal(await store.isMember('general', u.id), false);
        assert.equal(await store.isBannedFromRoom('other', u.id), false);
        assert.equal(await store.isMember('other', u.id), true);
      });

      test('a non-member can be banned', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        await store.banFromRoom('general', u.id);
        assert.equal(await store.isBannedFromRoom('general', u.id), true);
        assert.equal(await store.isMember('general', u.id), false);
      });
    });

    describe('messages', () => {
      test('first append gets seq 1 and reads back with its author', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        assert.equal(await store.lastSeq('general'), 0);
        const r = await store.appendMessage({ room: 'general', userId: u.id, text: 'hello', nonce: 'n-1', ts: 1234 });
        assert.deepEqual(r, { seq: 1, ts: 1234, duplicate: false });
        assert.equal(await store.lastSeq('general'), 1);
        assert.deepEqual(await store.messagesAfter('general', 0, 10), [
          { room: 'general', seq: 1, from: { id: u.id, name: 'alice' }, text: 'hello', ts: 1234 },
        ]);
      });

      test('hostile and unusual text round-trips exactly', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        const texts = [
          `it's "quoted" \`back\``,
          'back\\slash \\\\ \\n \\u0000 \\',
          'nul\u0000in the\u0000middle\u0000',
          '\u0000',
          'emoji 😀👩‍👩‍👧‍👦 🏳️‍🌈 and CJK 漢字 and é (e\u0301)',
          "'); DROP TABLE messages;--",
          "Robert'); DELETE FROM users WHERE ('1'='1",
          '%_ LIKE wildcards %% __',
          'multi\nline\ttabbed',
          ' leading and trailing spaces ',
          'x'.repeat(4000),
          '😀'.repeat(4000),
        ];
        for (const [i, text] of texts.entries()) {
          await store.appendMessage({ room: 'general', userId: u.id, text, nonce: `n${i}`, ts: i });
        }
        const got = await store.messagesAfter('general', 0, 100);
        assert.deepEqual(
          got.map((m) => m.text),
          texts,
        );
        // The tables the injection text names are intact.
        assert.notEqual(await store.getUserById(u.id), null);
        assert.equal(await store.lastSeq('general'), texts.length);
      });

      test('hostile text as names, nonces and tokens is data, not SQL', async (store) => {
        const evil = "x'); DROP TABLE users;--";
        const u = await user(store, 'alice');
        assert.equal(await store.getUserByName(evil), null);
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        const r = await store.appendMessage({ room: 'general', userId: u.id, text: 't', nonce: evil, ts: 1 });
        const again = await store.appendMessage({ room: 'general', userId: u.id, text: 't2', nonce: evil, ts: 2 });
        assert.equal(again.duplicate, true);
        assert.equal(again.seq, r.seq);
        await store.createSession({ tokenHash: evil, userId: u.id, expiresAt: Date.now() + 1000, createdAt: 1 });
        assert.equal((await store.getSession(evil))?.userId, u.id);
        assert.equal((await store.listUsers()).length, 1);
      });

      test('200 appends started in one turn across 2 rooms: seq 1..100 in each, no gaps', async (store) => {
        const a = await user(store, 'alice');
        const b = await user(store, 'bob');
        await store.createRoom({ name: 'one', visibility: 'public', ownerId: null });
        await store.createRoom({ name: 'two', visibility: 'public', ownerId: null });
        const started = Array.from({ length: 200 }, (_, i) => {
          const room = i % 2 === 0 ? 'one' : 'two';
          const userId = i % 3 === 0 ? a.id : b.id;
          return store
            .appendMessage({ room, userId, text: `msg ${i}`, nonce: `nonce-${i}`, ts: 10_000 + i })
            .then((r) => ({ i, room, ...r }));
        });
        const results = await Promise.all(started);
        for (const room of ['one', 'two']) {
          const mine = results.filter((r) => r.room === room);
          assert.ok(mine.every((r) => !r.duplicate));
          assert.deepEqual(
            mine.map((r) => r.seq).sort((x, y) => x - y),
            Array.from({ length: 100 }, (_, k) => k + 1),
          );
          assert.equal(await store.lastSeq(room), 100);
          const stored = await store.messagesAfter(room, 0, 1000);
          assert.deepEqual(
            stored.map((m) => m.seq),
            Array.from({ length: 100 }, (_, k) => k + 1),
          );
          // Each stored message is the one its promise was told about.
          for (const r of mine) {
            const m = stored[r.seq - 1];
            assert.equal(m?.text, `msg ${r.i}`);
            assert.equal(m?.ts, r.ts);
          }
        }
      });

      test('a repeated nonce (later batch) returns the first seq and ts and stores nothing', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        const first = await store.appendMessage({ room: 'general', userId: u.id, text: 'first', nonce: 'same', ts: 100 });
        await store.appendMessage({ room: 'general', userId: u.id, text: 'other', nonce: 'other', ts: 150 });
        const repeat = await store.appendMessage({ room: 'general', userId: u.id, text: 'different text', nonce: 'same', ts: 200 });
        assert.deepEqual(first, { seq: 1, ts: 100, duplicate: false });
        assert.deepEqual(repeat, { seq: 1, ts: 100, duplicate: true });
        assert.equal(await store.lastSeq('general'), 2);
        const stored = await store.messagesAfter('general', 0, 10);
        assert.deepEqual(
          stored.map((m) => [m.seq, m.text, m.ts]),
          [
            [1, 'first', 100],
            [2, 'other', 150],
          ],
        );
        // The next new message follows without a gap.
        const next = await store.appendMessage({ room: 'general', userId: u.id, text: 'next', nonce: 'n3', ts: 300 });
        assert.equal(next.seq, 3);
      });

      test('a nonce repeated within one turn dedupes too: first write wins', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        const [x, y, z] = await Promise.all([
          store.appendMessage({ room: 'general', userId: u.id, text: 'one', nonce: 'dup', ts: 1 }),
          store.appendMessage({ room: 'general', userId: u.id, text: 'two', nonce: 'dup', ts: 2 }),
          store.appendMessage({ room: 'general', userId: u.id, text: 'three', nonce: 'fresh', ts: 3 }),
        ]);
        assert.deepEqual(x, { seq: 1, ts: 1, duplicate: false });
        assert.deepEqual(y, { seq: 1, ts: 1, duplicate: true });
        assert.deepEqual(z, { seq: 2, ts: 3, duplicate: false });
        assert.deepEqual(
          (await store.messagesAfter('general', 0, 10)).map((m) => m.text),
          ['one', 'three'],
        );
      });

      test('nonces are scoped per user and per room', async (store) => {
        const a = await user(store, 'alice');
        const b = await user(store, 'bob');
        await store.createRoom({ name: 'one', visibility: 'public', ownerId: null });
        await store.createRoom({ name: 'two', visibility: 'public', ownerId: null });
        const r1 = await store.appendMessage({ room: 'one', userId: a.id, text: 'a', nonce: 'n', ts: 1 });
        const r2 = await store.appendMessage({ room: 'one', userId: b.id, text: 'b', nonce: 'n', ts: 2 });
        const r3 = await store.appendMessage({ room: 'two', userId: a.id, text: 'c', nonce: 'n', ts: 3 });
        assert.deepEqual([r1, r2, r3], [
          { seq: 1, ts: 1, duplicate: false },
          { seq: 2, ts: 2, duplicate: false },
          { seq: 1, ts: 3, duplicate: false },
        ]);
      });

      test('appending to a missing room rejects and does not disturb other appends of the turn', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        const ok1 = store.appendMessage({ room: 'general', userId: u.id, text: 'a', nonce: 'n1', ts: 1 });
        const bad = store.appendMessage({ room: 'no-such-room', userId: u.id, text: 'b', nonce: 'n2', ts: 2 });
        const ok2 = store.appendMessage({ room: 'general', userId: u.id, text: 'c', nonce: 'n3', ts: 3 });
        await assert.rejects(bad, Error);
        assert.equal((await ok1).seq, 1);
        assert.equal((await ok2).seq, 2);
        assert.equal(await store.lastSeq('general'), 2);
        await assert.rejects(store.appendMessage({ room: 'no-such-room', userId: u.id, text: 'b', nonce: 'n2', ts: 2 }), Error);
        assert.equal(await store.getRoom('no-such-room'), null);
      });

      test('appending as an unknown user rejects and leaves no seq gap', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        const ok1 = store.appendMessage({ room: 'general', userId: u.id, text: 'a', nonce: 'n1', ts: 1 });
        const ghost = store.appendMessage({ room: 'general', userId: 'no-such-user', text: 'b', nonce: 'n2', ts: 2 });
        const ok2 = store.appendMessage({ room: 'general', userId: u.id, text: 'c', nonce: 'n3', ts: 3 });
        await assert.rejects(ghost, Error);
        assert.deepEqual([(await ok1).seq, (await ok2).seq], [1, 2]);
        assert.deepEqual(
          (await store.messagesAfter('general', 0, 10)).map((m) => m.seq),
          [1, 2],
        );
      });

      test('messagesBefore: the newest `limit` below `before`, ascending', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        await appendMany(store, 'general', u.id, 10);
        const seqs = async (before: number | undefined, limit: number) =>
          (await store.messagesBefore('general', before, limit)).map((m) => m.seq);
        assert.deepEqual(await seqs(undefined, 3), [8, 9, 10]);
        assert.deepEqual(await seqs(undefined, 50), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.deepEqual(await seqs(8, 3), [5, 6, 7]);
        assert.deepEqual(await seqs(3, 10), [1, 2]);
        assert.deepEqual(await seqs(1, 10), []);
        assert.deepEqual(await seqs(100, 2), [9, 10]);
        assert.deepEqual(await seqs(undefined, 0), []);
        assert.deepEqual(
          (await store.messagesBefore('general', 6, 1)).map((m) => m.text),
          ['m5'],
        );
        assert.deepEqual(await store.messagesBefore('empty-or-missing', undefined, 10), []);
      });

      test('messagesAfter: seq > since, ascending, at most limit', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        await store.createRoom({ name: 'other', visibility: 'public', ownerId: null });
        await appendMany(store, 'general', u.id, 10);
        await appendMany(store, 'other', u.id, 3, 'o');
        const seqs = async (since: number, limit: number) =>
          (await store.messagesAfter('general', since, limit)).map((m) => m.seq);
        assert.deepEqual(await seqs(0, 100), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.deepEqual(await seqs(0, 3), [1, 2, 3]);
        assert.deepEqual(await seqs(7, 100), [8, 9, 10]);
        assert.deepEqual(await seqs(4, 2), [5, 6]);
        assert.deepEqual(await seqs(10, 100), []);
        assert.deepEqual(await seqs(0, 0), []);
        assert.ok((await store.messagesAfter('general', 0, 100)).every((m) => m.room === 'general'));
      });

      test('lastSeq follows appends per room', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'one', visibility: 'public', ownerId: null });
        await store.createRoom({ name: 'two', visibility: 'public', ownerId: null });
        assert.equal(await store.lastSeq('one'), 0);
        await appendMany(store, 'one', u.id, 4);
        await appendMany(store, 'two', u.id, 2);
        assert.equal(await store.lastSeq('one'), 4);
        assert.equal(await store.lastSeq('two'), 2);
      });
    });

    describe('close', () => {
      test('close settles appends already requested, then every call rejects', async (store) => {
        const u = await user(store, 'alice');
        await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
        // Not awaited: close must flush it rather than drop it.
        const pending = store.appendMessage({ room: 'general', userId: u.id, text: 'last words', nonce: 'n', ts: 1 });
        await store.close();
        assert.deepEqual(await pending, { seq: 1, ts: 1, duplicate: false });
        await assert.rejects(store.getUserByName('alice'));
        await assert.rejects(store.createUser({ name: 'bob', passwordHash: 'x' }));
        await assert.rejects(store.appendMessage({ room: 'general', userId: u.id, text: 'x', nonce: 'n2', ts: 2 }));
        await assert.rejects(store.messagesAfter('general', 0, 10));
        await assert.rejects(store.lastSeq('general'));
        // A second close is harmless (shutdown paths may both call it).
        await store.close();
      });
    });
  });
}

/**
 * SqliteStore: the shared Store contract on a real file, plus what only SQLite has to prove:
 * durability across reopen, a second connection on the same file (the operator CLI while the
 * server runs), versioned migrations, connection settings, and whole-batch rollback.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { runStoreContract } from '../contract/store.contract.js';

let dir = '';
let counter = 0;
/** A fresh database path inside this run's temp directory. */
const freshPath = (): string => join(dir, `db-${++counter}`, 'rampart.db');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-sqlite-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

runStoreContract('SqliteStore', async () => {
  const store = SqliteStore.open(freshPath());
  return { store, cleanup: () => store.close() };
});

describe('SqliteStore specifics', () => {
  it('runs with WAL, synchronous=FULL, foreign keys and a 5 s busy timeout', async () => {
    const store = SqliteStore.open(freshPath());
    try {
      assert.deepEqual(store.settings(), {
        journalMode: 'wal',
        synchronous: 2, // FULL
        foreignKeys: true,
        busyTimeout: 5000,
        schemaVersion: SCHEMA_VERSION,
      });
    } finally {
      await store.close();
    }
  });

  it('creates missing parent directories and an owner-only database file', async () => {
    const path = join(dir, 'nested', 'deeper', 'still', 'rampart.db');
    const store = SqliteStore.open(path);
    await store.close();
    const st = await stat(path);
    assert.ok(st.isFile());
    if (process.platform !== 'win32') assert.equal(st.mode & 0o777, 0o600);
  });

  it("opens ':memory:'", async () => {
    const store = SqliteStore.open(':memory:');
    const u = await store.createUser({ name: 'alice', passwordHash: 'h' });
    assert.equal((await store.getUserByName('ALICE'))?.id, u?.id);
    await store.close();
  });

  it('data survives close and reopen, including an append still pending at close', async () => {
    const path = freshPath();
    const first = SqliteStore.open(path);
    const u = await first.createUser({ name: 'alice', passwordHash: 'h', admin: true });
    assert.ok(u);
    await first.createRoom({ name: 'general', visibility: 'public', ownerId: u.id });
    await first.createSession({ tokenHash: 'tok', userId: u.id, expiresAt: 99, createdAt: 1 });
    await first.appendMessage({ room: 'general', userId: u.id, text: 'kept', nonce: 'n1', ts: 10 });
    const pending = first.appendMessage({ room: 'general', userId: u.id, text: 'flushed by close', nonce: 'n2', ts: 11 });
    await first.close();
    assert.equal((await pending).seq, 2);

    const second = SqliteStore.open(path);
    try {
      assert.deepEqual(await second.getUserById(u.id), u);
      assert.equal(await second.isMember('general', u.id), true);
      assert.equal((await second.getSession('tok'))?.userId, u.id);
      assert.deepEqual(
        (await second.messagesAfter('general', 0, 10)).map((m) => m.text),
        ['kept', 'flushed by close'],
      );
      // Dedupe state is durable too: a retry after a restart still gets the first seq.
      assert.deepEqual(
        await second.appendMessage({ room: 'general', userId: u.id, text: 'retry', nonce: 'n1', ts: 50 }),
        { seq: 1, ts: 10, duplicate: true },
      );
      assert.equal((await second.appendMessage({ room: 'general', userId: u.id, text: 'new', nonce: 'n3', ts: 51 })).seq, 3);
    } finally {
      await second.close();
    }
  });

  it('a second store on the same open file sees and writes users, rooms and messages', async () => {
    const path = freshPath();
    const server = SqliteStore.open(path);
    const cli = SqliteStore.open(path);
    try {
      const alice = await server.createUser({ name: 'alice', passwordHash: 'h1' });
      assert.ok(alice);
      // The operator sees the server's user and acts on it.
      assert.equal((await cli.getUserByName('Alice'))?.id, alice.id);
      assert.equal(await cli.setBanned(alice.id, true), true);
      assert.equal(await cli.setPassword(alice.id, 'h2'), true);
      const bob = await cli.createUser({ name: 'bob', passwordHash: 'hb' });
      assert.ok(bob);
      // ...and the server sees the operator's writes at once.
      assert.equal((await server.getUserById(alice.id))?.banned, true);
      assert.equal((await server.getUserById(alice.id))?.passwordHash, 'h2');
      assert.equal((await server.getUserByName('BOB'))?.id, bob.id);
      // Uniqueness holds across connections.
      assert.equal(await server.createUser({ name: 'BOB', passwordHash: 'x' }), null);

      // Both connections append to one room: seq stays gap-free because the counter is in the db.
      await server.createRoom({ name: 'general', visibility: 'public', ownerId: null });
      await Promise.all([1, 2, 3].map((i) => server.appendMessage({ room: 'general', userId: alice.id, text: `s${i}`, nonce: `s${i}`, ts: i })));
      await Promise.all([1, 2].map((i) => cli.appendMessage({ room: 'general', userId: bob.id, text: `c${i}`, nonce: `c${i}`, ts: 10 + i })));
      assert.equal((await server.appendMessage({ room: 'general', userId: alice.id, text: 's4', nonce: 's4', ts: 4 })).seq, 6);
      assert.deepEqual(
        (await cli.messagesAfter('general', 0, 10)).map((m) => m.seq),
        [1, 2, 3, 4, 5, 6],
      );
      // A nonce first written through one connection is a duplicate through the other.
      assert.equal((await cli.appendMessage({ room: 'general', userId: alice.id, text: 'x', nonce: 's1', ts: 99 })).duplicate, true);

      // The CLI deleting a user cascades for the server too.
      await server.createSession({ tokenHash: 't', userId: bob.id, expiresAt: Date.now() + 1000, createdAt: 1 });
      assert.equal(await cli.deleteUser(bob.id), true);
      assert.equal(await server.getSession('t'), null);
    } finally {
      await cli.close();
      await server.close();
    }
  });

  it('schema version is recorded in user_version; reopening does not re-migrate', async () => {
    const path = freshPath();
    const a = SqliteStore.open(path);
    await a.createUser({ name: 'alice', passwordHash: 'h' });
    // Open again while the first is still open, then once more after.
    const b = SqliteStore.open(path);
    await b.close();
    await a.close();
    const c = SqliteStore.open(path);
    assert.equal((await c.listUsers()).length, 1);
    await c.close();

    const raw = new Database(path, { readonly: true });
    try {
      assert.ok(SCHEMA_VERSION >= 1);
      assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  it('refuses a database written by a newer schema version', async () => {
    const path = freshPath();
    await SqliteStore.open(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => SqliteStore.open(path), /newer/);
  });

  it('a batch whose transaction fails rejects every append in it and leaves no seq gap', async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    try {
      const u = await store.createUser({ name: 'alice', passwordHash: 'h' });
      assert.ok(u);
      await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
      await store.appendMessage({ room: 'general', userId: u.id, text: 'before', nonce: 'n0', ts: 0 });

      // Make one insert fail inside the transaction, from outside the store's API.
      const raw = new Database(path);
      raw.exec(`CREATE TRIGGER boom BEFORE INSERT ON messages WHEN NEW.text = 'boom'
                BEGIN SELECT RAISE(ABORT, 'boom'); END`);
      const batch = [
        store.appendMessage({ room: 'general', userId: u.id, text: 'fine 1', nonce: 'n1', ts: 1 }),
        store.appendMessage({ room: 'general', userId: u.id, text: 'boom', nonce: 'n2', ts: 2 }),
        store.appendMessage({ room: 'general', userId: u.id, text: 'fine 2', nonce: 'n3', ts: 3 }),
      ];
      const settled = await Promise.allSettled(batch);
      assert.deepEqual(
        settled.map((s) => s.status),
        ['rejected', 'rejected', 'rejected'],
      );
      assert.equal(await store.lastSeq('general'), 1);

      raw.exec('DROP TRIGGER boom');
      raw.close();
      // The rolled-back nonces were never stored, so a retry is new, and seq continues at 2.
      assert.deepEqual(
        await store.appendMessage({ room: 'general', userId: u.id, text: 'fine 1', nonce: 'n1', ts: 4 }),
        { seq: 2, ts: 4, duplicate: false },
      );
    } finally {
      await store.close();
    }
  });

  it('rejects malformed append input and negative limits without touching the batch', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      const u = await store.createUser({ name: 'alice', passwordHash: 'h' });
      assert.ok(u);
      await store.createRoom({ name: 'general', visibility: 'public', ownerId: null });
      const good = store.appendMessage({ room: 'general', userId: u.id, text: 'ok', nonce: 'n1', ts: 1 });
      const bad = store.appendMessage({ room: 'general', userId: u.id, text: 'x', nonce: 'n2', ts: 1.5 });
      await assert.rejects(bad, TypeError);
      assert.equal((await good).seq, 1);
      // SQLite would read LIMIT -1 as "everything".
      await assert.rejects(store.messagesAfter('general', 0, -1), RangeError);
      await assert.rejects(store.messagesBefore('general', undefined, -1), RangeError);
    } finally {
      await store.close();
    }
  });
});

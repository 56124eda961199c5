/**
 * SQLite connection settings and versioned schema migrations for SqliteStore.
 *
 * The schema version lives in `PRAGMA user_version`. Migration N (1-based) takes a database
 * from version N-1 to N; they only ever get appended, never edited, because a deployed
 * database has already run the old text.
 */
import type Database from 'better-sqlite3';

/**
 * v1: the initial schema.
 *
 * - STRICT tables so a wrongly typed bind fails loudly instead of being stored as-is.
 * - users.name is UNIQUE COLLATE NOCASE: "Alice" and "alice" are one account, and lookups
 *   by name (`WHERE name = ?`) use the column's collation, so they are case-insensitive too.
 *   NOCASE folds ASCII only, which is all a username may contain.
 * - messages.user_id deliberately has NO foreign key: deleting a user must keep the room
 *   history intact. user_name is captured at write time so history still says who wrote it.
 * - rooms.last_seq is the per-room counter; appends bump it in the same transaction as the
 *   insert, so seq has no gaps and needs no MAX() scan.
 * - Indexes on the child side of every user FK, so ON DELETE CASCADE does not scan tables.
 */
const V1 = `
CREATE TABLE users (
  id            TEXT    NOT NULL PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT    NOT NULL,
  admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
  banned        INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1)),
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  token_hash TEXT    NOT NULL PRIMARY KEY,
  user_id    TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE rooms (
  name       TEXT    NOT NULL PRIMARY KEY,
  visibility TEXT    NOT NULL CHECK (visibility IN ('public', 'private')),
  owner_id   TEXT    REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX rooms_owner ON rooms(owner_id);

CREATE TABLE members (
  room    TEXT NOT NULL REFERENCES rooms(name) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (room, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX members_user ON members(user_id);

CREATE TABLE room_bans (
  room    TEXT NOT NULL REFERENCES rooms(name) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (room, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX room_bans_user ON room_bans(user_id);

CREATE TABLE messages (
  room      TEXT    NOT NULL REFERENCES rooms(name) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  user_id   TEXT    NOT NULL,
  user_name TEXT    NOT NULL,
  text      TEXT    NOT NULL,
  nonce     TEXT    NOT NULL,
  ts        INTEGER NOT NULL,
  PRIMARY KEY (room, seq),
  UNIQUE (room, user_id, nonce)
) STRICT;
`;

export const MIGRATIONS: readonly string[] = [V1];

/** The version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Per-connection settings. Order matters: busy_timeout first, so that switching to WAL waits
 * for another connection instead of failing; none of these may run inside a transaction.
 */
export function configure(db: Database.Database): void {
  // Another connection (the operator CLI while the server runs) may hold the write lock
  // briefly; wait for it rather than failing the request.
  db.pragma('busy_timeout = 5000');
  // WAL lets readers and the one writer proceed concurrently. ':memory:' stays 'memory'.
  db.pragma('journal_mode = WAL');
  // FULL fsyncs the WAL on every commit: an `ok` sent to a client means the message survives
  // a power loss, not just a process crash. Batching appends per turn keeps this affordable.
  db.pragma('synchronous = FULL');
  // Off by default in SQLite; the cascades on user deletion depend on it.
  db.pragma('foreign_keys = ON');
}

/**
 * Brings the schema to SCHEMA_VERSION. Runs in an IMMEDIATE transaction so two processes
 * opening the same file at once cannot both apply a migration: the second waits for the
 * write lock, then reads the already-bumped version and does nothing.
 */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true });
    if (typeof current !== 'number' || !Number.isInteger(current) || current < 0) {
      throw new Error(`unreadable schema version: ${String(current)}`);
    }
    if (current > SCHEMA_VERSION) {
      // Written by newer code: running old queries against it could corrupt data.
      throw new Error(`database schema version ${current} is newer than this build supports (${SCHEMA_VERSION})`);
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      const sql = MIGRATIONS[v];
      if (sql === undefined) throw new Error(`missing migration ${v + 1}`);
      db.exec(sql);
    }
    if (current !== SCHEMA_VERSION) {
      // PRAGMA takes no bound parameters; SCHEMA_VERSION is an integer constant of this
      // module, never input. user_version is part of the transaction and rolls back with it.
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}

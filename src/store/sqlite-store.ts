/**
 * SqliteStore: the embedded default Store, on better-sqlite3.
 *
 * better-sqlite3 is synchronous, so each call runs to completion inside one event-loop turn;
 * the async signatures exist so a networked backend fits the same interface. Every query is
 * a prepared statement made once in the constructor and bound with parameters.
 *
 * Appends are the hot path: all appends requested in one event-loop turn are written in ONE
 * transaction (one fsync under synchronous=FULL) flushed by setImmediate, and each promise
 * resolves only after that transaction has committed.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { configure, migrate, SCHEMA_VERSION } from './sqlite-schema.js';
import type {
  AppendInput,
  AppendResult,
  RoomRecord,
  RoomSummary,
  SessionRecord,
  Store,
  StoredMessage,
  UserRecord,
  Visibility,
} from './store.js';

interface UserRow {
  id: string;
  name: string;
  password_hash: string;
  admin: number;
  banned: number;
  created_at: number;
}
interface SessionRow {
  token_hash: string;
  user_id: string;
  expires_at: number;
  created_at: number;
}
interface RoomRow {
  name: string;
  visibility: Visibility;
  owner_id: string | null;
  created_at: number;
}
interface MessageRow {
  room: string;
  seq: number;
  user_id: string;
  user_name: string;
  text: string;
  ts: number;
}

const USER_COLS = 'id, name, password_hash, admin, banned, created_at';
const MESSAGE_COLS = 'room, seq, user_id, user_name, text, ts';

function prepareStatements(db: Database.Database) {
  return {
    // users
    insertUser: db.prepare<[string, string, string, number, number]>(
      // ON CONFLICT(name): a taken name (case-insensitively, via the column collation) is a
      // normal outcome reported as null, not an exception.
      `INSERT INTO users (id, name, password_hash, admin, banned, created_at) VALUES (?, ?, ?, ?, 0, ?)
       ON CONFLICT(name) DO NOTHING`,
    ),
    userById: db.prepare<[string], UserRow>(`SELECT ${USER_COLS} FROM users WHERE id = ?`),
    userByName: db.prepare<[string], UserRow>(`SELECT ${USER_COLS} FROM users WHERE name = ?`),
    listUsers: db.prepare<[], UserRow>(`SELECT ${USER_COLS} FROM users ORDER BY name`),
    userName: db.prepare<[string], { name: string }>('SELECT name FROM users WHERE id = ?'),
    setPassword: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?'),
    setBanned: db.prepare<[number, string]>('UPDATE users SET banned = ? WHERE id = ?'),
    setAdmin: db.prepare<[number, string]>('UPDATE users SET admin = ? WHERE id = ?'),
    // Sessions, memberships and room bans go with the user through ON DELETE CASCADE.
    deleteUser: db.prepare<[string]>('DELETE FROM users WHERE id = ?'),

    // sessions
    insertSession: db.prepare<[string, string, number, number]>(
      'INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)',
    ),
    session: db.prepare<[string], SessionRow>(
      'SELECT token_hash, user_id, expires_at, created_at FROM sessions WHERE token_hash = ?',
    ),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
    deleteUserSessions: db.prepare<[string]>('DELETE FROM sessions WHERE user_id = ?'),
    deleteExpiredSessions: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at < ?'),

    // rooms
    insertRoom: db.prepare<[string, string, string | null, number]>(
      `INSERT INTO rooms (name, visibility, owner_id, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO NOTHING`,
    ),
    room: db.prepare<[string], RoomRow>('SELECT name, visibility, owner_id, created_at FROM rooms WHERE name = ?'),
    roomsForUser: db.prepare<[string], RoomSummary>(
      `SELECT r.name AS room, r.visibility AS visibility, r.last_seq AS lastSeq, r.owner_id AS owner,
              (SELECT COUNT(*) FROM members m WHERE m.room = r.name) AS members
         FROM rooms r
        WHERE r.visibility = 'public'
           OR EXISTS (SELECT 1 FROM members m WHERE m.room = r.name AND m.user_id = ?)
        ORDER BY r.name`,
    ),
    lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM rooms WHERE name = ?'),

    // membership & bans
    addMember: db.prepare<[string, string]>('INSERT INTO members (room, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    removeMember: db.prepare<[string, string]>('DELETE FROM members WHERE room = ? AND user_id = ?'),
    isMember: db.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM members WHERE room = ? AND user_id = ?',
    ),
    addBan: db.prepare<[string, string]>('INSERT INTO room_bans (room, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    isBanned: db.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM room_bans WHERE room = ? AND user_id = ?',
    ),

    // messages
    findNonce: db.prepare<[string, string, string], { seq: number; ts: number }>(
      'SELECT seq, ts FROM messages WHERE room = ? AND user_id = ? AND nonce = ?',
    ),
    // The counter lives on the room row: bumping it takes the row's write lock inside the
    // batch transaction, and a missing room simply returns no row.
    bumpSeq: db.prepare<[string], { last_seq: number }>(
      'UPDATE rooms SET last_seq = last_seq + 1 WHERE name = ? RETURNING last_seq',
    ),
    insertMessage: db.prepare<[string, number, string, string, string, string, number]>(
      'INSERT INTO messages (room, seq, user_id, user_name, text, nonce, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    after: db.prepare<[string, number, number], MessageRow>(
      `SELECT ${MESSAGE_COLS} FROM messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    // Newest first so LIMIT keeps the newest; reversed to ascending in JS.
    before: db.prepare<[string, number, number], MessageRow>(
      `SELECT ${MESSAGE_COLS} FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
    latest: db.prepare<[string, number], MessageRow>(
      `SELECT ${MESSAGE_COLS} FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?`,
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

interface PendingAppend {
  input: AppendInput;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** Per-append result inside a batch: a missing room fails that append, not its neighbours. */
type Outcome = { ok: true; result: AppendResult } | { ok: false; error: Error };

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    name: row.name,
    passwordHash: row.password_hash,
    admin: row.admin === 1,
    banned: row.banned === 1,
    createdAt: row.created_at,
  };
}

function toMessage(row: MessageRow): StoredMessage {
  // The name captured at write time: the author may have been deleted since.
  return { room: row.room, seq: row.seq, from: { id: row.user_id, name: row.user_name }, text: row.text, ts: row.ts };
}

/** SQLite reads a negative LIMIT as "no limit": refuse it rather than dump a whole room. */
function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`invalid limit: ${String(limit)}`);
}

export class SqliteStore implements Store {
  private readonly stmt: Statements;
  private readonly appendBatch: (inputs: readonly AppendInput[]) => Outcome[];
  private readonly banTx: (room: string, userId: string) => void;
  private readonly createRoomTx: (room: RoomRecord) => boolean;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;

  private constructor(private readonly db: Database.Database) {
    this.stmt = prepareStatements(db);
    const s = this.stmt;

    // IMMEDIATE: take the write lock at BEGIN. A deferred transaction that reads first and
    // then writes can fail with SQLITE_BUSY (without waiting) if another connection committed
    // in between; an immediate one just waits busy_timeout for the lock.
    const batch = db.transaction((inputs: readonly AppendInput[]) => inputs.map((input) => this.appendOne(input)));
    this.appendBatch = (inputs) => batch.immediate(inputs);

    const ban = db.transaction((room: string, userId: string) => {
      s.addBan.run(room, userId);
      s.removeMember.run(room, userId);
    });
    this.banTx = (room, userId) => ban.immediate(room, userId);

    const createRoom = db.transaction((r: RoomRecord): boolean => {
      if (s.insertRoom.run(r.name, r.visibility, r.ownerId, r.createdAt).changes === 0) return false;
      if (r.ownerId !== null) s.addMember.run(r.name, r.ownerId);
      return true;
    });
    this.createRoomTx = (r) => createRoom.immediate(r);
  }

  /** Opens (creating if needed) the database at `path`; ':memory:' gives a private in-memory store. */
  static open(path: string): SqliteStore {
    if (path !== ':memory:' && path !== '') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // The file holds password and session hashes: create it owner-only before SQLite
      // would (0644 minus umask). SQLite gives its -wal and -shm files the same mode.
      // 'a' never truncates and leaves an existing file's mode alone.
      closeSync(openSync(path, 'a', 0o600));
    }
    const db = new Database(path);
    try {
      configure(db);
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStore(db);
  }

  /** What the connection actually runs with, for tests and diagnostics. */
  settings(): { journalMode: string; synchronous: number; foreignKeys: boolean; busyTimeout: number; schemaVersion: number } {
    this.assertOpen();
    const read = (name: string): unknown => this.db.pragma(name, { simple: true });
    return {
      journalMode: String(read('journal_mode')),
      synchronous: Number(read('synchronous')),
      foreignKeys: read('foreign_keys') === 1,
      busyTimeout: Number(read('busy_timeout')),
      schemaVersion: SCHEMA_VERSION,
    };
  }

  // ── users ──

  async createUser(input: { name: string; passwordHash: string; admin?: boolean }): Promise<UserRecord | null> {
    this.assertOpen();
    const user: UserRecord = {
      id: randomUUID(),
      name: input.name,
      passwordHash: input.passwordHash,
      admin: input.admin === true,
      banned: false,
      createdAt: Date.now(),
    };
    const { changes } = this.stmt.insertUser.run(user.id, user.name, user.passwordHash, user.admin ? 1 : 0, user.createdAt);
    return changes === 1 ? user : null;
  }

  async getUserByName(name: string): Promise<UserRecord | null> {
    this.assertOpen();
    const row = this.stmt.userByName.get(name);
    return row ? toUser(row) : null;
  }

  async getUserById(id: string): Promise<UserRecord | null> {
    this.assertOpen();
    const row = this.stmt.userById.get(id);
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    this.assertOpen();
    return this.stmt.listUsers.all().map(toUser);
  }

  async setPassword(userId: string, passwordHash: string): Promise<boolean> {
    this.assertOpen();
    return this.stmt.setPassword.run(passwordHash, userId).changes > 0;
  }

  async setBanned(userId: string, banned: boolean): Promise<boolean> {
    this.assertOpen();
    return this.stmt.setBanned.run(banned ? 1 : 0, userId).changes > 0;
  }

  async setAdmin(userId: string, admin: boolean): Promise<boolean> {
    this.assertOpen();
    return this.stmt.setAdmin.run(admin ? 1 : 0, userId).changes > 0;
  }

  async deleteUser(userId: string): Promise<boolean> {
    this.assertOpen();
    return this.stmt.deleteUser.run(userId).changes > 0;
  }

  // ── sessions ──

  async createSession(session: SessionRecord): Promise<void> {
    this.assertOpen();
    this.stmt.insertSession.run(session.tokenHash, session.userId, session.expiresAt, session.createdAt);
  }

  async getSession(tokenHash: string): Promise<SessionRecord | null> {
    this.assertOpen();
    const row = this.stmt.session.get(tokenHash);
    return row
      ? { tokenHash: row.token_hash, userId: row.user_id, expiresAt: row.expires_at, createdAt: row.created_at }
      : null;
  }

  async deleteSession(tokenHash: string): Promise<boolean> {
    this.assertOpen();
    return this.stmt.deleteSession.run(tokenHash).changes > 0;
  }

  async deleteUserSessions(userId: string): Promise<number> {
    this.assertOpen();
    return this.stmt.deleteUserSessions.run(userId).changes;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    this.assertOpen();
    return this.stmt.deleteExpiredSessions.run(now).changes;
  }

  // ── rooms ──

  async createRoom(input: { name: string; visibility: Visibility; ownerId: string | null }): Promise<RoomRecord | null> {
    this.assertOpen();
    const room: RoomRecord = { name: input.name, visibility: input.visibility, ownerId: input.ownerId, createdAt: Date.now() };
    return this.createRoomTx(room) ? room : null;
  }

  async getRoom(name: string): Promise<RoomRecord | null> {
    this.assertOpen();
    const row = this.stmt.room.get(name);
    return row ? { name: row.name, visibility: row.visibility, ownerId: row.owner_id, createdAt: row.created_at } : null;
  }

  async listRoomsForUser(userId: string): Promise<RoomSummary[]> {
    this.assertOpen();
    // Columns are aliased to RoomSummary's field names; copy so callers get plain objects.
    return this.stmt.roomsForUser
      .all(userId)
      .map((r) => ({ room: r.room, visibility: r.visibility, members: r.members, lastSeq: r.lastSeq, owner: r.owner }));
  }

  // ── membership & room bans ──

  async addMember(room: string, userId: string): Promise<void> {
    this.assertOpen();
    this.stmt.addMember.run(room, userId);
  }

  async removeMember(room: string, userId: string): Promise<boolean> {
    this.assertOpen();
    return this.stmt.removeMember.run(room, userId).changes > 0;
  }

  async isMember(room: string, userId: string): Promise<boolean> {
    this.assertOpen();
    return this.stmt.isMember.get(room, userId) !== undefined;
  }

  async banFromRoom(room: string, userId: string): Promise<void> {
    this.assertOpen();
    this.banTx(room, userId);
  }

  async isBannedFromRoom(room: string, userId: string): Promise<boolean> {
    this.assertOpen();
    return this.stmt.isBanned.get(room, userId) !== undefined;
  }

  // ── messages ──

  async appendMessage(input: AppendInput): Promise<AppendResult> {
    this.assertOpen();
    const { room, userId, text, nonce, ts } = input;
    // Checked here, per call: a malformed input reaching the batch would make the whole
    // transaction throw and fail every other sender's message with it.
    if (
      typeof room !== 'string' ||
      typeof userId !== 'string' ||
      typeof text !== 'string' ||
      typeof nonce !== 'string' ||
      !Number.isSafeInteger(ts)
    ) {
      throw new TypeError('invalid append input');
    }
    return new Promise<AppendResult>((resolve, reject) => {
      // A copy: the caller may reuse its object before the batch is flushed.
      this.pending.push({ input: { room, userId, text, nonce, ts }, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate runs after this turn's I/O callbacks and microtasks, so every append
        // requested in the turn lands in the same batch.
        setImmediate(() => this.flush());
      }
    });
  }

  async messagesAfter(room: string, since: number, limit: number): Promise<StoredMessage[]> {
    this.assertOpen();
    checkLimit(limit);
    return this.stmt.after.all(room, since, limit).map(toMessage);
  }

  async messagesBefore(room: string, before: number | undefined, limit: number): Promise<StoredMessage[]> {
    this.assertOpen();
    checkLimit(limit);
    const rows = before === undefined ? this.stmt.latest.all(room, limit) : this.stmt.before.all(room, before, limit);
    return rows.reverse().map(toMessage);
  }

  async lastSeq(room: string): Promise<number> {
    this.assertOpen();
    return this.stmt.lastSeq.get(room)?.last_seq ?? 0;
  }

  async close(): Promise<void> {
    // Idempotent so shutdown paths can call it without tracking who closed first.
    if (this.closed) return;
    // Appends already accepted must be written (and their promises settled) before closing.
    this.flush();
    this.closed = true;
    this.db.close();
  }

  // ── internals ──

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  /** Writes every queued append in one transaction, then settles each promise. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.appendBatch(batch.map((p) => p.input));
    } catch (err) {
      // Rolled back: nothing in the batch is durable, so nobody may be told `ok`.
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) p.reject(new Error('append outcome missing'));
      else if (outcome.ok) p.resolve(outcome.result);
      else p.reject(outcome.error);
    });
  }

  /**
   * One append inside the batch transaction. Checks that can fail for this input alone run
   * BEFORE the seq bump, so a failed append leaves no gap; later appends in the same batch
   * see earlier ones, which makes a nonce repeated within one batch dedupe like any other.
   */
  private appendOne(input: AppendInput): Outcome {
    const s = this.stmt;
    const first = s.findNonce.get(input.room, input.userId, input.nonce);
    if (first) return { ok: true, result: { seq: first.seq, ts: first.ts, duplicate: true } };
    const author = s.userName.get(input.userId);
    if (!author) return { ok: false, error: new Error(`no such user: ${input.userId}`) };
    const bumped = s.bumpSeq.get(input.room);
    if (!bumped) return { ok: false, error: new Error(`no such room: ${input.room}`) };
    s.insertMessage.run(input.room, bumped.last_seq, input.userId, author.name, input.text, input.nonce, input.ts);
    return { ok: true, result: { seq: bumped.last_seq, ts: input.ts, duplicate: false } };
  }
}

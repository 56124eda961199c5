/**
 * Store: everything Rampart keeps durably (users, sessions, rooms, membership, bans, messages).
 *
 * Two implementations run the same contract suite (test/contract/store.contract.ts):
 * SqliteStore (embedded default) and, later, PostgresStore. Every method is async so a
 * networked backend fits; every query is parameterised (no string-built SQL).
 * Guarantees callers rely on are stated on each method.
 */

export interface User {
  /** Opaque, stable id (random, never reused). */
  id: string;
  /** Unique, matches ^[A-Za-z0-9_]{3,32}$; compared case-insensitively for uniqueness. */
  name: string;
}

export interface UserRecord extends User {
  passwordHash: string;
  /** Server admins may moderate every room. */
  admin: boolean;
  /** Server-wide ban by an operator: login refused, live sockets close 4002. */
  banned: boolean;
  createdAt: number;
}

export interface SessionRecord {
  /** SHA-256 of the bearer token, hex; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  /** Epoch ms. */
  expiresAt: number;
  createdAt: number;
}

export type Visibility = 'public' | 'private';

export interface RoomRecord {
  name: string;
  visibility: Visibility;
  ownerId: string | null;
  createdAt: number;
}

export interface RoomSummary {
  room: string;
  visibility: Visibility;
  /** Number of members (persistent membership, not live connections). */
  members: number;
  /** Highest seq in the room, 0 when empty. */
  lastSeq: number;
  /** Id of the room's owner (null for server rooms such as `general`). */
  owner: string | null;
}

export interface StoredMessage {
  room: string;
  seq: number;
  from: User;
  text: string;
  /** Epoch ms, set by the server. */
  ts: number;
}

export interface AppendInput {
  room: string;
  userId: string;
  text: string;
  nonce: string;
  ts: number;
}

export interface AppendResult {
  seq: number;
  ts: number;
  /** True when (user, room, nonce) was seen before: nothing was stored, seq/ts are the first write's. */
  duplicate: boolean;
}

export interface Store {
  // ── users ──
  /** Creates a user; returns null when the name is taken (case-insensitive). */
  createUser(input: { name: string; passwordHash: string; admin?: boolean }): Promise<UserRecord | null>;
  /** Case-insensitive lookup. */
  getUserByName(name: string): Promise<UserRecord | null>;
  getUserById(id: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  /** Returns false when no such user. */
  setPassword(userId: string, passwordHash: string): Promise<boolean>;
  setBanned(userId: string, banned: boolean): Promise<boolean>;
  setAdmin(userId: string, admin: boolean): Promise<boolean>;
  /** Deletes the user, their sessions and memberships; their messages stay (attributed to the id). */
  deleteUser(userId: string): Promise<boolean>;

  // ── sessions ──
  createSession(session: SessionRecord): Promise<void>;
  /** Returns the session if present (expired ones may still be returned: callers check expiresAt). */
  getSession(tokenHash: string): Promise<SessionRecord | null>;
  /** Returns false when there was nothing to revoke. */
  deleteSession(tokenHash: string): Promise<boolean>;
  deleteUserSessions(userId: string): Promise<number>;
  /** Removes sessions expired before `now` (epoch ms); returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;

  // ── rooms ──
  /** Creates the room with the owner as its first member; null when the name exists. */
  createRoom(input: { name: string; visibility: Visibility; ownerId: string | null }): Promise<RoomRecord | null>;
  getRoom(name: string): Promise<RoomRecord | null>;
  /** Public rooms plus the private rooms the user is a member of, sorted by name. */
  listRoomsForUser(userId: string): Promise<RoomSummary[]>;

  // ── membership & room bans ──
  /** Idempotent. */
  addMember(room: string, userId: string): Promise<void>;
  /** Returns false when the user was not a member. */
  removeMember(room: string, userId: string): Promise<boolean>;
  isMember(room: string, userId: string): Promise<boolean>;
  /** Idempotent; also removes the membership. */
  banFromRoom(room: string, userId: string): Promise<void>;
  isBannedFromRoom(room: string, userId: string): Promise<boolean>;

  // ── messages ──
  /**
   * Appends a message durably and returns its seq. seq is per room, starts at 1 and increases
   * by exactly 1 per stored message with no gaps, also under concurrent appends. A repeated
   * (userId, room, nonce) stores nothing and returns the first write's seq and ts.
   * When the promise resolves the message is durable (committed).
   */
  appendMessage(input: AppendInput): Promise<AppendResult>;
  /** Messages with seq > since, ascending, at most `limit`. */
  messagesAfter(room: string, since: number, limit: number): Promise<StoredMessage[]>;
  /** The newest `limit` messages with seq < before (or the latest when before is undefined), ascending. */
  messagesBefore(room: string, before: number | undefined, limit: number): Promise<StoredMessage[]>;
  /** Highest seq of the room, 0 when it has none. */
  lastSeq(room: string): Promise<number>;

  /** Flushes and releases the backend; further calls reject. */
  close(): Promise<void>;
}

/**
 * Accounts: registration, login, sessions and operator actions on users. Shared by the HTTP
 * API, the WebSocket gate and the CLI, so every path applies the same rules (one authorization
 * layer, catalogue Z4). Knows the Store and the Bus, never a socket or an HTTP request.
 */
import type { Config } from '../config/schema.js';
import type { Store, User, UserRecord } from '../store/store.js';
import type { Bus } from '../bus/bus.js';
import { hashPassword, verifyPassword, getDummyHash, validatePassword, validateUsername } from '../security/passwords.js';
import { newToken, hashToken } from '../security/tokens.js';
import { AttemptLimiter } from '../security/attempt-limiter.js';

/** Bus topics on which every node learns that sessions ended, to close their sockets. */
export const REVOKE_SESSION_TOPIC = 'rampart:revoke-session';
export const REVOKE_USER_TOPIC = 'rampart:revoke-user';

/** Payload of REVOKE_USER_TOPIC: `banned` closes with 4002, otherwise 4001. */
export interface UserRevocation {
  userId: string;
  banned: boolean;
}

export interface AuthenticatedSession {
  user: User;
  admin: boolean;
  tokenHash: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type RegisterResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'taken' | 'closed' | 'throttled'; retryAfterMs?: number };

export type LoginResult =
  | { ok: true; token: string; expiresAt: number; user: User }
  | { ok: false; reason: 'invalid' | 'throttled'; retryAfterMs?: number };

export function publicUser(record: UserRecord): User {
  return { id: record.id, name: record.name };
}

export class Accounts {
  readonly #store: Store;
  readonly #bus: Bus;
  readonly #config: Config;
  readonly #loginByName: AttemptLimiter;
  readonly #loginByIp: AttemptLimiter;
  readonly #registerByIp: AttemptLimiter;

  constructor(store: Store, bus: Bus, config: Config) {
    this.#store = store;
    this.#bus = bus;
    this.#config = config;
    this.#loginByName = new AttemptLimiter({ max: config.loginMaxFailuresPerUsername, windowMs: config.loginWindowMs });
    this.#loginByIp = new AttemptLimiter({ max: config.loginMaxFailuresPerIp, windowMs: config.loginWindowMs });
    this.#registerByIp = new AttemptLimiter({ max: config.registrationsPerIpPerHour, windowMs: 60 * 60 * 1000 });
  }

  async register(username: unknown, password: unknown, ip: string): Promise<RegisterResult> {
    if (!this.#config.registrationOpen) return { ok: false, reason: 'closed' };
    if (typeof username !== 'string' || typeof password !== 'string') return { ok: false, reason: 'invalid' };
    if (!validateUsername(username) || !validatePassword(password)) return { ok: false, reason: 'invalid' };
    const gate = this.#registerByIp.check(ip);
    if (!gate.ok) return { ok: false, reason: 'throttled', retryAfterMs: gate.retryAfterMs };
    // Count every accepted attempt (not only failures): this caps account creation per IP.
    this.#registerByIp.fail(ip);
    const record = await this.#store.createUser({ name: username, passwordHash: await hashPassword(password) });
    if (!record) return { ok: false, reason: 'taken' };
    return { ok: true, user: publicUser(record) };
  }

  /**
   * Checks a username/password pair. Failures are counted per username and per IP; while
   * either is over its limit even the right password is refused (429), and the block ends with
   * the window, so the real user is never locked out for good. The reply never says which half
   * was wrong, and an unknown user costs the same scrypt work as a known one.
   */
  async login(username: unknown, password: unknown, ip: string): Promise<LoginResult> {
    if (typeof username !== 'string' || typeof password !== 'string') return { ok: false, reason: 'invalid' };
    const nameKey = username.toLowerCase();
    for (const gate of [this.#loginByIp.check(ip), this.#loginByName.check(nameKey)]) {
      if (!gate.ok) return { ok: false, reason: 'throttled', retryAfterMs: gate.retryAfterMs };
    }
    const record =
      validateUsername(username) && validatePassword(password) ? await this.#store.getUserByName(username) : null;
    const matches = await verifyPassword(password, record ? record.passwordHash : await getDummyHash());
    if (!record || !matches || record.banned) {
      this.#loginByIp.fail(ip);
      this.#loginByName.fail(nameKey);
      return { ok: false, reason: 'invalid' };
    }
    this.#loginByName.reset(nameKey);
    const token = newToken();
    const now = Date.now();
    const expiresAt = now + this.#config.sessionTtlMs;
    await this.#store.createSession({ tokenHash: hashToken(token), userId: record.id, expiresAt, createdAt: now });
    return { ok: true, token, expiresAt, user: publicUser(record) };
  }

  /** Resolves a bearer token to its live session, or null (unknown, expired, user gone or banned). */
  async authenticate(token: string): Promise<AuthenticatedSession | null> {
    if (token.length === 0 || token.length > 256) return null;
    const tokenHash = hashToken(token);
    const session = await this.#store.getSession(tokenHash);
    if (!session || session.expiresAt <= Date.now()) return null;
    const user = await this.#store.getUserById(session.userId);
    if (!user || user.banned) return null;
    return { user: publicUser(user), admin: user.admin, tokenHash, expiresAt: session.expiresAt };
  }

  /**
   * Re-validates a live connection's session by its hash (OWASP: re-check long-lived sockets), so
   * a logout, password change, deletion or ban done by another process is noticed too.
   */
  async checkSession(tokenHash: string, userId: string): Promise<'valid' | 'ended' | 'banned'> {
    // The ban is looked at first: banning also deletes the sessions, and the socket must learn
    // it was a ban (4002), not a plain end of session (4001).
    const user = await this.#store.getUserById(userId);
    if (!user) return 'ended';
    if (user.banned) return 'banned';
    const session = await this.#store.getSession(tokenHash);
    return session && session.userId === userId && session.expiresAt > Date.now() ? 'valid' : 'ended';
  }

  /** Revokes the session of `token`; its live sockets on every node close 4001. */
  async logout(token: string): Promise<boolean> {
    const tokenHash = hashToken(token);
    const removed = await this.#store.deleteSession(tokenHash);
    if (removed) await this.#bus.publish(REVOKE_SESSION_TOPIC, tokenHash);
    return removed;
  }

  // ── operator actions (CLI) ──

  async addUser(name: string, password: string, admin = false): Promise<User> {
    if (!validateUsername(name)) throw new Error('username must match ^[A-Za-z0-9_]{3,32}$');
    if (!validatePassword(password)) throw new Error('password must be 8..1024 characters');
    const record = await this.#store.createUser({ name, passwordHash: await hashPassword(password), admin });
    if (!record) throw new Error(`user ${name} already exists`);
    return publicUser(record);
  }

  /** Sets a new password and ends every session of the user (their sockets close 4001). */
  async setPassword(name: string, password: string): Promise<void> {
    if (!validatePassword(password)) throw new Error('password must be 8..1024 characters');
    const user = await this.#requireUser(name);
    await this.#store.setPassword(user.id, await hashPassword(password));
    await this.#endUserSessions(user.id, false);
  }

  async deleteUser(name: string): Promise<void> {
    const user = await this.#requireUser(name);
    await this.#endUserSessions(user.id, false);
    await this.#store.deleteUser(user.id);
  }

  /** Server-wide ban: login refused, sessions ended, live sockets close 4002. */
  async setBanned(name: string, banned: boolean): Promise<void> {
    const user = await this.#requireUser(name);
    await this.#store.setBanned(user.id, banned);
    if (banned) await this.#endUserSessions(user.id, true);
  }

  async setAdmin(name: string, admin: boolean): Promise<void> {
    const user = await this.#requireUser(name);
    await this.#store.setAdmin(user.id, admin);
  }

  listUsers(): Promise<UserRecord[]> {
    return this.#store.listUsers();
  }

  async #endUserSessions(userId: string, banned: boolean): Promise<void> {
    await this.#store.deleteUserSessions(userId);
    const payload: UserRevocation = { userId, banned };
    await this.#bus.publish(REVOKE_USER_TOPIC, JSON.stringify(payload));
  }

  async #requireUser(name: string): Promise<UserRecord> {
    const user = await this.#store.getUserByName(name);
    if (!user) throw new Error(`no user named ${name}`);
    return user;
  }
}

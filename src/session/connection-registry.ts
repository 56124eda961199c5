/**
 * ConnectionRegistry: every live connection of this process, indexed for the connection caps
 * (per IP, per user, total), for revocation (by session, by user) and for the heartbeat sweep.
 * Handshakes in flight hold a slot of their IP too, so a burst of parallel upgrades cannot
 * overshoot the per-IP cap while authentication is being looked up.
 */
import type { Config } from '../config/schema.js';
import type { CloseCode } from '../protocol/codes.js';
import { TokenBucket } from '../security/token-bucket.js';
import type { Connection } from './connection.js';

export type CapRejection = 'ip' | 'user' | 'total';

export class ConnectionRegistry {
  readonly #config: Config;
  readonly #all = new Set<Connection>();
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #bySession = new Map<string, Set<Connection>>();
  /** Connections plus handshakes in flight, per IP. */
  readonly #perIp = new Map<string, number>();
  /** Per-user message buckets, shared by that user's connections; dropped with the last one. */
  readonly #userBuckets = new Map<string, TokenBucket>();

  constructor(config: Config) {
    this.#config = config;
  }

  get size(): number {
    return this.#all.size;
  }

  /** Reserves a slot for a handshake from `ip`; null when the IP is at its cap. */
  reserveIp(ip: string): (() => void) | null {
    const count = this.#perIp.get(ip) ?? 0;
    if (count >= this.#config.maxConnectionsPerIp) return null;
    this.#perIp.set(ip, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, left);
    };
  }

  /** Checks the per-user and total caps for a new connection of `userId`. */
  checkCaps(userId: string): CapRejection | null {
    if (this.#all.size >= this.#config.maxConnections) return 'total';
    if ((this.#byUser.get(userId)?.size ?? 0) >= this.#config.maxConnectionsPerUser) return 'user';
    return null;
  }

  userBucket(userId: string): TokenBucket {
    let bucket = this.#userBuckets.get(userId);
    if (!bucket) {
      bucket = new TokenBucket(this.#config.userMessagesPerSecond, this.#config.userMessageBurst);
      this.#userBuckets.set(userId, bucket);
    }
    return bucket;
  }

  add(conn: Connection): void {
    this.#all.add(conn);
    addTo(this.#byUser, conn.user.id, conn);
    addTo(this.#bySession, conn.tokenHash, conn);
  }

  /** Forgets a closed connection; the caller releases its IP slot. */
  remove(conn: Connection): void {
    this.#all.delete(conn);
    if (removeFrom(this.#byUser, conn.user.id, conn)) this.#userBuckets.delete(conn.user.id);
    removeFrom(this.#bySession, conn.tokenHash, conn);
  }

  closeSession(tokenHash: string, code: CloseCode): number {
    return closeAll(this.#bySession.get(tokenHash), code);
  }

  closeUser(userId: string, code: CloseCode): number {
    return closeAll(this.#byUser.get(userId), code);
  }

  /**
   * Shutdown: every connection finishes the requests it already received, then gets 1001
   * behind its queued frames. Waits until all are closed or `timeoutMs` passed, then cuts the rest.
   */
  async drainAll(timeoutMs: number): Promise<void> {
    const conns = [...this.#all];
    const closed = Promise.all(conns.map((c) => c.closed));
    for (const conn of conns) void conn.drain();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    for (const conn of this.#all) conn.terminate();
    await closed;
  }

  /** Runs every connection's heartbeat/expiry tick; returns those due for a session re-check. */
  sweep(now: number): Connection[] {
    const due: Connection[] = [];
    for (const conn of this.#all) if (conn.tick(now)) due.push(conn);
    return due;
  }
}

function addTo(map: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(conn);
}

/** Returns true when the key has no connection left. */
function removeFrom(map: Map<string, Set<Connection>>, key: string, conn: Connection): boolean {
  const set = map.get(key);
  if (!set) return true;
  set.delete(conn);
  if (set.size > 0) return false;
  map.delete(key);
  return true;
}

function closeAll(conns: Iterable<Connection> | undefined, code: CloseCode): number {
  let n = 0;
  for (const conn of [...(conns ?? [])]) {
    conn.close(code);
    n++;
  }
  return n;
}

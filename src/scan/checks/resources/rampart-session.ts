/**
 * Helpers for the rampart-profile resource checks: JSON requests over a raw connection, the
 * limits the server announces in its `hello`, client-side pacing that stays inside them, and the
 * scanner's own room namespace.
 *
 * Data written by the scanner lives only in private rooms named `rws-scan-<8 hex of the scanning
 * user's id>-<suffix>`. The names are deterministic per scanning user, so a repeated scan reuses
 * its rooms instead of piling up new ones, and private rooms are listed to their members only:
 * no other user sees them and no user's data is touched.
 */
import { createHash } from 'node:crypto';
import type { ScanContext } from '../../context.js';
import { Opcode } from '../../wire/frame.js';
import type { RawFrame, RawSocket } from '../../wire/raw-client.js';
import { openSocket, sleep } from '../framing/probe.js';

export interface AnnouncedLimits {
  maxMessageBytes: number;
  maxTextChars: number;
  messagesPerSecond: number;
  burst: number;
}

/** Used when the hello announces nothing (Rampart's defaults). */
export const DEFAULT_LIMITS: AnnouncedLimits = { maxMessageBytes: 16 * 1024, maxTextChars: 4000, messagesPerSecond: 20, burst: 40 };

export type Json = Record<string, unknown>;

export function jsonOf(frame: RawFrame): Json | undefined {
  if (frame.opcode !== Opcode.TEXT) return undefined;
  try {
    const value = JSON.parse(frame.payload.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** A token bucket on the client side, so the scanner never trips the limits it is not testing. */
export class Pacer {
  #rate: number;
  readonly #capacity: number;
  #tokens: number;
  #at = Date.now();

  constructor(perSecond: number, burst: number) {
    this.#rate = Math.max(0.5, perSecond);
    this.#capacity = Math.max(1, burst);
    this.#tokens = this.#capacity;
  }

  /** Slows down after a RATE_LIMITED (halves the rate, empties the bucket). */
  backOff(): void {
    this.#rate = Math.max(0.5, this.#rate / 2);
    this.#tokens = 0;
  }

  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
      this.#at = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
    }
  }
}

/** A pacer at 90 % of the announced rate and half the announced burst. */
export function pacerFor(limits: AnnouncedLimits): Pacer {
  return new Pacer(limits.messagesPerSecond * 0.9, Math.floor(limits.burst / 2));
}

let requestCounter = 0;

/** One rampart-profile connection: the raw socket plus request/reply helpers. */
export class RampartConnection {
  readonly socket: RawSocket;
  readonly hello: Json | undefined;
  readonly limits: AnnouncedLimits;

  constructor(socket: RawSocket, hello: Json | undefined) {
    this.socket = socket;
    this.hello = hello;
    const l = (hello?.limits ?? {}) as Partial<Record<keyof AnnouncedLimits, unknown>>;
    const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
    this.limits = {
      maxMessageBytes: num(l.maxMessageBytes, DEFAULT_LIMITS.maxMessageBytes),
      maxTextChars: num(l.maxTextChars, DEFAULT_LIMITS.maxTextChars),
      messagesPerSecond: num(l.messagesPerSecond, DEFAULT_LIMITS.messagesPerSecond),
      burst: num(l.burst, DEFAULT_LIMITS.burst),
    };
  }

  /** Whether the server closed this connection (close frame or TCP end). */
  get closed(): boolean {
    return this.socket.closeFrame !== null || this.socket.tcpClosed;
  }

  /** Sends a request with a fresh id; returns the id. */
  send(frame: Json): string {
    const id = `rws-${++requestCounter}`;
    this.socket.sendText({ ...frame, id });
    return id;
  }

  /** The ok/error reply to `id`, or null (timeout, connection closed). */
  async reply(id: string, timeoutMs: number): Promise<Json | null> {
    const frame = await this.socket
      .waitFor((f) => {
        const j = jsonOf(f);
        return j !== undefined && j.id === id && (j.type === 'ok' || j.type === 'error');
      }, timeoutMs)
      .catch(() => null);
    return frame ? (jsonOf(frame) ?? null) : null;
  }

  async request(frame: Json, timeoutMs: number): Promise<Json | null> {
    return this.reply(this.send(frame), timeoutMs);
  }

  /**
   * A request paced by `pacer`, retried (up to 3 times) after RATE_LIMITED with the announced
   * retryAfterMs: the checks that use it are not about the rate limit.
   */
  async pacedRequest(frame: Json, pacer: Pacer, timeoutMs: number): Promise<Json | null> {
    for (let attempt = 0; ; attempt++) {
      await pacer.take();
      const reply = await this.request(frame, timeoutMs);
      if (reply?.type === 'error' && reply.code === 'RATE_LIMITED' && attempt < 3) {
        pacer.backOff();
        await sleep((typeof reply.retryAfterMs === 'number' ? reply.retryAfterMs : 1000) + 100);
        continue;
      }
      return reply;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens a baseline connection and waits (briefly) for the server's hello. */
export async function openRampart(ctx: ScanContext, autoPong = true): Promise<{ ok: true; conn: RampartConnection } | { ok: false; reason: string }> {
  const opened = await openSocket(ctx, { autoPong });
  if (!opened.ok) return opened;
  const helloFrame = await opened.socket.waitFor((f) => jsonOf(f)?.type === 'hello', ctx.options.timeoutMs).catch(() => null);
  return { ok: true, conn: new RampartConnection(opened.socket, helloFrame ? jsonOf(helloFrame) : undefined) };
}

/** `rws-scan-<8 hex of the user id>-<suffix>`: the scanner's private room namespace. */
export function scannerRoom(ctx: ScanContext, suffix: string): string {
  const owner = ctx.rampart?.user.id ?? 'anonymous';
  return `rws-scan-${createHash('sha256').update(owner).digest('hex').slice(0, 8)}-${suffix}`;
}

/**
 * Makes sure the scanner's private room exists and this connection has joined it: create (ok or
 * CONFLICT when an earlier scan made it), then join. Resolves the join reply, or an explanation.
 */
export async function ensureRoom(conn: RampartConnection, room: string, pacer: Pacer, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string; reply: Json | null }> {
  const created = await conn.pacedRequest({ type: 'create', room, visibility: 'private' }, pacer, timeoutMs);
  if (!created || (created.type === 'error' && created.code !== 'CONFLICT')) {
    return { ok: false, reason: `create ${room}: ${created ? String(created.code) : 'no reply'}`, reply: created };
  }
  const joined = await conn.pacedRequest({ type: 'join', room }, pacer, timeoutMs);
  if (joined?.type !== 'ok') return { ok: false, reason: `join ${room}: ${joined ? String(joined.code) : 'no reply'}`, reply: joined };
  return { ok: true };
}

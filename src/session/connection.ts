/**
 * Connection: one live WebSocket after the gate accepted it. Owns what is per-socket —
 * heartbeat, rate limits, the invalid-frame counter, the outbound byte bound — and hands each
 * valid request to the chat layer in arrival order. It never touches SQL.
 */
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { AuthenticatedSession } from '../auth/accounts.js';
import type { ChatClient } from '../chat/chat-client.js';
import type { ChatService } from '../chat/chat-service.js';
import type { Config } from '../config/schema.js';
import { CloseCode, closeReasons, ErrorCode, invalidFrameCodes } from '../protocol/codes.js';
import type { ClientMessage } from '../protocol/client-messages.js';
import { parseClientFrame } from '../protocol/parse.js';
import { encode, errorFrame, helloFrame, okFrame } from '../protocol/server-messages.js';
import { TokenBucket } from '../security/token-bucket.js';
import { ViolationWindow } from '../security/violation-window.js';
import type { User } from '../store/store.js';
import { isMidMessage } from './receiver-progress.js';

export interface ConnectionDeps {
  ws: WebSocket;
  session: AuthenticatedSession;
  ip: string;
  connectionId: string;
  chat: ChatService;
  config: Config;
  log: Logger;
  /** Shared by every connection of the same user (the per-user bucket). */
  userBucket: TokenBucket;
  /** Audit hook for violations (reason code), e.g. metrics and the audit log. */
  onViolation: (conn: Connection, reason: string) => void;
  onClosed: (conn: Connection) => void;
}

export class Connection implements ChatClient {
  readonly connectionId: string;
  readonly user: User;
  readonly admin: boolean;
  readonly tokenHash: string;
  readonly sessionExpiresAt: number;
  readonly ip: string;

  readonly #ws: WebSocket;
  readonly #chat: ChatService;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #bucket: TokenBucket;
  readonly #userBucket: TokenBucket;
  readonly #rateViolations: ViolationWindow;
  readonly #onViolation: ConnectionDeps['onViolation'];
  #invalidInRow = 0;
  /** Requests run one at a time so replies keep request order (a `send` right after `join` sees it). */
  #work: Promise<void> = Promise.resolve();
  #closing = false;
  /** Resolves once the socket is closed and the connection forgotten. */
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  /** Set by drain(): new requests are answered UNAVAILABLE. */
  #draining = false;
  /** Heartbeat: when the last ping went out, and whether its pong is still owed. */
  #lastPingAt: number;
  #pongOwed = false;
  #lastRecheckAt: number;
  /** When an unfinished incoming message was first seen (0: none); see messageCompletionTimeoutMs. */
  #unfinishedSince = 0;
  #pingWindowStart = 0;
  #pingsInWindow = 0;

  constructor(deps: ConnectionDeps) {
    this.connectionId = deps.connectionId;
    this.user = deps.session.user;
    this.admin = deps.session.admin;
    this.tokenHash = deps.session.tokenHash;
    this.sessionExpiresAt = deps.session.expiresAt;
    this.ip = deps.ip;
    this.#ws = deps.ws;
    this.#chat = deps.chat;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#userBucket = deps.userBucket;
    this.#onViolation = deps.onViolation;
    this.#bucket = new TokenBucket(deps.config.messagesPerSecond, deps.config.messageBurst);
    this.#rateViolations = new ViolationWindow(deps.config.rateViolationsToClose, deps.config.rateViolationWindowMs);
    this.#lastPingAt = Date.now();
    this.#lastRecheckAt = this.#lastPingAt;

    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    const ws = this.#ws;
    // ws emits 'error' for every protocol violation (then closes with the matching code:
    // 1002, 1007, 1008, 1009); without a listener Node would crash the process.
    ws.on('error', (err: Error & { code?: string }) => {
      this.#onViolation(this, err.code ?? 'WS_ERROR');
    });
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => {
      this.#pongOwed = false;
    });
    ws.on('ping', () => this.#onPing());
    ws.on('close', () => {
      this.#closing = true;
      this.#chat.disconnect(this);
      deps.onClosed(this);
      this.#resolveClosed();
    });
    this.#chat.connect(this);
    this.deliver(
      encode(
        helloFrame({
          user: this.user,
          sessionExpiresAt: this.sessionExpiresAt,
          limits: {
            maxMessageBytes: this.#config.maxMessageBytes,
            maxTextChars: this.#config.maxTextChars,
            messagesPerSecond: this.#config.messagesPerSecond,
            burst: this.#config.messageBurst,
          },
          heartbeatMs: this.#config.heartbeatIntervalMs,
        }),
      ),
    );
  }

  /**
   * Queues a serialized frame. A peer that lets more than maxQueuedBytes pile up is a slow
   * consumer: it gets close 4100 behind its pending data and is cut if it still does not drain,
   * so one stalled reader never grows the server's memory or slows its room.
   */
  deliver(frame: string): void {
    if (this.#closing) return;
    // Strings count in UTF-16 units; a unit is at most 3 UTF-8 bytes, so the exact byte length
    // is computed only when the cheap bound says the queue might be full.
    const queued = this.#ws.bufferedAmount;
    const limit = this.#config.maxQueuedBytes;
    if (queued + frame.length * 3 > limit && queued + Buffer.byteLength(frame) > limit) {
      this.#onViolation(this, 'SLOW_CONSUMER');
      this.close(CloseCode.TOO_SLOW);
      setTimeout(() => this.#ws.terminate(), this.#config.slowConsumerCutMs).unref();
      return;
    }
    this.#ws.send(frame);
  }

  /** Sends a close frame with the registry's generic reason; ws cuts the TCP after closeTimeoutMs. */
  close(code: CloseCode): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#ws.close(code, closeReasons[code]);
  }

  /**
   * Graceful shutdown: lets the requests already received finish (so their replies go out),
   * then sends close 1001 behind every queued frame. Clients reconnect and resume by seq.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    await this.#work;
    this.close(CloseCode.GOING_AWAY);
  }

  /** Cuts the TCP connection without a close handshake. */
  terminate(): void {
    this.#closing = true;
    this.#ws.terminate();
  }

  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Called by the registry's sweep (about once a second): heartbeat and session lifetime.
   * Returns true when the session is due for a re-check in the store.
   */
  tick(now: number): boolean {
    if (this.#closing) return false;
    if (now >= this.sessionExpiresAt) {
      this.close(CloseCode.SESSION_ENDED);
      return false;
    }
    if (isMidMessage(this.#ws)) {
      // A message must be finished within its deadline: a peer that opens one and then drips
      // bytes or empty fragments (answering pings all along) would otherwise hold the slot forever.
      if (this.#unfinishedSince === 0) this.#unfinishedSince = now;
      else if (now - this.#unfinishedSince >= this.#config.messageCompletionTimeoutMs) {
        this.#onViolation(this, 'MESSAGE_TIMEOUT');
        this.close(CloseCode.POLICY_VIOLATION);
        return false;
      }
    } else {
      this.#unfinishedSince = 0;
    }
    if (this.#pongOwed && now - this.#lastPingAt >= this.#config.heartbeatTimeoutMs) {
      // A silent peer is gone: no close handshake, it would not answer that either.
      this.#onViolation(this, 'HEARTBEAT_TIMEOUT');
      this.#closing = true;
      this.#ws.terminate();
      return false;
    }
    if (!this.#pongOwed && now - this.#lastPingAt >= this.#config.heartbeatIntervalMs) {
      this.#lastPingAt = now;
      this.#pongOwed = true;
      this.#ws.ping();
    }
    if (now - this.#lastRecheckAt >= this.#config.sessionRecheckMs) {
      this.#lastRecheckAt = now;
      return true;
    }
    return false;
  }

  #onPing(): void {
    const now = Date.now();
    if (now - this.#pingWindowStart >= 1000) {
      this.#pingWindowStart = now;
      this.#pingsInWindow = 0;
    }
    if (++this.#pingsInWindow > this.#config.maxControlFramesPerSecond) {
      this.#onViolation(this, 'PING_FLOOD');
      this.close(CloseCode.POLICY_VIOLATION);
    }
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#unfinishedSince = 0;
    if (this.#closing) return;
    if (isBinary) {
      this.#onViolation(this, 'BINARY_FRAME');
      this.close(CloseCode.UNSUPPORTED_DATA);
      return;
    }
    // Rate limits are taken before parsing: garbage costs the sender tokens too.
    const conn = this.#bucket.take();
    const user = conn.ok ? this.#userBucket.take() : conn;
    if (!user.ok) {
      this.deliver(encode(errorFrame(ErrorCode.RATE_LIMITED, peekId(data), user.retryAfterMs)));
      this.#onViolation(this, 'RATE_LIMITED');
      if (this.#rateViolations.record()) this.close(CloseCode.POLICY_VIOLATION);
      return;
    }
    const parsed = parseClientFrame(rawText(data), { maxTextChars: this.#config.maxTextChars });
    if (!parsed.ok) {
      this.deliver(encode(errorFrame(parsed.code, parsed.id)));
      this.#countInvalid(parsed.code);
      return;
    }
    this.#invalidInRow = 0;
    const msg = parsed.msg;
    if (this.#draining) {
      if (msg.type !== 'typing') this.deliver(encode(errorFrame(ErrorCode.UNAVAILABLE, msg.id)));
      return;
    }
    this.#work = this.#work.then(() => this.#dispatch(msg));
  }

  async #dispatch(msg: ClientMessage): Promise<void> {
    if (this.#closing) return;
    try {
      if (msg.type === 'typing') {
        await this.#chat.typing(this, msg);
        return;
      }
      const reply = await this.#chat.handle(this, msg);
      if ('ok' in reply) this.deliver(encode(okFrame(msg.id, reply.ok)));
      else if ('error' in reply) this.deliver(encode(errorFrame(reply.error, msg.id)));
    } catch (err) {
      // An unexpected failure ends this socket only; the process and every other client live on.
      this.#log.error({ event: 'handler.crash', conn: this.connectionId, type: msg.type, err });
      this.close(CloseCode.INTERNAL_ERROR);
    }
  }

  #countInvalid(code: ErrorCode): void {
    if (!invalidFrameCodes.has(code)) return;
    this.#onViolation(this, `INVALID_FRAME_${code}`);
    if (++this.#invalidInRow >= this.#config.maxInvalidFramesInRow) this.close(CloseCode.POLICY_VIOLATION);
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The request id of a frame we refuse to parse (rate limited), if one is cheaply visible. */
function peekId(data: RawData): string | undefined {
  const text = rawText(data);
  if (text.length > 4096) return undefined;
  const match = /"id"\s*:\s*"([^"\\\u0000-\u001f]{1,64})"/.exec(text);
  return match?.[1];
}

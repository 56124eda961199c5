/**
 * One logical connection to the server over a sequence of WebSockets: reconnects with
 * exponential backoff and jitter, honours close codes (terminal, reconnect, or stop), pairs
 * every request with its reply by id, and paces outgoing frames under the server's rate limit
 * so a reconnect that re-joins many rooms never earns RATE_LIMITED strikes.
 *
 * The endpoint is built from `location` only (same origin, CSP connect-src 'self'); never from
 * the URL's query or hash, where an attacker could put a link (threat catalogue T3). The session
 * cookie authenticates the upgrade: no token ever passes through this code.
 */
import { backoffDelay } from './backoff.js';
import { closeAction, SUBPROTOCOL, type ClientRequest, type ErrorCode, type HelloFrame, type ServerMessage } from './protocol.js';

export type ConnectionStatus =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  /** Waiting to reconnect at `retryAt` (epoch ms). */
  | { kind: 'waiting'; retryAt: number; attempt: number }
  /** The browser reports no network: we wait for it to come back. */
  | { kind: 'offline' }
  /** The server closed with a code that says "do not loop" (1000, 1002, 1003, 1007–1009): the user decides. */
  | { kind: 'stopped'; code: number }
  /** Terminal (4000–4099, or the session is gone): back to the login screen. */
  | { kind: 'ended'; code: number }
  /** Closed on purpose by this client (logout, page teardown). */
  | { kind: 'closed' };

export type RequestErrorCode = ErrorCode | 'DISCONNECTED' | 'TIMEOUT';

export class RequestError extends Error {
  readonly code: RequestErrorCode;
  readonly retryAfterMs: number | undefined;
  constructor(code: RequestErrorCode, retryAfterMs?: number) {
    super(code);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface ConnectionHandlers {
  status(status: ConnectionStatus): void;
  /** A new socket said hello: the caller re-joins its rooms (resume) from here. */
  hello(frame: HelloFrame): void;
  /** Every server frame that is not a reply: message, presence, typing, kicked. */
  frame(frame: ServerMessage): void;
  /** Asked after a socket failed before hello: false means the session is gone (upgrade refused 401). */
  sessionValid(): Promise<boolean>;
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(err: RequestError): void;
  timer: number;
}

const REQUEST_TIMEOUT_MS = 15_000;
/** A socket must stay up this long before the backoff resets, so a server that accepts and drops at once is not hammered. */
const STABLE_AFTER_MS = 10_000;

export class Connection {
  readonly #handlers: ConnectionHandlers;
  #ws: WebSocket | null = null;
  #status: ConnectionStatus = { kind: 'closed' };
  #attempt = 0;
  #nextId = 1;
  readonly #pending = new Map<string, Pending>();
  #retryTimer = 0;
  #stableTimer = 0;
  #helloSeen = false;
  /** Why we are closing the current socket ourselves, if we are. */
  #intent: 'none' | 'offline' | 'recycle' | 'close' = 'none';
  // Outgoing pacing: a token bucket at half the server's per-user limit, because a user's tabs share that limit.
  #tokens = 10;
  #rate = 10;
  #burst = 10;
  #lastRefill = performance.now();
  readonly #queue: string[] = [];
  #pumpTimer = 0;
  readonly #onOnline = (): void => this.#online();
  readonly #onOffline = (): void => this.#offline();

  constructor(handlers: ConnectionHandlers) {
    this.#handlers = handlers;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get isOpen(): boolean {
    return this.#status.kind === 'open';
  }

  start(): void {
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
    this.#connect();
  }

  /** Closes for good (logout, leaving the page): no reconnect. */
  close(): void {
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    clearTimeout(this.#retryTimer);
    this.#intent = 'close';
    this.#ws?.close(1000, 'bye');
    this.#teardown();
    this.#setStatus({ kind: 'closed' });
  }

  /** "Retry now" from the UI, and after the user fixed what stopped us. */
  retryNow(): void {
    if (this.#status.kind === 'open' || this.#status.kind === 'connecting' || this.#status.kind === 'ended' || this.#status.kind === 'closed') return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  /** Drops a socket that stopped answering (a probe timed out) and reconnects at once. */
  recycle(): void {
    if (!this.#ws) return;
    this.#intent = 'recycle';
    this.#ws.close(4000, 'unresponsive');
    this.#onSocketGone(4000);
  }

  /** Sends a request; resolves with the `ok` fields or rejects with a RequestError. */
  request<T>(req: ClientRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    if (!this.isOpen) return Promise.reject(new RequestError('DISCONNECTED'));
    const id = String(this.#nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.#pending.delete(id);
        reject(new RequestError('TIMEOUT'));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject, timer });
      this.#enqueue(JSON.stringify({ ...req, id }));
    });
  }

  /** Fire-and-forget (typing): dropped rather than queued when the link is busy or down. */
  notify(frame: { type: 'typing'; room: string }): void {
    if (!this.isOpen || this.#queue.length > 0) return;
    this.#refill();
    if (this.#tokens < 1) return;
    this.#enqueue(JSON.stringify(frame));
  }

  #connect(): void {
    clearTimeout(this.#retryTimer);
    if (!navigator.onLine) {
      this.#setStatus({ kind: 'offline' });
      return;
    }
    this.#intent = 'none';
    this.#helloSeen = false;
    this.#setStatus({ kind: 'connecting', attempt: this.#attempt });
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${scheme}://${location.host}/ws`, SUBPROTOCOL);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.addEventListener('message', (ev) => {
      if (this.#ws === ws) this.#onFrame(ev.data);
    });
    ws.addEventListener('close', (ev) => {
      if (this.#ws === ws) this.#onSocketGone(ev.code);
    });
    // 'error' is always followed by 'close', which does the work.
  }

  #onFrame(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerMessage;
    try {
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') return;
      frame = parsed as ServerMessage;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'hello':
        this.#helloSeen = true;
        this.#rate = Math.max(1, Math.floor(frame.limits.messagesPerSecond / 2));
        this.#burst = Math.max(1, Math.floor(frame.limits.burst / 2));
        this.#tokens = Math.min(this.#tokens, this.#burst);
        clearTimeout(this.#stableTimer);
        this.#stableTimer = window.setTimeout(() => (this.#attempt = 0), STABLE_AFTER_MS);
        this.#setStatus({ kind: 'open' });
        this.#handlers.hello(frame);
        return;
      case 'ok':
      case 'error': {
        const pending = frame.id === undefined ? undefined : this.#pending.get(frame.id);
        if (!pending || frame.id === undefined) return;
        this.#pending.delete(frame.id);
        clearTimeout(pending.timer);
        if (frame.type === 'ok') pending.resolve(frame);
        else pending.reject(new RequestError(frame.code, frame.retryAfterMs));
        return;
      }
      default:
        this.#handlers.frame(frame);
    }
  }

  #onSocketGone(code: number): void {
    const wasOpen = this.#helloSeen;
    this.#teardown();
    const intent = this.#intent;
    this.#intent = 'none';
    if (intent === 'close') return;
    if (intent === 'offline') return this.#setStatus({ kind: 'offline' });
    if (intent === 'recycle') return this.#connect();
    switch (closeAction(code)) {
      case 'login':
        return this.#setStatus({ kind: 'ended', code });
      case 'stop':
        return this.#setStatus({ kind: 'stopped', code });
      case 'reconnect':
        if (!navigator.onLine) return this.#setStatus({ kind: 'offline' });
        if (wasOpen) return this.#scheduleReconnect();
        // The upgrade failed. Browsers hide the HTTP status (a 401 looks like a network error),
        // so ask the API whether the session still exists before retrying forever.
        void this.#handlers.sessionValid().then(
          (valid) => {
            if (this.#ws || this.#status.kind === 'closed') return;
            if (valid) this.#scheduleReconnect();
            else this.#setStatus({ kind: 'ended', code: 4001 });
          },
          () => this.#scheduleReconnect(),
        );
    }
  }

  #teardown(): void {
    this.#ws = null;
    this.#helloSeen = false;
    clearTimeout(this.#stableTimer);
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = 0;
    this.#queue.length = 0;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(new RequestError('DISCONNECTED'));
    }
  }

  #scheduleReconnect(): void {
    const delay = backoffDelay(this.#attempt);
    this.#attempt++;
    const retryAt = Date.now() + delay;
    this.#setStatus({ kind: 'waiting', retryAt, attempt: this.#attempt });
    this.#retryTimer = window.setTimeout(() => this.#connect(), delay);
  }

  #online(): void {
    if (this.#status.kind === 'offline' || this.#status.kind === 'waiting') {
      // The network is back: try at once rather than finishing a long backoff.
      clearTimeout(this.#retryTimer);
      this.#connect();
    }
  }

  #offline(): void {
    clearTimeout(this.#retryTimer);
    if (this.#ws) {
      // A socket on a dead network can look open for a long time; close it so queued messages
      // wait visibly in the outbox instead of vanishing into a half-open TCP connection.
      this.#intent = 'offline';
      this.#ws.close(1000, 'offline');
      this.#onSocketGone(1000);
    } else if (this.#status.kind !== 'ended' && this.#status.kind !== 'closed') {
      this.#setStatus({ kind: 'offline' });
    }
  }

  #setStatus(status: ConnectionStatus): void {
    this.#status = status;
    this.#handlers.status(status);
  }

  #enqueue(frame: string): void {
    this.#queue.push(frame);
    this.#pump();
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#lastRefill) / 1000) * this.#rate);
    this.#lastRefill = now;
  }

  #pump(): void {
    if (this.#pumpTimer) return;
    this.#refill();
    const ws = this.#ws;
    while (ws && this.#queue.length > 0 && this.#tokens >= 1) {
      ws.send(this.#queue.shift()!);
      this.#tokens -= 1;
    }
    if (this.#queue.length > 0) {
      const wait = Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
      this.#pumpTimer = window.setTimeout(() => {
        this.#pumpTimer = 0;
        this.#pump();
      }, Math.max(10, wait));
    }
  }
}

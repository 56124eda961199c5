/**
 * A raw WebSocket client over node:net / node:tls for the scanner: it writes the opening
 * handshake itself, checks the answer byte by byte, and then hands the caller the socket to write
 * any bytes at all (see frame.ts for building valid and invalid frames). It reads the server's
 * frames with FrameReader and keeps them in a queue.
 *
 * It never answers anything on its own — no pong, no close reply — unless asked (`autoPong`,
 * `waitClose({ echo: true })`): what a peer does NOT answer is often the attack.
 * Every wait takes a timeout; nothing here can hang.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { createHash, randomBytes } from 'node:crypto';
import { buildFrame, closePayload, FrameReader, isValidUtf8, Opcode, parseClose, type FrameSpec, type ParsedFrame } from './frame.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept a server must answer for `key` (RFC 6455 §4.2.2). */
export function expectedAccept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Header values: a string sets (replacing a default of the same name), null removes a default. */
export type HeaderInput = Record<string, string | null | undefined> | ReadonlyArray<readonly [string, string]>;

export interface RawOpenOptions {
  /** ws://, wss://, http:// or https:// URL; path and query are sent as the request target. */
  url: string | URL;
  /**
   * Extra or replacement request headers (e.g. Authorization, Origin). Defaults sent: Host,
   * Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version, Sec-WebSocket-Protocol.
   * Overriding Sec-WebSocket-Key makes the Accept check use the given key.
   */
  headers?: HeaderInput;
  /** Offered subprotocols (Sec-WebSocket-Protocol). */
  protocols?: readonly string[];
  /** Limit for connect + handshake, in ms. Default 5000. */
  timeoutMs?: number;
  /** Answer every ping with a pong carrying the same payload. Default false. */
  autoPong?: boolean;
  /** Largest frame payload accepted from the server (FrameReader). Default 16 MiB. */
  maxFrameBytes?: number;
  /** Largest HTTP response head accepted. Default 64 KiB. */
  maxResponseHeadBytes?: number;
  /** Frames kept while nobody reads them; beyond this the oldest are dropped (counted). Default 100 000. */
  maxQueuedFrames?: number;
  /**
   * After a complete refusal (non-101), wait up to this many ms for the server to close TCP, so
   * HandshakeError.tcpClosed tells whether it did (RFC 6455 / DESIGN: refusals carry
   * `Connection: close`). Default 0: report at once.
   */
  refusalCloseWaitMs?: number;
  /** TLS options for wss:// (ca, rejectUnauthorized, servername, …). */
  tls?: ConnectionOptions;
}

/** Why a handshake did not produce an open WebSocket. */
export type HandshakeFailure =
  | 'connect' // TCP/TLS connection failed
  | 'timeout' // no complete response within timeoutMs
  | 'closed' // the server closed before a complete response head
  | 'too-large' // the response head exceeded maxResponseHeadBytes
  | 'bad-response' // not parseable as an HTTP/1.x response head
  | 'refused' // a well-formed response other than 101 (see status/headers/body)
  | 'bad-upgrade' // 101 without `Upgrade: websocket` / `Connection: upgrade`
  | 'bad-accept' // 101 with a missing or wrong Sec-WebSocket-Accept
  | 'bad-protocol' // 101 selecting a subprotocol that was not offered
  | 'bad-extension'; // 101 with an extension that was not offered

export class HandshakeError extends Error {
  readonly kind: HandshakeFailure;
  readonly status?: number;
  readonly statusLine?: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers?: Record<string, string>;
  readonly rawHeaders?: Array<[string, string]>;
  /** The response body of a refusal (bounded), or the bytes after a 101 head. */
  readonly body?: Buffer;
  /** Whether the server closed the TCP connection by the time the error was reported. */
  readonly tcpClosed: boolean;
  readonly elapsedMs: number;

  constructor(
    kind: HandshakeFailure,
    message: string,
    details: {
      status?: number;
      statusLine?: string;
      headers?: Record<string, string>;
      rawHeaders?: Array<[string, string]>;
      body?: Buffer;
      tcpClosed: boolean;
      elapsedMs: number;
    },
  ) {
    super(message);
    this.name = 'HandshakeError';
    this.kind = kind;
    if (details.status !== undefined) this.status = details.status;
    if (details.statusLine !== undefined) this.statusLine = details.statusLine;
    if (details.headers !== undefined) this.headers = details.headers;
    if (details.rawHeaders !== undefined) this.rawHeaders = details.rawHeaders;
    if (details.body !== undefined) this.body = details.body;
    this.tcpClosed = details.tcpClosed;
    this.elapsedMs = details.elapsedMs;
  }
}

/** A wait that ran out. */
export class RawTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawTimeoutError';
  }
}

/** A frame from the server, with the time it was parsed. */
export interface RawFrame extends ParsedFrame {
  receivedAt: number;
}

export interface CloseResult {
  /** Whether a close frame from the server arrived. */
  closeFrameReceived: boolean;
  /** The server's close code (absent with no close frame, an empty body or a malformed one). */
  code?: number;
  /** The reason decoded as UTF-8 (invalid bytes become U+FFFD; see reasonBytes / reasonValidUtf8). */
  reason: string;
  reasonBytes: Buffer;
  reasonValidUtf8: boolean;
  /** A 1-byte close body. */
  malformed: boolean;
  /** Whether the TCP connection ended (FIN, reset or error) by the time the wait finished. */
  tcpClosed: boolean;
  /** ms from the waitClose call until it finished (TCP end, close frame with until 'frame', or timeout). */
  elapsedMs: number;
  /** Epoch ms when the close frame was parsed. */
  closeFrameAt?: number;
  /** Epoch ms when the TCP connection ended. */
  tcpClosedAt?: number;
  /** Epoch ms of this client's last write. */
  lastWriteAt: number;
  /** A socket error code such as ECONNRESET, when the connection ended with one. */
  tcpError?: string;
}

export interface WaitCloseOptions {
  /** When the server's close frame arrives, answer with a close frame carrying its code. Default false. */
  echo?: boolean;
  /** Finish at the TCP end (default) or as soon as the close frame is seen. */
  until?: 'tcp' | 'frame';
}

export type RawOpenResult = { ok: true; socket: RawSocket } | { ok: false; error: HandshakeError };

/** Opens a WebSocket; resolves with a RawSocket after a verified 101, rejects with HandshakeError otherwise. */
export async function openRaw(options: RawOpenOptions): Promise<RawSocket> {
  const result = await attemptRaw(options);
  if (!result.ok) throw result.error;
  return result.socket;
}

/** Like openRaw, but a refusal is a value: the scanner records refusals as results, not errors. */
export function attemptRaw(options: RawOpenOptions): Promise<RawOpenResult> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (err) {
    return Promise.reject(err);
  }
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  if (!secure && url.protocol !== 'ws:' && url.protocol !== 'http:') {
    return Promise.reject(new TypeError(`unsupported URL scheme ${url.protocol}`));
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxHead = options.maxResponseHeadBytes ?? 64 * 1024;
  const { request, key } = buildHandshake(url, options);
  const offered = new Set(options.protocols ?? []);
  const started = Date.now();

  return new Promise<RawOpenResult>((resolve) => {
    let settled = false;
    let tcpClosed = false;
    const chunks: Buffer[] = [];
    let received = 0;
    const socket: Socket = secure
      ? tlsConnect({ host, port, servername: isIp(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...options.tls })
      : netConnect({ host, port });
    socket.setNoDelay(true);

    const fail = (kind: HandshakeFailure, message: string, extra: Partial<ConstructorParameters<typeof HandshakeError>[2]> = {}): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      resolve({ ok: false, error: new HandshakeError(kind, message, { tcpClosed, elapsedMs: Date.now() - started, ...extra }) });
    };
    const timer = setTimeout(() => {
      // A refusal whose body or TCP close is still awaited is reported as the refusal it is.
      if (refusal) finishRefusal();
      else fail('timeout', `no complete handshake response within ${timeoutMs} ms`);
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.off(secure ? 'secureConnect' : 'connect', onConnect);
    };
    const onConnect = (): void => {
      socket.write(request);
    };
    const onError = (err: Error & { code?: string }): void => {
      tcpClosed = true;
      if (received === 0 && !socket.bytesWritten) fail('connect', `connection to ${host}:${port} failed: ${err.code ?? err.message}`);
      else onEnd();
    };
    let refusal: { head: ParsedHead; bodyStart: number; contentLength?: number } | null = null;
    const onEnd = (): void => {
      tcpClosed = true;
      if (refusal) return finishRefusal();
      fail('closed', 'the server closed the connection before a complete response head', { body: Buffer.concat(chunks) });
    };
    let lingering: NodeJS.Timeout | null = null;
    const refusalComplete = (): void => {
      const wait = Math.min(options.refusalCloseWaitMs ?? 0, timeoutMs - (Date.now() - started));
      if (tcpClosed || wait <= 0) return finishRefusal();
      if (!lingering) lingering = setTimeout(finishRefusal, wait);
    };
    const finishRefusal = (): void => {
      if (!refusal) return;
      if (lingering) clearTimeout(lingering);
      const all = Buffer.concat(chunks);
      const end = refusal.contentLength === undefined ? all.length : Math.min(all.length, refusal.bodyStart + refusal.contentLength);
      const { head } = refusal;
      fail('refused', `handshake refused: ${head.statusLine}`, {
        status: head.status,
        statusLine: head.statusLine,
        headers: head.headers,
        rawHeaders: head.rawHeaders,
        body: all.subarray(refusal.bodyStart, end),
      });
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (refusal) {
        // Collecting a refusal's body: stop at Content-Length or a bound; otherwise until close/timeout.
        const bodyBytes = received - refusal.bodyStart;
        if ((refusal.contentLength !== undefined && bodyBytes >= refusal.contentLength) || bodyBytes >= maxHead) refusalComplete();
        return;
      }
      const all = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (all.length > maxHead) fail('too-large', `response head larger than ${maxHead} bytes`);
        return;
      }
      if (end > maxHead) return fail('too-large', `response head larger than ${maxHead} bytes`);
      let head: ParsedHead;
      try {
        head = parseHead(all.subarray(0, end));
      } catch (err) {
        return fail('bad-response', (err as Error).message, { body: all });
      }
      const rest = all.subarray(end + 4);
      if (head.status !== 101) {
        const cl = head.headers['content-length'];
        const contentLength = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
        refusal = { head, bodyStart: end + 4, ...(contentLength === undefined ? {} : { contentLength }) };
        chunks.length = 0;
        chunks.push(all);
        if ((contentLength !== undefined && rest.length >= contentLength) || rest.length >= maxHead) refusalComplete();
        return;
      }
      const details = { status: head.status, statusLine: head.statusLine, headers: head.headers, rawHeaders: head.rawHeaders, body: rest };
      const upgrade = head.headers['upgrade'];
      const connection = head.headers['connection'];
      if (upgrade?.toLowerCase() !== 'websocket' || !connection?.toLowerCase().split(',').some((t) => t.trim() === 'upgrade')) {
        return fail('bad-upgrade', '101 without Upgrade: websocket and Connection: upgrade', details);
      }
      const accept = head.headers['sec-websocket-accept'];
      if (key === undefined || accept !== expectedAccept(key)) {
        return fail('bad-accept', `Sec-WebSocket-Accept ${JSON.stringify(accept)} does not match the key`, details);
      }
      const protocol = head.headers['sec-websocket-protocol'];
      if (protocol !== undefined && !offered.has(protocol)) {
        return fail('bad-protocol', `the server selected subprotocol ${JSON.stringify(protocol)}, which was not offered`, details);
      }
      const extensions = head.headers['sec-websocket-extensions'];
      if (extensions !== undefined && !offeredExtensions(options.headers).some((e) => extensions.toLowerCase().includes(e))) {
        return fail('bad-extension', `the server answered extensions ${JSON.stringify(extensions)} that were not offered`, details);
      }
      settled = true;
      cleanup();
      resolve({
        ok: true,
        socket: new RawSocket(socket, {
          headers: head.headers,
          rawHeaders: head.rawHeaders,
          statusLine: head.statusLine,
          protocol,
          extensions,
          initial: rest,
          autoPong: options.autoPong ?? false,
          maxFrameBytes: options.maxFrameBytes ?? 16 * 1024 * 1024,
          maxQueuedFrames: options.maxQueuedFrames ?? 100_000,
          handshakeMs: Date.now() - started,
        }),
      });
    };
    socket.on(secure ? 'secureConnect' : 'connect', onConnect);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
  });
}

interface RawSocketInit {
  headers: Record<string, string>;
  rawHeaders: Array<[string, string]>;
  statusLine: string;
  protocol: string | undefined;
  extensions: string | undefined;
  initial: Buffer;
  autoPong: boolean;
  maxFrameBytes: number;
  maxQueuedFrames: number;
  handshakeMs: number;
}

/** An open WebSocket at the byte level. */
export class RawSocket {
  /** Response headers of the 101 (lower-cased names). */
  readonly headers: Record<string, string>;
  readonly rawHeaders: Array<[string, string]>;
  readonly statusLine: string;
  /** The subprotocol the server selected, if any. */
  readonly protocol: string | undefined;
  readonly extensions: string | undefined;
  readonly handshakeMs: number;

  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #autoPong: boolean;
  readonly #maxQueued: number;
  readonly #queue: RawFrame[] = [];
  readonly #listeners = new Set<() => void>();
  #droppedFrames = 0;
  #closeFrame: RawFrame | null = null;
  #tcpClosed = false;
  #tcpClosedAt: number | undefined;
  #tcpError: string | undefined;
  #readError: Error | null = null;
  #lastWriteAt = Date.now();
  #bytesReceived = 0;

  constructor(socket: Socket, init: RawSocketInit) {
    this.#socket = socket;
    this.headers = init.headers;
    this.rawHeaders = init.rawHeaders;
    this.statusLine = init.statusLine;
    this.protocol = init.protocol;
    this.extensions = init.extensions;
    this.handshakeMs = init.handshakeMs;
    this.#autoPong = init.autoPong;
    this.#maxQueued = init.maxQueuedFrames;
    this.#reader = new FrameReader({ maxPayloadBytes: init.maxFrameBytes });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    const ended = (err?: Error & { code?: string }): void => {
      if (err?.code && this.#tcpError === undefined) this.#tcpError = err.code;
      if (this.#tcpClosed) return;
      this.#tcpClosed = true;
      this.#tcpClosedAt = Date.now();
      this.#notify();
    };
    socket.on('end', () => ended());
    socket.on('close', () => ended());
    // A write after the server closed (EPIPE / ECONNRESET) is an expected outcome of an attack.
    socket.on('error', (err: Error & { code?: string }) => ended(err));
    if (init.initial.length > 0) this.#onData(init.initial);
  }

  /** Whether the TCP connection has ended (FIN, reset or error). */
  get tcpClosed(): boolean {
    return this.#tcpClosed;
  }

  get tcpClosedAt(): number | undefined {
    return this.#tcpClosedAt;
  }

  /** The server's first close frame, once received. */
  get closeFrame(): RawFrame | null {
    return this.#closeFrame;
  }

  /** Epoch ms of the last write. */
  get lastWriteAt(): number {
    return this.#lastWriteAt;
  }

  /** Set when the server's bytes could not be parsed as frames (then nothing more is parsed). */
  get readError(): Error | null {
    return this.#readError;
  }

  /** Frames dropped because the queue was full. */
  get droppedFrames(): number {
    return this.#droppedFrames;
  }

  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /** Frames received and not yet taken. */
  get pendingFrames(): readonly RawFrame[] {
    return this.#queue;
  }

  /** Writes raw bytes. Returns false (and writes nothing) when the connection is gone. Never throws. */
  write(data: Buffer | string): boolean {
    if (this.#tcpClosed || this.#socket.destroyed || !this.#socket.writable) return false;
    this.#lastWriteAt = Date.now();
    this.#socket.write(data);
    return true;
  }

  /** Builds one frame (see buildFrame) and writes it. */
  sendFrame(spec: FrameSpec): boolean {
    return this.write(buildFrame(spec));
  }

  /** Writes several frames in one TCP write (so the server parses them in one go). */
  sendFrames(specs: readonly FrameSpec[]): boolean {
    return this.write(Buffer.concat(specs.map((s) => buildFrame(s))));
  }

  /** A valid masked text frame (objects are JSON-encoded). */
  sendText(text: string | object): boolean {
    return this.sendFrame({ opcode: Opcode.TEXT, payload: typeof text === 'string' ? text : JSON.stringify(text) });
  }

  /**
   * The next frame (in arrival order), waiting up to timeoutMs. Resolves null when the connection
   * ended and no frame is left; rejects with RawTimeoutError when the time runs out.
   */
  nextFrame(timeoutMs: number): Promise<RawFrame | null> {
    return this.waitFor(() => true, timeoutMs);
  }

  /**
   * The first queued or future frame matching `match`; only that frame is taken from the queue.
   * Resolves null when the connection ended without one; rejects with RawTimeoutError on timeout.
   */
  waitFor(match: (frame: RawFrame) => boolean, timeoutMs: number): Promise<RawFrame | null> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const index = this.#queue.findIndex(match);
        if (index >= 0) {
          const [frame] = this.#queue.splice(index, 1);
          done();
          resolve(frame!);
          return true;
        }
        if (this.#tcpClosed) {
          done();
          resolve(null);
          return true;
        }
        return false;
      };
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      const listener = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        done();
        reject(new RawTimeoutError(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.#listeners.add(listener);
    });
  }

  /** Frames as they arrive; ends when the connection ends or when no frame came for idleTimeoutMs. */
  async *frames(idleTimeoutMs = 5000): AsyncGenerator<RawFrame, void, undefined> {
    for (;;) {
      let frame: RawFrame | null;
      try {
        frame = await this.nextFrame(idleTimeoutMs);
      } catch (err) {
        if (err instanceof RawTimeoutError) return;
        throw err;
      }
      if (!frame) return;
      yield frame;
    }
  }

  /**
   * Waits for the end of the connection and reports the server's close frame (code, reason) and
   * whether the TCP connection ended. Never rejects: on timeout it reports what it saw so far.
   * With `echo`, answers the server's close frame with one carrying the same code (a polite peer;
   * a server that fails the connection for a protocol error closes TCP without waiting for it).
   */
  waitClose(timeoutMs: number, options: WaitCloseOptions = {}): Promise<CloseResult> {
    const started = Date.now();
    const until = options.until ?? 'tcp';
    let echoed = false;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#closeFrame && options.echo && !echoed) {
          echoed = true;
          const { code } = parseClose(this.#closeFrame.payload);
          this.sendFrame({ opcode: Opcode.CLOSE, payload: code === undefined ? Buffer.alloc(0) : closePayload(code) });
        }
        if (this.#tcpClosed || (until === 'frame' && this.#closeFrame)) finish();
      };
      const finish = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve(this.#closeResult(Date.now() - started));
      };
      const timer = setTimeout(finish, timeoutMs);
      this.#listeners.add(check);
      check();
    });
  }

  /** Stops reading from the socket (a peer that never reads); the kernel buffers fill up. */
  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  /** Half-closes: sends FIN, keeps reading. */
  end(): void {
    if (!this.#socket.destroyed) this.#socket.end();
  }

  /** Drops the connection immediately. */
  destroy(): void {
    this.#socket.destroy();
  }

  #closeResult(elapsedMs: number): CloseResult {
    const frame = this.#closeFrame;
    const parsed = frame ? parseClose(frame.payload) : { reason: Buffer.alloc(0), malformed: false };
    const result: CloseResult = {
      closeFrameReceived: frame !== null,
      reason: parsed.reason.toString('utf8'),
      reasonBytes: parsed.reason,
      reasonValidUtf8: isValidUtf8(parsed.reason),
      malformed: parsed.malformed,
      tcpClosed: this.#tcpClosed,
      elapsedMs,
      lastWriteAt: this.#lastWriteAt,
    };
    if (parsed.code !== undefined) result.code = parsed.code;
    if (frame) result.closeFrameAt = frame.receivedAt;
    if (this.#tcpClosedAt !== undefined) result.tcpClosedAt = this.#tcpClosedAt;
    if (this.#tcpError !== undefined) result.tcpError = this.#tcpError;
    return result;
  }

  #onData(chunk: Buffer): void {
    this.#bytesReceived += chunk.length;
    if (this.#readError) return;
    let frames: ParsedFrame[];
    try {
      frames = this.#reader.push(chunk);
    } catch (err) {
      this.#readError = err as Error;
      this.#notify();
      return;
    }
    const now = Date.now();
    for (const parsed of frames) {
      const frame: RawFrame = { ...parsed, receivedAt: now };
      if (frame.opcode === Opcode.CLOSE && !this.#closeFrame) this.#closeFrame = frame;
      if (this.#autoPong && frame.opcode === Opcode.PING && !this.#closeFrame) {
        this.sendFrame({ opcode: Opcode.PONG, payload: frame.payload });
      }
      this.#queue.push(frame);
      if (this.#queue.length > this.#maxQueued) {
        this.#queue.shift();
        this.#droppedFrames++;
      }
    }
    if (frames.length > 0) this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

interface ParsedHead {
  statusLine: string;
  status: number;
  headers: Record<string, string>;
  rawHeaders: Array<[string, string]>;
}

function parseHead(head: Buffer): ParsedHead {
  const lines = head.toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) throw new Error(`bad status line ${JSON.stringify(statusLine.slice(0, 200))}`);
  const headers: Record<string, string> = {};
  const rawHeaders: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line.slice(0, 200))}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  return { statusLine, status: Number(match[1]), headers, rawHeaders };
}

function buildHandshake(url: URL, options: RawOpenOptions): { request: string; key: string | undefined } {
  const defaultPort = url.protocol === 'wss:' || url.protocol === 'https:' ? '443' : '80';
  const hostHeader = url.port && url.port !== defaultPort ? `${url.hostname}:${url.port}` : url.hostname;
  const headers: Array<[string, string]> = [
    ['Host', hostHeader],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', randomBytes(16).toString('base64')],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (options.protocols && options.protocols.length > 0) headers.push(['Sec-WebSocket-Protocol', options.protocols.join(', ')]);
  const input = options.headers;
  const entries: Array<[string, string | null | undefined]> = Array.isArray(input)
    ? (input as ReadonlyArray<readonly [string, string]>).map(([k, v]) => [k, v])
    : Object.entries((input ?? {}) as Record<string, string | null | undefined>);
  const replaced = new Set<string>();
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!replaced.has(lower)) {
      // The first mention of a name replaces (or removes) the default; later ones repeat it.
      replaced.add(lower);
      for (let i = headers.length - 1; i >= 0; i--) if (headers[i]![0].toLowerCase() === lower) headers.splice(i, 1);
    }
    if (value !== null && value !== undefined) headers.push([name, value]);
  }
  const key = headers.find(([k]) => k.toLowerCase() === 'sec-websocket-key')?.[1];
  const target = `${url.pathname || '/'}${url.search}`;
  const request = `GET ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return { request, key };
}

function offeredExtensions(input: HeaderInput | undefined): string[] {
  if (!input) return [];
  const entries: Array<[string, string | null | undefined]> = Array.isArray(input)
    ? (input as ReadonlyArray<readonly [string, string]>).map(([k, v]) => [k, v])
    : Object.entries(input as Record<string, string | null | undefined>);
  return entries
    .filter(([k, v]) => k.toLowerCase() === 'sec-websocket-extensions' && typeof v === 'string')
    .flatMap(([, v]) => (v as string).split(','))
    .map((e) => e.split(';')[0]!.trim().toLowerCase())
    .filter((e) => e.length > 0);
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

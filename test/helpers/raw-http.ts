/**
 * Raw HTTP/1.1 over node:net for tests that must control every byte of a request (handshake
 * attacks, smuggling, slowloris) and see exactly what the server wrote back and whether it
 * closed the TCP connection. Only 127.0.0.1; every wait has a timeout.
 */
import { connect, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

export interface RawResponse {
  /** e.g. "HTTP/1.1 426 Upgrade Required" */
  statusLine: string;
  status: number;
  /** Lower-cased names; repeated headers joined with ", " (set-cookie kept apart in rawHeaders). */
  headers: Record<string, string>;
  rawHeaders: Array<[string, string]>;
  /** The bytes after the header block (for 101: the first WebSocket frames, if any). */
  body: Buffer;
}

export interface RawExchange {
  /** Everything the server wrote on this socket. */
  data: Buffer;
  /** The server ended or reset the connection before the timeout. */
  closedByServer: boolean;
  /** ms from the first write to the server's end/close (or to the timeout). */
  elapsedMs: number;
}

/** A Sec-WebSocket-Key: base64 of 16 random bytes. */
export function wsKey(): string {
  return randomBytes(16).toString('base64');
}

/** The Sec-WebSocket-Accept the server must answer for `key` (RFC 6455 §4.2.2). */
export function wsAccept(key: string): string {
  return createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

/** Builds a request: request line, then headers in order (undefined values are left out). */
export function buildRequest(requestLine: string, headers: Array<[string, string | undefined]>): string {
  const lines = headers.filter((h): h is [string, string] => h[1] !== undefined).map(([k, v]) => `${k}: ${v}`);
  return `${requestLine}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
}

/** One raw TCP connection to 127.0.0.1 that records everything the server writes. */
export class RawConnection {
  readonly socket: Socket;
  readonly #received: Buffer[] = [];
  #closed = false;
  readonly #closeWaiters = new Set<() => void>();
  readonly #dataWaiters = new Set<() => void>();
  readonly openedAt = Date.now();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#received.push(d);
      for (const w of [...this.#dataWaiters]) w();
    });
    const onClosed = (): void => {
      if (this.#closed) return;
      this.#closed = true;
      for (const w of [...this.#closeWaiters]) w();
      for (const w of [...this.#dataWaiters]) w();
    };
    socket.on('end', onClosed);
    socket.on('close', onClosed);
    // A write after the server closed (EPIPE / ECONNRESET) is part of the test, not a failure.
    socket.on('error', onClosed);
  }

  static open(port: number, timeoutMs = 3000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to 127.0.0.1:${port} timed out`));
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** Everything received so far. */
  get data(): Buffer {
    return Buffer.concat(this.#received);
  }

  /** The server ended or reset the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  write(chunk: string | Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(chunk);
  }

  /** Resolves true once the server closed the connection, false after `timeoutMs`. */
  waitForClose(timeoutMs: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.#closeWaiters.delete(onClose);
        resolve(value);
      };
      const onClose = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#closeWaiters.add(onClose);
    });
  }

  /** Resolves with the first complete response head; rejects on timeout or a close before it. */
  async waitForHead(timeoutMs: number): Promise<RawResponse> {
    return parseResponse(await this.waitForData((d) => d.indexOf('\r\n\r\n') >= 0, timeoutMs));
  }

  /** Resolves with the received bytes once `ready(data)` holds; rejects on timeout or close before it. */
  waitForData(ready: (data: Buffer) => boolean, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const all = this.data;
        if (ready(all)) {
          finish();
          resolve(all);
        } else if (this.#closed) {
          finish();
          reject(new Error(`server closed first; got ${JSON.stringify(all.toString('latin1').slice(0, 300))}`));
        }
      };
      const finish = (): void => {
        clearTimeout(timer);
        this.#dataWaiters.delete(check);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms; got ${JSON.stringify(this.data.toString('latin1').slice(0, 300))}`));
      }, timeoutMs);
      this.#dataWaiters.add(check);
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * Writes `chunks` in order (a number means "wait that many ms") and reads until the server
 * closes the connection or `timeoutMs` passes; then destroys the socket.
 */
export async function rawExchange(port: number, chunks: Array<string | Buffer | number>, timeoutMs = 3000): Promise<RawExchange> {
  const conn = await RawConnection.open(port, timeoutMs);
  const closedPromise = conn.waitForClose(timeoutMs);
  void (async () => {
    for (const chunk of chunks) {
      if (conn.closed) return;
      if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
      else conn.write(chunk);
    }
  })();
  const closedByServer = await closedPromise;
  const elapsedMs = Date.now() - conn.openedAt;
  // Let a last packet that raced the FIN land before reading.
  await new Promise((r) => setImmediate(r));
  const data = conn.data;
  conn.destroy();
  return { data, closedByServer, elapsedMs };
}

/**
 * Opens a socket, writes `request`, and resolves once a complete response head arrived, keeping
 * the socket open (for a 101 the connection stays up). The caller destroys the connection.
 */
export async function rawRequestHead(port: number, request: string, timeoutMs = 3000): Promise<{ conn: RawConnection; response: RawResponse }> {
  const conn = await RawConnection.open(port, timeoutMs);
  conn.write(request);
  try {
    return { conn, response: await conn.waitForHead(timeoutMs) };
  } catch (err) {
    conn.destroy();
    throw err;
  }
}

/** Parses one HTTP/1.x response head at the start of `data`; throws when there is none. */
export function parseResponse(data: Buffer): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete HTTP response head in ${JSON.stringify(data.toString('latin1').slice(0, 300))}`);
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  const rawHeaders: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return { statusLine, status: Number(match[1]), headers, rawHeaders, body: data.subarray(end + 4) };
}

/** How many HTTP status lines appear anywhere in `data` (to prove a smuggled request got no answer). */
export function countStatusLines(data: Buffer): number {
  return (data.toString('latin1').match(/HTTP\/1\.[01] \d{3}/g) ?? []).length;
}

/**
 * Raw HTTP/1.1 exchanges for the handshake, auth, leakage and transport checks: requests that a
 * WebSocket client cannot send (POST upgrades, HTTP/1.0, thousands of headers, a second request
 * behind a refused upgrade, a half-sent head) and precise timings. Also the small pieces those
 * checks share: the handshake headers built from the baseline, what a browser would attach to a
 * cross-site handshake, response parsing and evidence text.
 *
 * Only the scan target is ever contacted; every wait has a timeout; every socket is destroyed.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomBytes } from 'node:crypto';
import type { ScanContext } from '../context.js';
import type { Evidence, Severity } from '../types.js';
import type { HandshakeError, RawOpenResult } from '../wire/raw-client.js';
import { toHex } from '../wire/frame.js';

export interface ParsedResponse {
  statusLine: string;
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  rawHeaders: Array<[string, string]>;
  /** Offset of the head in the received bytes. */
  offset: number;
  /** Bytes of body that were received for this response (bounded by Content-Length when given). */
  bodyLength: number;
}

export interface ExchangeResult {
  /** Everything the server wrote (bounded to 1 MiB). */
  data: Buffer;
  /** Complete responses found in `data`, in order (parsing stops at a 101). */
  responses: ParsedResponse[];
  /** The TCP connection could not be opened. */
  connectError?: string;
  /** The server ended or reset the connection before the exchange finished. */
  closedByServer: boolean;
  /** ms from the first write to the first byte received. */
  firstByteMs?: number;
  /** ms from the first write to the first complete response head. */
  headMs?: number;
  /** ms from the first write until the server closed, or until we stopped waiting. */
  elapsedMs: number;
  /** Why the exchange finished. */
  finished: 'closed' | 'head' | 'idle' | 'timeout' | 'connect-error';
}

export interface ExchangeOptions {
  /** Overall limit in ms. Default ctx.options.timeoutMs. */
  timeoutMs?: number;
  /**
   * 'head': finish at the first complete response head (after `lingerMs`); 'close': finish when
   * the server closes, or `idleMs` after the last byte once a head was seen, or at the timeout.
   */
  until?: 'head' | 'close';
  /** With until 'head': keep reading this long after the head (to see a close or more bytes). */
  lingerMs?: number;
  /** With until 'close': stop this long after the last byte once a response head arrived. */
  idleMs?: number;
}

const MAX_EXCHANGE_BYTES = 1024 * 1024;

/** The Host header for the target (port only when not the scheme's default). */
export function hostHeader(url: URL): string {
  const defaultPort = url.protocol === 'wss:' || url.protocol === 'https:' ? '443' : '80';
  return url.port && url.port !== defaultPort ? `${url.hostname}:${url.port}` : url.hostname;
}

/** The request target (path and query) of the scan URL. */
export function requestTarget(url: URL): string {
  return `${url.pathname || '/'}${url.search}`;
}

/** A fresh, valid Sec-WebSocket-Key. */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** Header edits: set replaces (in place, case-insensitively) or appends; remove drops. */
export interface HeaderChange {
  set?: Record<string, string>;
  remove?: string[];
  /** Replaces the subprotocol offer (empty: no Sec-WebSocket-Protocol header). */
  protocols?: string[];
}

/**
 * The full, ordered handshake headers a baseline handshake sends, with `change` applied, in the
 * order ctx.open sends them: the defaults (Host, Upgrade, Connection, key, version,
 * subprotocols) minus the ones overridden, then the baseline's Origin, Cookie, Authorization and
 * extra headers, then `set` (a name set again moves to the end; `remove` drops it).
 */
export function handshakeHeaders(ctx: ScanContext, change: HeaderChange = {}): Array<[string, string]> {
  const defaults: Array<[string, string]> = [
    ['Host', hostHeader(ctx.url)],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', newKey()],
    ['Sec-WebSocket-Version', '13'],
  ];
  const protocols = change.protocols ?? ctx.options.subprotocols;
  if (protocols.length > 0) defaults.push(['Sec-WebSocket-Protocol', protocols.join(', ')]);
  const overrides: Array<[string, string | null]> = [];
  const put = (name: string, value: string | null): void => {
    for (let i = overrides.length - 1; i >= 0; i--) if (overrides[i]![0].toLowerCase() === name.toLowerCase()) overrides.splice(i, 1);
    overrides.push([name, value]);
  };
  for (const [k, v] of ctx.baselineHeaders()) put(k, v);
  for (const name of change.remove ?? []) put(name, null);
  for (const [k, v] of Object.entries(change.set ?? {})) put(k, v);
  const overridden = new Set(overrides.map(([k]) => k.toLowerCase()));
  return [
    ...defaults.filter(([k]) => !overridden.has(k.toLowerCase())),
    ...overrides.filter((h): h is [string, string] => h[1] !== null),
  ];
}

export function setHeader(headers: Array<[string, string]>, name: string, value: string): void {
  const index = headers.findIndex(([k]) => k.toLowerCase() === name.toLowerCase());
  if (index >= 0) {
    headers[index] = [name, value];
    for (let i = headers.length - 1; i > index; i--) if (headers[i]![0].toLowerCase() === name.toLowerCase()) headers.splice(i, 1);
  } else headers.push([name, value]);
}

export function removeHeader(headers: Array<[string, string]>, name: string): void {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i]![0].toLowerCase() === name.toLowerCase()) headers.splice(i, 1);
}

/** Serializes a request head: request line, headers in order, blank line. */
export function buildRequest(requestLine: string, headers: ReadonlyArray<readonly [string, string]>): string {
  return `${requestLine}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/**
 * Opens one TCP (or TLS, for wss) connection to the target, writes `chunks` in order (a number
 * means "wait that many ms"; writing stops once the server closed) and reads until the
 * condition in `options` or the timeout. Always destroys the socket.
 */
export function exchange(ctx: ScanContext, chunks: ReadonlyArray<string | Buffer | number>, options: ExchangeOptions = {}): Promise<ExchangeResult> {
  const timeoutMs = options.timeoutMs ?? ctx.options.timeoutMs;
  const until = options.until ?? 'head';
  const host = ctx.url.hostname.startsWith('[') ? ctx.url.hostname.slice(1, -1) : ctx.url.hostname;
  const port = ctx.url.port ? Number(ctx.url.port) : ctx.secure ? 443 : 80;
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let closed = false;
    let settled = false;
    let startedAt = 0;
    let connected = false;
    let firstByteMs: number | undefined;
    let headMs: number | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    let lingerTimer: NodeJS.Timeout | undefined;
    const socket: Socket = ctx.secure
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...ctx.options.tls })
      : netConnect({ host, port });
    socket.setNoDelay(true);
    const overall = setTimeout(() => finish('timeout'), timeoutMs);

    const finish = (why: ExchangeResult['finished'], connectError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      clearTimeout(idleTimer);
      clearTimeout(lingerTimer);
      const data = Buffer.concat(received);
      socket.destroy();
      resolve({
        data,
        responses: parseResponses(data),
        ...(connectError === undefined ? {} : { connectError }),
        closedByServer: closed,
        ...(firstByteMs === undefined ? {} : { firstByteMs }),
        ...(headMs === undefined ? {} : { headMs }),
        elapsedMs: startedAt ? Date.now() - startedAt : 0,
        finished: why,
      });
    };

    socket.on(ctx.secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      startedAt = Date.now();
      void (async () => {
        for (const chunk of chunks) {
          if (closed || settled) return;
          if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
          else if (!socket.destroyed && socket.writable) socket.write(chunk);
        }
      })();
    });
    socket.on('data', (chunk: Buffer) => {
      if (firstByteMs === undefined) firstByteMs = Date.now() - startedAt;
      if (receivedBytes < MAX_EXCHANGE_BYTES) {
        received.push(chunk);
        receivedBytes += chunk.length;
      }
      if (headMs === undefined && Buffer.concat(received).indexOf('\r\n\r\n') >= 0) {
        headMs = Date.now() - startedAt;
        if (until === 'head') {
          if (!options.lingerMs) return finish('head');
          lingerTimer = setTimeout(() => finish('head'), options.lingerMs);
        }
      }
      if (until === 'close' && headMs !== undefined) {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => finish('idle'), options.idleMs ?? 1000);
      }
    });
    const onClosed = (err?: Error & { code?: string }): void => {
      if (!connected) return finish('connect-error', `connection to ${host}:${port} failed: ${err?.code ?? err?.message ?? 'closed'}`);
      closed = true;
      // Let a last packet that raced the FIN be read first.
      setImmediate(() => finish('closed'));
    };
    socket.on('end', () => onClosed());
    socket.on('close', () => onClosed());
    socket.on('error', (err: Error & { code?: string }) => onClosed(err));
  });
}

/** Parses the HTTP/1.x responses at the start of `data`, one after another; stops at a 101 or at bytes that are not a response. */
export function parseResponses(data: Buffer): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let offset = 0;
  while (offset < data.length && out.length < 20) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end < 0) break;
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const statusLine = lines[0] ?? '';
    const match = /^HTTP\/\d\.\d (\d{3})(?: .*)?$/.exec(statusLine);
    if (!match) break;
    const headers: Record<string, string> = {};
    const rawHeaders: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      rawHeaders.push([name, value]);
      const lower = name.toLowerCase();
      headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
    }
    const status = Number(match[1]);
    const bodyStart = end + 4;
    const cl = headers['content-length'];
    const declared = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : undefined;
    const available = data.length - bodyStart;
    let bodyLength: number;
    if (status === 101 || status === 204 || status === 304) bodyLength = 0;
    else if (declared !== undefined) bodyLength = Math.min(declared, available);
    else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const terminator = data.indexOf('\r\n0\r\n\r\n', bodyStart - 2);
      bodyLength = terminator < 0 ? available : terminator + 7 - bodyStart;
    } else {
      // No length: the body runs to the end of the connection, unless another response follows.
      const next = data.subarray(bodyStart).toString('latin1').search(/HTTP\/1\.[01] \d{3} /);
      bodyLength = next < 0 ? available : next;
    }
    out.push({ statusLine, status, headers, rawHeaders, offset, bodyLength });
    if (status === 101) break;
    offset = bodyStart + bodyLength;
  }
  return out;
}

/** How many HTTP status lines appear anywhere in `data`. */
export function countStatusLines(data: Buffer): number {
  return (data.toString('latin1').match(/HTTP\/1\.[01] \d{3}/g) ?? []).length;
}

/** Text of a request for evidence: CR/LF shown, long values cut. */
export function showRequest(request: string, maxChars = 1500): string {
  const redacted = request.replace(/^(authorization|cookie):[ \t]*([^\r\n]*)/gim, (_m, name: string, value: string) => `${name}: ${redact(name, value)}`);
  const cut = redacted.length > maxChars ? `${redacted.slice(0, maxChars)}… (${request.length} bytes)` : redacted;
  return redactUrl(cut).replace(/\r\n/g, '\\r\\n\n');
}

/** What an exchange got back, for evidence. */
export function describeExchange(result: ExchangeResult): string {
  if (result.connectError) return result.connectError;
  const parts: string[] = [];
  if (result.responses.length === 0) {
    parts.push(result.data.length > 0 ? `non-HTTP bytes: ${toHex(result.data, 48)}` : 'no response');
  } else {
    for (const r of result.responses) parts.push(`${r.statusLine}${headerSummary(r.headers)}`);
  }
  if (result.closedByServer) parts.push(`TCP closed by the server after ${result.elapsedMs} ms`);
  else parts.push(`connection still open after ${result.elapsedMs} ms`);
  return parts.join('; ');
}

function headerSummary(headers: Record<string, string>): string {
  const shown = ['connection', 'upgrade', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-version', 'server', 'x-powered-by'];
  const items = shown.filter((h) => headers[h] !== undefined).map((h) => `${h}: ${headers[h]}`);
  return items.length ? ` [${items.join('; ')}]` : '';
}

/** The handshake request ctx.open would send with `change`, as text (for evidence). */
export function describeHandshake(ctx: ScanContext, change: HeaderChange & { url?: string } = {}): string {
  const url = change.url ? new URL(change.url) : ctx.url;
  const headers = handshakeHeaders(ctx, change).map(([k, v]): [string, string] => [k, redact(k, v)]);
  return showRequest(buildRequest(`GET ${requestTarget(url)} HTTP/1.1`, headers));
}

/** Hides most of a credential in evidence (reports are shared). */
export function redact(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization') return value.replace(/^(\S+\s+)?(.{0,6}).*$/, (_m, scheme: string | undefined, head: string) => `${scheme ?? ''}${head}…(redacted)`);
  if (lower === 'cookie') return value.replace(/=([^;]{0,6})[^;]*/g, '=$1…(redacted)');
  return value;
}

export function redactUrl(url: string): string {
  return url.replace(/([?&][^=&]*(?:token|auth|jwt|session|key)[^=&]*=)([^&]{0,6})[^&]*/gi, '$1$2…(redacted)');
}

/** The answer to ctx.open(), as evidence text. Records the headers (RWS-080) and closes nothing. */
export function describeOpen(result: RawOpenResult): string {
  if (result.ok) {
    const s = result.socket;
    const extra = [s.protocol ? `Sec-WebSocket-Protocol: ${s.protocol}` : '', s.headers['server'] ? `Server: ${s.headers['server']}` : '']
      .filter(Boolean)
      .join('; ');
    return `${s.statusLine} (accepted)${extra ? ` [${extra}]` : ''}`;
  }
  return describeRefusal(result.error);
}

export function describeRefusal(error: HandshakeError): string {
  if (error.statusLine) {
    const body = error.body && error.body.length > 0 ? ` body ${JSON.stringify(error.body.toString('utf8').slice(0, 120))}` : '';
    const conn = error.headers?.['connection'] ? ` [Connection: ${error.headers['connection']}]` : '';
    return `${error.statusLine}${conn}${body} (${error.kind})`;
  }
  return `${error.kind}: ${error.message}`;
}

/**
 * Opens a handshake through ctx.open, records the response headers for the banner check, and
 * hands back the result with an evidence line. The caller destroys an accepted socket.
 */
export async function probeOpen(
  ctx: ScanContext,
  label: string,
  change: HeaderChange & { url?: string } = {},
): Promise<{ result: RawOpenResult; evidence: Evidence }> {
  // Pin the key, so the request in the evidence is byte for byte the one sent.
  const hasKey = Object.keys(change.set ?? {}).some((k) => k.toLowerCase() === 'sec-websocket-key');
  const set = hasKey ? change.set! : { ...change.set, 'Sec-WebSocket-Key': newKey() };
  change = { ...change, set };
  const sent = describeHandshake(ctx, change);
  const result = await ctx.open({
    set,
    ...(change.remove ? { remove: change.remove } : {}),
    ...(change.protocols ? { protocols: change.protocols } : {}),
    ...(change.url ? { url: change.url } : {}),
  });
  if (result.ok) ctx.noteHeaders(label, 101, result.socket.headers);
  else ctx.noteHeaders(label, result.error.status, result.error.headers);
  return { result, evidence: { label, sent, received: describeOpen(result) } };
}

/** Whether a host name or address is loopback or private (DNS rebinding, intranet targets). */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h.startsWith('127.')) return true;
  if (/^10\./.test(h) || /^192\.168\./.test(h) || /^172\.(1[6-9]|2\d|3[01])\./.test(h) || /^169\.254\./.test(h)) return true;
  if (h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80:')) return isIP(h) === 6;
  return false;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h.startsWith('127.');
}

/** Rampart's session cookie name (DESIGN.md, POST /api/login). */
export const RAMPART_COOKIE = 'rampart_session';

/**
 * What a browser would attach to a handshake started by another site's script: cookies only
 * (a page cannot set Authorization or custom headers on a WebSocket). The severity of a
 * cross-site acceptance depends on it:
 * - 'cookie': the baseline carries a Cookie (or the rampart profile's session can be sent as
 *   one) → a foreign page rides on the victim's session (CSWSH);
 * - 'header': credentials are only in headers a browser cannot send → not exploitable as is;
 * - 'anonymous': no credentials at all → any site may use the endpoint.
 */
export interface BrowserContext {
  kind: 'cookie' | 'header' | 'anonymous';
  /** Header edits that turn the baseline into what a cross-site browser request carries. */
  set: Record<string, string>;
  remove: string[];
  description: string;
}

export function browserContext(ctx: ScanContext): BrowserContext {
  const customNames = ctx.options.headers.map(([k]) => k).filter((k) => k.toLowerCase() !== 'cookie');
  const baselineCookie = ctx.baselineHeaders().find(([k]) => k.toLowerCase() === 'cookie')?.[1];
  if (baselineCookie) {
    return {
      kind: 'cookie',
      set: { Cookie: baselineCookie },
      remove: ['Authorization', ...customNames],
      description: 'the baseline cookie only (what a browser attaches to a cross-site WebSocket)',
    };
  }
  if (ctx.rampart) {
    return {
      kind: 'cookie',
      set: { Cookie: `${RAMPART_COOKIE}=${ctx.rampart.token}` },
      remove: ['Authorization', ...customNames],
      description: `the profile user's session as the ${RAMPART_COOKIE} cookie (what a logged-in browser attaches)`,
    };
  }
  if (ctx.hasCredentials) return { kind: 'header', set: {}, remove: [], description: 'the baseline credentials, which are headers a browser cannot attach' };
  return { kind: 'anonymous', set: {}, remove: [], description: 'no credentials (the endpoint accepts anonymous connections)' };
}

/** Severity of "a foreign site can open this socket" for each browser context. */
export function crossSiteSeverity(ctx: ScanContext, browser: BrowserContext, cookieSeverity: Severity): Severity {
  if (browser.kind === 'cookie') return cookieSeverity;
  if (browser.kind === 'header') return 'info';
  return isLocalHost(ctx.url.hostname) ? 'medium' : 'low';
}

export function crossSiteImpact(browser: BrowserContext): string {
  switch (browser.kind) {
    case 'cookie':
      return 'A page on any site can open this socket in a logged-in victim\'s browser and read and send messages as the victim (cross-site WebSocket hijacking).';
    case 'header':
      return 'Not exploitable from a browser while authentication uses a header a page cannot set, but it becomes cross-site WebSocket hijacking as soon as a cookie is accepted.';
    case 'anonymous':
      return 'Any web page can use this anonymous endpoint from its visitors\' browsers (a risk for intranet and localhost services).';
  }
}

/** Collects the text frames a socket receives until `idleMs` passes without one (bounded). */
export async function collectTexts(
  socket: { nextFrame(timeoutMs: number): Promise<{ opcode: number; payload: Buffer } | null> },
  idleMs: number,
  maxFrames = 50,
  maxTotalMs = 5000,
): Promise<{ texts: string[]; closed: boolean; close?: { code?: number; reason: string } }> {
  const texts: string[] = [];
  const started = Date.now();
  for (let i = 0; i < maxFrames && Date.now() - started < maxTotalMs; i++) {
    let frame: { opcode: number; payload: Buffer } | null;
    try {
      frame = await socket.nextFrame(idleMs);
    } catch {
      return { texts, closed: false };
    }
    if (!frame) return { texts, closed: true };
    if (frame.opcode === 0x1) texts.push(frame.payload.toString('utf8'));
    if (frame.opcode === 0x8) {
      const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined;
      return { texts, closed: true, close: { ...(code === undefined ? {} : { code }), reason: frame.payload.subarray(2).toString('utf8') } };
    }
  }
  return { texts, closed: false };
}

/** A bounded wait. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * ScanContext: what every check gets — the target, the baseline handshake the user's options
 * describe (origin, headers, cookie, subprotocols, rampart login), raw connections built from it,
 * the liveness canary, probe pacing, and notes shared between checks (close reasons, headers).
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { attemptRaw, type RawOpenResult } from './wire/raw-client.js';
import { httpJson } from './http-client.js';
import { buildFrame, Opcode } from './wire/frame.js';

export interface ScanOptions {
  /** ws:// or wss:// URL of the endpoint. */
  target: string;
  /** Origin to send on the baseline handshake (a browser would). */
  origin?: string;
  /** Extra request headers, in order. */
  headers: Array<[string, string]>;
  /** Cookie header value for the baseline handshake. */
  cookie?: string;
  /** Subprotocols to offer. */
  subprotocols: string[];
  /** Per-wait limit in ms (handshakes, close waits). Default 5000. */
  timeoutMs: number;
  aggressive: boolean;
  profile?: { kind: 'rampart'; user: string; password: string };
  /** Pause between probes, in ms (probes are rate-limited by design). Default 50. */
  paceMs: number;
  /** TLS options for wss (e.g. a CA for a self-signed test server). */
  tls?: ConnectionOptions;
}

/** Things checks learn that other checks (fingerprinting, passive analysis) read. */
export interface Observations {
  /** Close reasons the server sent, with the probe that caused them. */
  closeReasons: Array<{ probe: string; code?: number; reason: string }>;
  /** Response headers of refusals and 101s, by probe. */
  responseHeaders: Array<{ probe: string; status?: number; headers: Record<string, string> }>;
  /** Text the server sent in data frames (bounded), for passive analysis. */
  serverTexts: string[];
}

export interface RampartSession {
  token: string;
  user: { id: string; name: string };
  httpBase: string;
}

export interface LivenessResult {
  ok: boolean;
  detail: string;
  elapsedMs: number;
}

const MAX_OBSERVED_TEXTS = 200;

export class ScanContext {
  readonly options: ScanOptions;
  readonly url: URL;
  /** http(s)://host:port of the target (for the rampart profile's API). */
  readonly httpBase: string;
  readonly observations: Observations = { closeReasons: [], responseHeaders: [], serverTexts: [] };
  #rampart: RampartSession | null = null;

  constructor(options: ScanOptions) {
    this.options = options;
    this.url = new URL(options.target);
    if (this.url.protocol !== 'ws:' && this.url.protocol !== 'wss:') throw new Error('the target must be a ws:// or wss:// URL');
    this.httpBase = `${this.url.protocol === 'wss:' ? 'https' : 'http'}://${this.url.host}`;
  }

  get secure(): boolean {
    return this.url.protocol === 'wss:';
  }

  get rampart(): RampartSession | null {
    return this.#rampart;
  }

  /** Logs in over the Rampart HTTP API (profile rampart); the bearer token joins the baseline. */
  async loginRampart(): Promise<RampartSession> {
    const profile = this.options.profile;
    if (!profile) throw new Error('no profile');
    this.#rampart = await rampartLogin(this.httpBase, profile.user, profile.password, this.options.origin, this.options.tls);
    return this.#rampart;
  }

  /** The baseline handshake headers: the user's options plus the rampart bearer token. */
  baselineHeaders(): Array<[string, string]> {
    const headers: Array<[string, string]> = [];
    if (this.options.origin) headers.push(['Origin', this.options.origin]);
    if (this.options.cookie) headers.push(['Cookie', this.options.cookie]);
    if (this.#rampart) headers.push(['Authorization', `Bearer ${this.#rampart.token}`]);
    headers.push(...this.options.headers);
    return headers;
  }

  /** Whether the baseline carries credentials (so refusing a handshake without them is expected). */
  get hasCredentials(): boolean {
    return this.baselineHeaders().some(([k]) => ['cookie', 'authorization'].includes(k.toLowerCase()));
  }

  /**
   * Opens a raw connection from the baseline with changes: `set` replaces or adds headers
   * (case-insensitive), `remove` drops baseline and default headers, `protocols` replaces the offer.
   */
  open(change: { set?: Record<string, string>; remove?: string[]; protocols?: string[]; url?: string; autoPong?: boolean } = {}): Promise<RawOpenResult> {
    const headers: Record<string, string | null> = {};
    const put = (name: string, value: string | null): void => {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      headers[name] = value;
    };
    for (const [k, v] of this.baselineHeaders()) put(k, v);
    for (const name of change.remove ?? []) put(name, null);
    for (const [k, v] of Object.entries(change.set ?? {})) put(k, v);
    return attemptRaw({
      url: change.url ?? this.url,
      headers,
      protocols: change.protocols ?? this.options.subprotocols,
      timeoutMs: this.options.timeoutMs,
      autoPong: change.autoPong ?? true,
      refusalCloseWaitMs: 300,
      ...(this.options.tls ? { tls: this.options.tls } : {}),
    });
  }

  /**
   * The liveness oracle: a fresh baseline connection must still complete its handshake and
   * answer a ping. A crash, a hang or a refusal after a probe is a finding of its own.
   */
  async canary(): Promise<LivenessResult> {
    const started = Date.now();
    const result = await this.open();
    if (!result.ok) {
      return { ok: false, detail: `baseline handshake failed: ${result.error.message}`, elapsedMs: Date.now() - started };
    }
    const socket = result.socket;
    try {
      const payload = randomBytes(8);
      socket.write(buildFrame({ opcode: Opcode.PING, payload }));
      const pong = await socket
        .waitFor((f) => f.opcode === Opcode.PONG && f.payload.equals(payload), this.options.timeoutMs)
        .catch(() => null);
      if (!pong) return { ok: false, detail: 'no pong to a ping on a fresh connection', elapsedMs: Date.now() - started };
      return { ok: true, detail: 'fresh connection answered a ping', elapsedMs: Date.now() - started };
    } finally {
      socket.destroy();
    }
  }

  /** Waits between probes so a scan never floods the target by accident. */
  pace(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.options.paceMs));
  }

  noteClose(probe: string, code: number | undefined, reason: string): void {
    if (this.observations.closeReasons.length < 500) this.observations.closeReasons.push({ probe, ...(code === undefined ? {} : { code }), reason });
  }

  noteHeaders(probe: string, status: number | undefined, headers: Record<string, string> | undefined): void {
    if (headers && this.observations.responseHeaders.length < 500) {
      this.observations.responseHeaders.push({ probe, ...(status === undefined ? {} : { status }), headers });
    }
  }

  noteText(text: string): void {
    if (this.observations.serverTexts.length < MAX_OBSERVED_TEXTS) this.observations.serverTexts.push(text.slice(0, 4096));
  }
}

async function rampartLogin(httpBase: string, user: string, password: string, origin: string | undefined, tls: ConnectionOptions | undefined): Promise<RampartSession> {
  const res = await httpJson(`${httpBase}/api/login`, {
    body: { username: user, password },
    headers: origin ? { origin } : {},
    ...(tls ? { tls } : {}),
  });
  if (res.status !== 200) throw new Error(`rampart login as ${user} failed: HTTP ${res.status}`);
  const body = res.body as { token: string; user: { id: string; name: string } };
  return { token: body.token, user: body.user, httpBase };
}

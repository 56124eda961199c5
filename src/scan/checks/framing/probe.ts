/**
 * Shared machinery of the framing and resource checks: send some (usually invalid) bytes on a
 * fresh baseline connection and classify what the server did with them.
 *
 * The oracle for "the server processed the frame and went on" is a marker ping written right
 * behind the probe bytes: a server that fails the connection on the bad frame (RFC 6455 §7.1.7:
 * stop processing input) never answers it, a server that accepted the frame answers it at once.
 * That keeps every probe as short as one round trip instead of a fixed timeout, and it works on
 * any endpoint (no application protocol needed). Pong coalescing does not matter: there is only
 * one ping in flight.
 *
 * Verdicts are RFC 6455 verdicts, not Rampart's: a close frame with any code, or the TCP
 * connection ending, counts as "closed"; the expected codes only add a note to the evidence.
 */
import { randomBytes } from 'node:crypto';
import type { ScanContext } from '../../context.js';
import type { CheckOutcome, Evidence, FindingDetail, Severity } from '../../types.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import type { CloseResult, RawFrame, RawSocket } from '../../wire/raw-client.js';

/** How long a close may still come after the marker pong (async application-level validation). */
const GRACE_MS = 300;
/** How long a closed connection gets to finish its closing handshake (for the evidence). */
const CLOSE_SETTLE_MS = 1000;
/** Server text kept for passive analysis per probe. */
const MAX_TEXTS_PER_PROBE = 5;

export type OpenChange = Parameters<ScanContext['open']>[0];

export type Verdict =
  /** A close frame arrived (any code) or the TCP connection ended. */
  | 'closed'
  /** The marker ping behind the probe was answered and no close followed: the frame was accepted. */
  | 'accepted'
  /** Neither a close nor the marker pong within the wait: the connection is still open. */
  | 'open';

export interface ProbeResult {
  verdict: Verdict;
  close: CloseResult;
  /** ms from the last probe write to the close frame / TCP end / marker pong. */
  reactedMs: number | undefined;
  /** What the server did, in words (for evidence). */
  received: string;
  evidence: Evidence;
}

export interface ProbeOptions {
  /** Write a marker ping behind the probe bytes. Default true (false for close frames and length stalls). */
  marker?: boolean;
  /** How long to wait for a reaction. Default ctx.options.timeoutMs. */
  waitMs?: number;
  /** Changes to the baseline handshake. */
  open?: OpenChange;
  /** Epoch ms the probe started (for reaction times), when it began before this call (floods). Default: now. */
  since?: number;
}

/** A hex rendering of what a probe sent (each chunk bounded). */
export function sentHex(chunks: readonly Buffer[], maxBytesPerChunk = 40): string {
  return chunks.map((c) => toHex(c, maxBytesPerChunk)).join(' | ');
}

/** The marker: a masked ping with a random payload, and a matcher for its pong. */
export function markerPing(): { frame: Buffer; payload: Buffer; isPong: (f: RawFrame) => boolean } {
  const payload = Buffer.from(`rws-${randomBytes(6).toString('hex')}`);
  return { frame: buildFrame({ opcode: Opcode.PING, payload }), payload, isPong: (f) => f.opcode === Opcode.PONG && f.payload.equals(payload) };
}

/** Describes a close result relative to a start time (ms after the probe). */
export function describeReaction(close: CloseResult, since: number): string {
  if (close.closeFrameReceived) {
    const at = close.closeFrameAt === undefined ? '' : ` ${close.closeFrameAt - since} ms after the probe`;
    const code = close.code === undefined ? (close.malformed ? 'with a malformed 1-byte body' : 'without a status code') : String(close.code);
    const reason = close.reason ? ` "${close.reason.slice(0, 80)}"` : '';
    const tcp = close.tcpClosed ? (close.tcpClosedAt === undefined ? ', then TCP closed' : `, TCP closed after ${close.tcpClosedAt - since} ms`) : ', TCP still open';
    return `close ${code}${reason}${at}${tcp}`;
  }
  if (close.tcpClosed) {
    const at = close.tcpClosedAt === undefined ? '' : ` ${close.tcpClosedAt - since} ms after the probe`;
    return `TCP closed without a close frame${at}${close.tcpError ? ` (${close.tcpError})` : ''}`;
  }
  return 'connection still open';
}

/** Records the server's close reason and a few of its texts on the context (fingerprinting, passive analysis). */
export function observe(ctx: ScanContext, probeName: string, socket: RawSocket, close: CloseResult): void {
  if (close.closeFrameReceived) ctx.noteClose(probeName, close.code, close.reason);
  let kept = 0;
  for (const frame of socket.pendingFrames) {
    if (kept >= MAX_TEXTS_PER_PROBE) break;
    if (frame.opcode === Opcode.TEXT && frame.fin && frame.payload.length <= 4096) {
      ctx.noteText(frame.payload.toString('utf8'));
      kept++;
    }
  }
}

/** Opens a baseline connection (optionally changed) or explains why not. */
export async function openSocket(ctx: ScanContext, change: OpenChange = {}): Promise<{ ok: true; socket: RawSocket } | { ok: false; reason: string }> {
  const result = await ctx.open(change);
  if (!result.ok) return { ok: false, reason: `baseline handshake refused: ${result.error.statusLine ?? result.error.message}` };
  return { ok: true, socket: result.socket };
}

/**
 * Writes `bytes` (one write per chunk) on a fresh baseline connection, then the marker ping, and
 * classifies the reaction. Always destroys the socket. Resolves `{ error }` only when the baseline
 * handshake itself fails.
 */
export async function probe(ctx: ScanContext, name: string, bytes: Buffer | readonly Buffer[], options: ProbeOptions = {}): Promise<ProbeResult | { error: string }> {
  const opened = await openSocket(ctx, options.open ?? {});
  if (!opened.ok) return { error: opened.reason };
  const socket = opened.socket;
  try {
    return await probeOn(ctx, socket, name, bytes, options);
  } finally {
    socket.destroy();
  }
}

/** Like probe, on a socket the caller opened (and destroys). */
export async function probeOn(ctx: ScanContext, socket: RawSocket, name: string, bytes: Buffer | readonly Buffer[], options: ProbeOptions = {}): Promise<ProbeResult> {
  const chunks: Buffer[] = Array.isArray(bytes) ? [...(bytes as readonly Buffer[])] : [bytes as Buffer];
  const marker = options.marker === false ? null : markerPing();
  for (const chunk of chunks) socket.write(chunk);
  if (marker) socket.write(marker.frame);
  const sentAt = options.since ?? Date.now();
  const waitMs = options.waitMs ?? ctx.options.timeoutMs;

  const first = await socket
    .waitFor((f) => f.opcode === Opcode.CLOSE || (marker !== null && marker.isPong(f)), waitMs)
    .catch(() => undefined);
  let verdict: Verdict;
  let reactedMs: number | undefined;
  let pongMs: number | undefined;
  if (first === undefined) verdict = 'open';
  else if (first === null || first.opcode === Opcode.CLOSE) verdict = 'closed';
  else {
    pongMs = first.receivedAt - sentAt;
    const late = await socket.waitFor((f) => f.opcode === Opcode.CLOSE, GRACE_MS).catch(() => undefined);
    verdict = late === undefined ? 'accepted' : 'closed';
  }
  const close = await socket.waitClose(verdict === 'closed' ? CLOSE_SETTLE_MS : 0, { echo: true });
  if (verdict === 'closed') {
    const at = close.closeFrameAt ?? close.tcpClosedAt;
    reactedMs = at === undefined ? undefined : at - sentAt;
  } else if (verdict === 'accepted') reactedMs = pongMs;
  observe(ctx, name, socket, close);

  let received: string;
  if (verdict === 'closed') received = describeReaction(close, sentAt);
  else if (verdict === 'accepted') received = `no close; the marker ping behind the frame was answered after ${pongMs} ms, so the frame was processed and the connection went on`;
  else received = `no close and no answer to the marker ping within ${waitMs} ms; the connection is still open`;
  const sent = sentHex(chunks) + (marker ? ` | marker ping ${toHex(marker.frame, 24)}` : '');
  return { verdict, close, reactedMs, received, evidence: { label: name, sent, received } };
}

/** One probe of a "the server must fail the connection" check. */
export interface MustCloseCase {
  name: string;
  bytes: Buffer | readonly Buffer[];
  /** Close codes RFC 6455 expects; another code still counts as closed (noted), unless closeFrameProbe. */
  expected: readonly number[];
  /** The finding message when the server accepted the frame (cases with the same message are merged). */
  finding: string;
  severity?: Severity;
  /**
   * The probe is itself a close frame: every server answers a close with a close, so only an
   * expected code (or TCP closed without a close frame) counts; anything else means the server
   * accepted the close frame as valid.
   */
  closeFrameProbe?: boolean;
  marker?: boolean;
  waitMs?: number;
}

/** What became of one case. */
export interface CaseResult {
  c: MustCloseCase;
  result: ProbeResult;
  ok: boolean;
}

/** Judges one case. */
export function judgeMustClose(c: MustCloseCase, result: ProbeResult): boolean {
  if (result.verdict !== 'closed') return false;
  if (!c.closeFrameProbe) return true;
  if (!result.close.closeFrameReceived) return true; // TCP cut: the connection was failed
  return result.close.code !== undefined && c.expected.includes(result.close.code);
}

/** Runs the cases one after another (paced) and collects the results; stops at a refused handshake. */
export async function runCases(ctx: ScanContext, cases: readonly MustCloseCase[]): Promise<{ results: CaseResult[] } | { error: string }> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    await ctx.pace();
    const options: ProbeOptions = {};
    if (c.closeFrameProbe || c.marker === false) options.marker = false;
    if (c.waitMs !== undefined) options.waitMs = c.waitMs;
    const result = await probe(ctx, c.name, c.bytes, options);
    if ('error' in result) return { error: `${c.name}: ${result.error}` };
    const evidence = result.evidence;
    const ok = judgeMustClose(c, result);
    if (ok && result.close.closeFrameReceived && result.close.code !== undefined && !c.expected.includes(result.close.code)) {
      evidence.received = `${evidence.received} (RFC 6455 suggests ${c.expected.join(' or ')}; any close fails the connection)`;
    }
    results.push({ c, result, ok });
  }
  return { results };
}

/** Turns case results into an outcome: failing cases merged by finding message. */
export function outcomeOf(results: readonly CaseResult[], passNote: string): CheckOutcome {
  const findings: FindingDetail[] = [];
  const byMessage = new Map<string, FindingDetail>();
  for (const r of results) {
    if (r.ok) continue;
    const key = `${r.c.severity ?? ''}|${r.c.finding}`;
    let finding = byMessage.get(key);
    if (!finding) {
      finding = { message: r.c.finding, evidence: [], ...(r.c.severity ? { severity: r.c.severity } : {}) };
      byMessage.set(key, finding);
      findings.push(finding);
    }
    finding.evidence.push(r.result.evidence);
  }
  for (const f of findings) {
    const names = f.evidence.map((e) => e.label);
    f.message = `${f.message} (${names.join('; ')})`;
  }
  if (findings.length > 0) return { status: 'fail', findings };
  return { status: 'pass', note: passNote, evidence: results.map((r) => r.result.evidence) };
}

/** Codes seen in the closed cases, for pass notes. */
export function codesSeen(results: readonly CaseResult[]): string {
  const codes = results.map((r) => (r.result.close.closeFrameReceived ? String(r.result.close.code ?? 'no code') : r.result.close.tcpClosed ? 'TCP cut' : '—'));
  return [...new Set(codes)].join(', ');
}

/** A small JSON text payload that a JSON chat protocol answers harmlessly (Rampart: a `rooms` request). */
export function harmlessJson(id: string): string {
  return JSON.stringify({ type: 'rooms', id });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

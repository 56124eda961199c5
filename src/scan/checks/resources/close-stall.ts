/** RWS-065: close-handshake stall — a peer that sends close and never reads, or ignores the server's close (catalogue R11). Aggressive (slow). */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildFrame, closePayload, Opcode, toHex } from '../../wire/frame.js';
import type { RawSocket } from '../../wire/raw-client.js';
import type { ScanContext } from '../../context.js';
import { describeReaction, harmlessJson, observe, openSocket, sleep } from '../framing/probe.js';

/** A server must have cut the TCP connection by then: ws's default closeTimeout (30 s) plus margin. */
export const STALL_WAIT_MS = 33_000;
/** When the never-reading peer looks whether the server is still there (besides the end of the wait). */
const EARLY_LOOK_MS = 7000;

/**
 * Whether the server still holds a connection we stopped reading: write two unsolicited pongs
 * 300 ms apart. A server that closed its socket answers the first with a TCP reset, which makes
 * the second write fail (EPIPE/ECONNRESET); a server that still holds it just takes the bytes.
 * Reading is never resumed (reading the server's FIN would make Node send ours and complete the
 * close for the server).
 */
async function serverStillHolds(socket: RawSocket): Promise<boolean> {
  for (let i = 0; i < 2 && !socket.tcpClosed; i++) {
    socket.write(buildFrame({ opcode: Opcode.PONG, payload: 'rws-065' }));
    await sleep(300);
  }
  return !socket.tcpClosed;
}

/** (1) Send close 1000, stop reading, never send FIN. */
async function neverReads(ctx: ScanContext): Promise<{ held: boolean; evidence: Evidence } | { error: string }> {
  const opened = await openSocket(ctx, { autoPong: false });
  if (!opened.ok) return { error: opened.reason };
  const socket = opened.socket;
  try {
    socket.pause();
    const close = buildFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000) });
    socket.write(close);
    const started = Date.now();
    let cutBy: number | undefined;
    for (const at of [EARLY_LOOK_MS, STALL_WAIT_MS]) {
      await sleep(Math.max(0, at - (Date.now() - started)));
      if (!(await serverStillHolds(socket))) {
        cutBy = Date.now() - started;
        break;
      }
    }
    const tcp = await socket.waitClose(0);
    const evidence: Evidence = {
      label: 'close sent, then never read and never FIN',
      sent: `${toHex(close)}; then only tiny probes (unsolicited pong frames) at ${EARLY_LOOK_MS / 1000} s and ${STALL_WAIT_MS / 1000} s`,
      received:
        cutBy === undefined
          ? `the server still held the connection ${STALL_WAIT_MS / 1000} s after the close (probe bytes accepted, no reset)`
          : `the server had dropped the connection by ${Math.round(cutBy / 100) / 10} s (the probe write failed: ${tcp.tcpError ?? 'connection ended'})`,
    };
    return { held: cutBy === undefined, evidence };
  } finally {
    socket.destroy();
  }
}

/** (2) rampart profile: make the server close (binary → 1003) and ignore its close frame while reading. */
async function ignoresServerClose(ctx: ScanContext): Promise<{ held: boolean; evidence: Evidence } | { skipped: string } | { error: string }> {
  const opened = await openSocket(ctx, { autoPong: false });
  if (!opened.ok) return { error: opened.reason };
  const socket = opened.socket;
  try {
    const trigger = buildFrame({ opcode: Opcode.BINARY, payload: harmlessJson('rws-065') });
    const started = Date.now();
    socket.write(trigger);
    const closeFrame = await socket.waitFor((f) => f.opcode === Opcode.CLOSE, ctx.options.timeoutMs).catch(() => undefined);
    if (closeFrame === undefined) return { skipped: 'the server did not start a closing handshake for a binary frame' };
    const result = await socket.waitClose(STALL_WAIT_MS); // no echo: the close is ignored
    observe(ctx, 'server close ignored', socket, result);
    return {
      held: !result.tcpClosed,
      evidence: { label: "server's close frame ignored (never answered)", sent: `${toHex(trigger, 16)} (binary frame to a text protocol, to make the server close)`, received: describeReaction(result, started) },
    };
  } finally {
    socket.destroy();
  }
}

export const closeStallCheck: CheckDefinition = {
  id: 'RWS-065',
  title: 'Stalled closing handshake keeps the connection',
  category: 'resources',
  severity: 'low',
  cwe: 772,
  catalogue: ['R11'],
  aggressive: true,
  description: `(1) Sends a close frame, then never reads and never sends FIN, and checks at ${EARLY_LOOK_MS / 1000} s and ${STALL_WAIT_MS / 1000} s whether the server still holds the connection (two tiny writes: a closed server answers with a TCP reset). (2) With the rampart profile, in parallel: makes the server close (a binary frame → 1003) and ignores its close frame while still reading, waiting up to ${STALL_WAIT_MS / 1000} s for the TCP cut. A server must cut a stalled closing handshake after a close timeout (ws default 30 s; Rampart 5 s). Finding (low): the connection was still held after ${STALL_WAIT_MS / 1000} s.`,
  remediation:
    'Terminate the TCP connection when the closing handshake does not complete within a few seconds (ws closeTimeout; Rampart closeTimeoutMs, 5 s), also when the peer stops reading.',
  async run(ctx) {
    await ctx.pace();
    const [first, second] = await Promise.all([neverReads(ctx), ctx.rampart ? ignoresServerClose(ctx) : Promise.resolve({ skipped: 'needs the rampart profile' } as const)]);
    if ('error' in first) return { status: 'error', message: first.error };
    if ('error' in second) return { status: 'error', message: second.error };
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [first.evidence];
    if (first.held) findings.push({ message: `The server still held a connection ${STALL_WAIT_MS / 1000} s after the peer sent close and stopped reading`, evidence: [first.evidence] });
    if ('held' in second) {
      evidence.push(second.evidence);
      if (second.held) findings.push({ message: `The server kept the TCP connection ${STALL_WAIT_MS / 1000} s after its own close frame went unanswered`, evidence: [second.evidence] });
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `stalled closing handshakes are cut${'skipped' in second ? ` (server-initiated variant skipped: ${second.skipped})` : ''}`, evidence };
  },
};

/** RWS-063: connect and idle — no heartbeat, no reaping (catalogue R6). Aggressive (slow). */
import type { CheckDefinition } from '../../types.js';
import { Opcode } from '../../wire/frame.js';
import type { ScanContext } from '../../context.js';
import { describeReaction, observe, openSocket } from '../framing/probe.js';

/**
 * How long the idle probe waits: 12 × the scan timeout, at least 35 s (so a server with the
 * common 25–30 s heartbeat — Socket.IO, Centrifugo, ws's README example, Rampart — is seen
 * pinging) and at most 60 s.
 */
export function idleWaitMs(ctx: ScanContext): number {
  return Math.min(60_000, Math.max(35_000, 12 * ctx.options.timeoutMs));
}

export const idleConnectionCheck: CheckDefinition = {
  id: 'RWS-063',
  title: 'Idle connection never pinged nor closed',
  category: 'resources',
  severity: 'low',
  cwe: 772,
  catalogue: ['R6'],
  aggressive: true,
  description:
    'Completes a baseline handshake, then sends nothing and answers no ping, for up to min(60 s, max(35 s, 12 × timeout)). Pass as soon as the server pings (a heartbeat that can reap dead peers) or closes the connection. Finding (low): neither happened — an idle or half-dead peer holds its slot (socket, memory, per-IP/user quota) for as long as it likes.',
  remediation:
    'Ping every ~25 s and terminate a peer that has not answered within ~10 s (Rampart: heartbeatIntervalMs / heartbeatTimeoutMs; ws README heartbeat pattern), and close unauthenticated or idle connections after a deadline.',
  async run(ctx) {
    await ctx.pace();
    const opened = await openSocket(ctx, { autoPong: false });
    if (!opened.ok) return { status: 'error', message: opened.reason };
    const socket = opened.socket;
    try {
      const waitMs = idleWaitMs(ctx);
      const started = Date.now();
      const first = await socket.waitFor((f) => f.opcode === Opcode.PING || f.opcode === Opcode.CLOSE, waitMs).catch(() => undefined);
      const elapsed = Date.now() - started;
      const close = await socket.waitClose(first?.opcode === Opcode.CLOSE ? 1000 : 0, { echo: true });
      observe(ctx, 'idle connection', socket, close);
      const sent = 'handshake only; nothing sent afterwards, pings left unanswered';
      if (first === undefined) {
        return {
          status: 'fail',
          findings: [{ message: `The server neither pinged nor closed an idle connection within ${Math.round(waitMs / 1000)} s: idle or dead peers hold their slot indefinitely`, evidence: [{ label: 'idle connection', sent, received: `nothing within ${elapsed} ms; connection still open` }] }],
        };
      }
      const what = first === null || first.opcode === Opcode.CLOSE ? describeReaction(close, started) : `ping after ${elapsed} ms`;
      return { status: 'pass', note: first?.opcode === Opcode.PING ? `the server pings idle peers (first ping after ${Math.round(elapsed / 100) / 10} s)` : `the server closed the idle connection (${what})`, evidence: [{ label: 'idle connection', sent, received: what }] };
    } finally {
      socket.destroy();
    }
  },
};

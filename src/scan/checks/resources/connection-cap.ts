/** RWS-066: connections per client (catalogue R5). Aggressive: up to 200 connections, in small paced batches. */
import type { CheckDefinition } from '../../types.js';
import type { RawSocket } from '../../wire/raw-client.js';
import { sleep } from '../framing/probe.js';

/** Most connections the probe opens at once. */
export const MAX_CONNECTIONS = 200;
const BATCH = 10;

export const connectionCapCheck: CheckDefinition = {
  id: 'RWS-066',
  title: 'No cap on connections per client',
  category: 'resources',
  severity: 'medium',
  cwe: 770,
  catalogue: ['R5'],
  aggressive: true,
  description: `Opens baseline connections (same credentials, same IP) in batches of ${BATCH}, paced, keeping them all open, until the server refuses one (HTTP 429/503 or any non-101), closes an accepted one, or ${MAX_CONNECTIONS} are open; then closes them all. Pass on the first refusal. Finding (medium): all ${MAX_CONNECTIONS} accepted — one client can exhaust file descriptors and memory (OWASP: cap per user and per IP).`,
  remediation:
    'Cap open connections per IP and per user at the upgrade, answering 429 (Rampart: 32 per IP, 8 per user), and the process total with 503 + Retry-After.',
  async run(ctx) {
    const open: RawSocket[] = [];
    try {
      let refusal: string | undefined;
      let attempts = 0;
      while (open.length < MAX_CONNECTIONS && refusal === undefined) {
        await ctx.pace();
        const n = Math.min(BATCH, MAX_CONNECTIONS - open.length);
        const results = await Promise.all(Array.from({ length: n }, () => ctx.open({ autoPong: true })));
        const batchStart = attempts;
        attempts += n;
        for (const [i, r] of results.entries()) {
          if (r.ok) open.push(r.socket);
          else if (refusal === undefined) {
            const why = r.error.statusLine ?? `${r.error.kind}: ${r.error.message}${r.error.kind === 'timeout' ? ' (treated as refused)' : ''}`;
            refusal = `connection #${batchStart + i + 1}: ${why}`;
            ctx.noteHeaders('connection cap refusal', r.error.status, r.error.headers);
          }
        }
        const dropped = open.findIndex((s) => s.closeFrame !== null || s.tcpClosed);
        if (refusal === undefined && dropped >= 0) {
          const s = open[dropped]!;
          refusal = `accepted connection #${dropped + 1} was then closed${s.closeFrame ? ` (close frame ${s.closeFrame.payload.length >= 2 ? s.closeFrame.payload.readUInt16BE(0) : ''})` : ''}`;
        }
      }
      if (open.length === 0) return { status: 'error', message: `the first baseline connections failed: ${refusal ?? 'unknown'}` };
      const evidence = {
        label: `up to ${MAX_CONNECTIONS} concurrent baseline connections`,
        sent: `${attempts} WebSocket handshakes with the baseline credentials, ${BATCH} at a time, all kept open`,
        received: refusal ? `${open.length} accepted, then ${refusal}` : `all ${open.length} accepted (101) and kept open`,
      };
      if (refusal !== undefined) return { status: 'pass', note: `connections are capped: ${refusal}`, evidence: [evidence] };
      return {
        status: 'fail',
        findings: [{ message: `The server accepted ${open.length} concurrent connections from one client (one IP, one set of credentials) without refusing any`, evidence: [evidence] }],
      };
    } finally {
      for (const s of open) s.destroy();
      // Give the server a moment to release the slots before the liveness canary connects.
      await sleep(300);
    }
  },
};

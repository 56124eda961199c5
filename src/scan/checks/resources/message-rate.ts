/** RWS-067: message rate limit (catalogue R9). Aggressive; rampart profile (generic targets have no known cheap request). */
import type { CheckDefinition } from '../../types.js';
import { Opcode, toHex, buildFrame } from '../../wire/frame.js';
import { describeReaction, observe, sleep } from '../framing/probe.js';
import { jsonOf, openRampart } from './rampart-session.js';

export const REQUESTS = 200;
const BATCH = 50;

export const messageRateCheck: CheckDefinition = {
  id: 'RWS-067',
  title: 'No message rate limit',
  category: 'resources',
  severity: 'medium',
  cwe: 799,
  catalogue: ['R9'],
  aggressive: true,
  profile: 'rampart',
  description: `With the rampart profile: sends ${REQUESTS} cheap read-only requests (\`{"type":"rooms","id":"…"}\`) on one connection in ${REQUESTS / BATCH} quick batches and reads the replies. Pass on RATE_LIMITED errors or a close (1008). Finding (medium): all ${REQUESTS} answered ok — one connection can saturate CPU, the store and fan-out. Generic targets are skipped: without a known harmless request any flood would be guesswork.`,
  remediation:
    'Token buckets per connection and per user (Rampart: 20 msg/s burst 40 per connection, 40/80 per user) answering RATE_LIMITED with retryAfterMs, and close 1008 after repeated violations.',
  async run(ctx) {
    if (!ctx.rampart) return { status: 'skipped', reason: 'generic target: no harmless probe message is known (use the rampart profile)' };
    await ctx.pace();
    const opened = await openRampart(ctx);
    if (!opened.ok) return { status: 'error', message: opened.reason };
    const conn = opened.conn;
    try {
      const started = Date.now();
      for (let sent = 0; sent < REQUESTS && !conn.closed; sent += BATCH) {
        conn.socket.write(Buffer.concat(Array.from({ length: BATCH }, (_, i) => buildFrame({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'rooms', id: `rws-067-${sent + i}` }) }))));
        await sleep(10);
      }
      const isReply = (j: Record<string, unknown> | undefined): boolean => j !== undefined && typeof j.id === 'string' && j.id.startsWith('rws-067-') && (j.type === 'ok' || j.type === 'error');
      const deadline = Date.now() + ctx.options.timeoutMs + 2000;
      let replies: Array<Record<string, unknown>> = [];
      while (Date.now() < deadline) {
        replies = conn.socket.pendingFrames.map(jsonOf).filter(isReply) as Array<Record<string, unknown>>;
        if (replies.length >= REQUESTS || conn.closed) break;
        await sleep(50);
      }
      const close = await conn.socket.waitClose(conn.socket.closeFrame ? 1000 : 0, { echo: true });
      observe(ctx, 'message flood', conn.socket, close);
      const ok = replies.filter((j) => j.type === 'ok').length;
      const limited = replies.filter((j) => j.type === 'error' && j.code === 'RATE_LIMITED').length;
      const closed = close.closeFrameReceived || close.tcpClosed;
      const evidence = {
        label: `${REQUESTS} rooms requests on one connection`,
        sent: `${toHex(buildFrame({ opcode: Opcode.TEXT, payload: '{"type":"rooms","id":"rws-067-0"}' }), 12)} … × ${REQUESTS} in ${REQUESTS / BATCH} writes 10 ms apart`,
        received: `${ok} ok, ${limited} RATE_LIMITED, ${replies.length - ok - limited} other error(s); ${closed ? describeReaction(close, started) : 'connection still open'}`,
      };
      if (limited > 0 || closed) return { status: 'pass', note: `requests are rate limited (${limited} RATE_LIMITED${closed ? `, ${close.closeFrameReceived ? `close ${close.code}` : 'TCP cut'}` : ''})`, evidence: [evidence] };
      if (ok < REQUESTS) return { status: 'pass', note: `inconclusive: only ${ok} of ${REQUESTS} requests were answered within the timeout, none RATE_LIMITED`, evidence: [evidence] };
      return { status: 'fail', findings: [{ message: `The server answered all ${REQUESTS} requests sent in a burst on one connection without rate limiting`, evidence: [evidence] }] };
    } finally {
      conn.destroy();
    }
  },
};

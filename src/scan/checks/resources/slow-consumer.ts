/**
 * RWS-068: slow consumer (catalogue R8). Aggressive; rampart profile.
 *
 * Connection A joins the scanner's private room and stops reading; connection B (same user)
 * sends chat messages of the largest allowed size into that room, paced inside the announced
 * rate limit. To queue enough bytes quickly — loopback kernel buffers alone absorb ~4 MB before a
 * server-side queue even starts to grow — A then also asks for `history` (100 messages per reply)
 * a few times without reading the answers. The room is `rws-scan-<hash>-slow`, private and
 * reused by later scans, so the first scan writes ~100 messages (~1.6 MB) and later ones ~20.
 */
import { randomBytes } from 'node:crypto';
import type { CheckDefinition, Evidence } from '../../types.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import { describeReaction, observe, sleep } from '../framing/probe.js';
import { ensureRoom, jsonOf, openRampart, pacerFor, scannerRoom, type AnnouncedLimits, type RampartConnection } from './rampart-session.js';

/** History replies requested by the stalled reader. */
const HISTORY_REQUESTS = 6;
const HISTORY_LIMIT = 100;
/** Messages B sends at least (broadcast path), and without history support. */
const MIN_MESSAGES = 20;
const FALLBACK_MESSAGES = 450;
/** Time bounds: sending, then reading A's backlog. */
const SEND_BUDGET_MS = 25_000;
const READ_BUDGET_MS = 15_000;
const QUIET_MS = 2000;

/** The largest chat text the announced limits allow, in 4-byte characters (most bytes per counted character). */
export function bigText(limits: AnnouncedLimits, room: string): string {
  const envelope = Buffer.byteLength(JSON.stringify({ type: 'send', room, text: '', nonce: 'rws-068-0123456789ab-00000', id: 'rws-000000' }));
  const chars = Math.max(1, Math.min(limits.maxTextChars, Math.floor((limits.maxMessageBytes - envelope - 16) / 4)));
  return '\u{1F600}'.repeat(chars);
}

async function sendPaced(b: RampartConnection, room: string, text: string, count: number, deadline: number, timeoutMs: number): Promise<{ sent: number; limited: number; stop?: string }> {
  const pacer = pacerFor(b.limits);
  const run = randomBytes(6).toString('hex');
  let sent = 0;
  let limited = 0;
  while (sent < count && Date.now() < deadline) {
    if (b.closed) return { sent, limited, stop: 'the sending connection was closed' };
    await pacer.take();
    const reply = await b.request({ type: 'send', room, text, nonce: `rws-068-${run}-${sent}` }, timeoutMs);
    if (reply === null) return { sent, limited, stop: 'no reply to a send' };
    if (reply.type === 'error' && reply.code === 'RATE_LIMITED') {
      limited++;
      pacer.backOff();
      await sleep((typeof reply.retryAfterMs === 'number' ? reply.retryAfterMs : 1000) + 100);
      continue;
    }
    if (reply.type !== 'ok') return { sent, limited, stop: `send refused: ${String(reply.code)}` };
    sent++;
  }
  return { sent, limited };
}

export const slowConsumerCheck: CheckDefinition = {
  id: 'RWS-068',
  title: 'Unbounded send queue for a client that does not read',
  category: 'resources',
  severity: 'medium',
  cwe: 400,
  catalogue: ['R8'],
  aggressive: true,
  profile: 'rampart',
  description: `With the rampart profile: connection A joins the scanner's private room \`rws-scan-<hash>-slow\` and stops reading; connection B of the same user sends maximum-size messages into it (≥ ${MIN_MESSAGES}, topping the room up to ${HISTORY_LIMIT}), paced inside the rate limit the hello announces (backing off on RATE_LIMITED, at most ${SEND_BUDGET_MS / 1000} s); A then requests \`history\` ${HISTORY_REQUESTS}× without reading (~10 MB queued in all). Then A reads again (at most ${READ_BUDGET_MS / 1000} s). Pass: A was closed (4100 expected) or cut. Finding (medium): A got everything and stayed open — the server buffers without bound for a stalled reader (heap OOM, ws #999). Never writes to rooms other than the scanner's own private one.`,
  remediation:
    'Bound the bytes queued per connection (ws bufferedAmount plus your own queue) and close a reader that exceeds it (Rampart: 1 MiB → close 4100, TCP cut 5 s later; Centrifugo client.queue_max_size → 3008).',
  async run(ctx) {
    if (!ctx.rampart) return { status: 'skipped', reason: 'needs the rampart profile (a room to fill)' };
    await ctx.pace();
    const openedB = await openRampart(ctx);
    if (!openedB.ok) return { status: 'error', message: openedB.reason };
    const b = openedB.conn;
    const openedA = await openRampart(ctx);
    if (!openedA.ok) {
      b.destroy();
      return { status: 'error', message: openedA.reason };
    }
    const a = openedA.conn;
    try {
      const timeoutMs = ctx.options.timeoutMs;
      let room = scannerRoom(ctx, 'slow');
      let ready = await ensureRoom(b, room, pacerFor(b.limits), timeoutMs);
      if (!ready.ok && ready.reply?.code === 'FORBIDDEN') {
        // Someone else owns that name: use a fresh one in the scanner's namespace.
        room = scannerRoom(ctx, `slow-${randomBytes(3).toString('hex')}`);
        ready = await ensureRoom(b, room, pacerFor(b.limits), timeoutMs);
      }
      if (!ready.ok) return { status: 'error', message: `could not prepare the scanner's room: ${ready.reason}` };
      const joinA = await a.pacedRequest({ type: 'join', room }, pacerFor(a.limits), timeoutMs);
      if (joinA?.type !== 'ok') return { status: 'error', message: `the reader could not join ${room}: ${joinA ? String(joinA.code) : 'no reply'}` };

      const history = await b.pacedRequest({ type: 'history', room, limit: HISTORY_LIMIT }, pacerFor(b.limits), timeoutMs);
      const historyWorks = history?.type === 'ok' && Array.isArray(history.messages);
      const stored = historyWorks ? (history.messages as unknown[]).length : 0;
      const toSend = historyWorks ? Math.max(MIN_MESSAGES, HISTORY_LIMIT - stored) : FALLBACK_MESSAGES;
      const text = bigText(b.limits, room);
      const messageBytes = Buffer.byteLength(text) + 200;

      a.socket.pause();
      const started = Date.now();
      const sending = await sendPaced(b, room, text, toSend, started + SEND_BUDGET_MS, timeoutMs);
      let historyRequests = 0;
      if (historyWorks) {
        for (; historyRequests < HISTORY_REQUESTS; historyRequests++) a.send({ type: 'history', room, limit: HISTORY_LIMIT });
      }
      const inHistory = Math.min(HISTORY_LIMIT, stored + sending.sent);
      const queuedEstimate = sending.sent * messageBytes + historyRequests * inHistory * messageBytes;
      await sleep(1500);

      a.socket.resume();
      const readStarted = Date.now();
      let lastBytes = -1;
      while (Date.now() - readStarted < READ_BUDGET_MS && a.socket.closeFrame === null && !a.socket.tcpClosed) {
        if (a.socket.bytesReceived === lastBytes) break;
        lastBytes = a.socket.bytesReceived;
        await sleep(QUIET_MS);
      }
      const close = await a.socket.waitClose(a.socket.closeFrame ? 1000 : 0, { echo: true });
      observe(ctx, 'slow consumer', a.socket, close);
      const got = a.socket.pendingFrames.map(jsonOf);
      const messages = got.filter((j) => j?.type === 'message' && j.room === room).length;
      const histories = got.filter((j) => j?.type === 'ok' && Array.isArray(j.messages)).length;
      const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;
      const evidence: Evidence = {
        label: 'stalled reader in the scanner room',
        sent: `B: ${sending.sent} × ${toHex(buildFrame({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'send', room, text, nonce: 'rws-068', id: 'rws-0' }) }), 24)} (messages of ${Buffer.byteLength(text)} bytes of text) into ${room}${sending.limited ? ` (${sending.limited} RATE_LIMITED, slowed down)` : ''}${sending.stop ? `; stopped: ${sending.stop}` : ''}; A (not reading): ${historyRequests} history requests (limit ${HISTORY_LIMIT}) — ~${mb(queuedEstimate)} for A in all`,
        received: `A read ${mb(a.socket.bytesReceived)} after resuming: ${messages}/${sending.sent} messages, ${histories}/${historyRequests} history replies; ${describeReaction(close, started)}`,
      };
      if (close.closeFrameReceived || close.tcpClosed) {
        return { status: 'pass', note: `the stalled reader was ${close.closeFrameReceived ? `closed with ${close.code ?? 'no code'}` : 'cut'} after ${mb(a.socket.bytesReceived)} were delivered`, evidence: [evidence] };
      }
      if (queuedEstimate < 5 * 1024 * 1024) {
        return { status: 'pass', note: `inconclusive: only ~${mb(queuedEstimate)} could be queued within the time bound`, evidence: [evidence] };
      }
      return {
        status: 'fail',
        findings: [{ message: `The server kept buffering ~${mb(queuedEstimate)} for a client that stopped reading and never closed it`, evidence: [evidence] }],
      };
    } finally {
      a.destroy();
      b.destroy();
    }
  },
};

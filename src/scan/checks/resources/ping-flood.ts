/** RWS-062: a ping flood from a peer that does not read (catalogue F12). Aggressive. Coalesced pongs are fine. */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import { describeReaction, observe, openSocket, sleep } from '../framing/probe.js';

export const PINGS = 2000;
const BATCH = 200;
const QUIET_MS = 500;

export const pingFloodCheck: CheckDefinition = {
  id: 'RWS-062',
  title: 'Ping flood answered without limit',
  category: 'resources',
  severity: 'low',
  cwe: 770,
  catalogue: ['F12'],
  aggressive: true,
  description: `Stops reading, sends ${PINGS} pings with 125-byte payloads in batches of ${BATCH} (~260 KB), then reads again and counts pongs until the connection is quiet for ${QUIET_MS} ms (at most the timeout). Each ping queues a pong, so without a limit a non-reading peer grows the server's send queue (Undertow CVE-2021-3690 leaked a buffer per pong). Pass: the server closes (e.g. 1008 for too many control frames) or answers fewer pongs than pings (RFC 6455 §5.5.3 allows answering only the latest ping — coalescing is not flagged). Finding (low): every single ping answered and the connection kept.`,
  remediation:
    'Rate-limit control frames per connection (Rampart: 50/s → close 1008) and/or coalesce pongs, and bound the per-connection send queue.',
  async run(ctx) {
    await ctx.pace();
    const opened = await openSocket(ctx, { autoPong: false });
    if (!opened.ok) return { status: 'error', message: opened.reason };
    const socket = opened.socket;
    try {
      const ping = (i: number): Buffer => {
        const payload = Buffer.alloc(125, 0x2e);
        payload.write(`rws-062-${i}`);
        return buildFrame({ opcode: Opcode.PING, payload });
      };
      socket.pause();
      const sentAt = Date.now();
      let written = 0;
      while (written < PINGS && !socket.tcpClosed) {
        const batch: Buffer[] = [];
        for (let i = 0; i < BATCH && written + i < PINGS; i++) batch.push(ping(written + i));
        socket.write(Buffer.concat(batch));
        written += batch.length;
        await ctx.pace();
      }
      socket.resume();
      const deadline = Date.now() + ctx.options.timeoutMs;
      let seen = -1;
      while (Date.now() < deadline && socket.closeFrame === null && !socket.tcpClosed) {
        const count = socket.pendingFrames.length;
        if (count === seen) break;
        seen = count;
        await sleep(QUIET_MS);
      }
      const pongs = socket.pendingFrames.filter((f) => f.opcode === Opcode.PONG && f.payload.subarray(0, 8).toString() === 'rws-062-').length;
      const close = await socket.waitClose(socket.closeFrame ? 1000 : 0, { echo: true });
      observe(ctx, 'ping flood', socket, close);
      const evidence = {
        label: `${written} pings without reading`,
        sent: `${toHex(ping(0), 12)} … × ${written} in batches of ${BATCH}`,
        received: `${pongs} pong(s); ${describeReaction(close, sentAt)}`,
      };
      if (close.closeFrameReceived || close.tcpClosed) {
        return { status: 'pass', note: `the flood was cut (${close.closeFrameReceived ? `close ${close.code ?? 'without code'}` : 'TCP cut'}) after ${pongs} pongs`, evidence: [evidence] };
      }
      if (pongs < written) {
        return { status: 'pass', note: `${pongs} pongs for ${written} pings: the server coalesces or drops pongs (legal, RFC 6455 §5.5.3)`, evidence: [evidence] };
      }
      return {
        status: 'fail',
        findings: [{ message: `The server answered all ${written} pings of a flood from a peer that was not reading, with no control-frame limit (${written} × 127 bytes of pongs queued)`, evidence: [evidence] }],
      };
    } finally {
      socket.destroy();
    }
  },
};

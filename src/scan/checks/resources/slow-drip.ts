/** RWS-064: message-completion deadline — a slow-drip frame and an unfinished fragmented message (catalogue R7, F9). Aggressive (slow). */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import type { CloseResult, RawSocket } from '../../wire/raw-client.js';
import { describeReaction, observe, openSocket } from '../framing/probe.js';

/** How long a started message may stay unfinished before it is a finding: the catalogue's 30 s deadline plus margin. */
export const DRIP_WAIT_MS = 36_000;
/** One byte of the dripped frame every this many ms (pings are answered meanwhile). */
export const DRIP_INTERVAL_MS = 3000;
const DECLARED = 1024;

interface Variant {
  name: string;
  header: Buffer;
  drip: Buffer | null;
  /** Answer pings (only possible between frames). */
  autoPong: boolean;
}

async function watch(socket: RawSocket, variant: Variant): Promise<{ closed: boolean; received: string; dripped: number; close: CloseResult }> {
  const started = Date.now();
  socket.write(variant.header);
  let dripped = 0;
  while (Date.now() - started < DRIP_WAIT_MS && socket.closeFrame === null && !socket.tcpClosed) {
    // Sleeps until the next drip, but wakes up at once when the server closes.
    await socket.waitClose(Math.min(DRIP_INTERVAL_MS, DRIP_WAIT_MS - (Date.now() - started)), { until: 'frame' });
    if (variant.drip && dripped < variant.drip.length && socket.closeFrame === null && !socket.tcpClosed) {
      socket.write(variant.drip.subarray(dripped, dripped + 1));
      dripped++;
    }
  }
  const close = await socket.waitClose(socket.closeFrame ? 1000 : 0, { echo: true });
  const closed = close.closeFrameReceived || close.tcpClosed;
  return { closed, dripped, close, received: closed ? describeReaction(close, started) : `still open after ${Date.now() - started} ms${variant.autoPong ? ' (pings answered)' : ''}` };
}

export const slowDripCheck: CheckDefinition = {
  id: 'RWS-064',
  title: 'No deadline for finishing a message (slow drip)',
  category: 'resources',
  severity: 'low',
  cwe: 400,
  catalogue: ['R7', 'F9'],
  aggressive: true,
  description: `Two connections in parallel: (1) a text frame header declaring ${DECLARED} bytes, then one body byte every ${DRIP_INTERVAL_MS / 1000} s (a peer inside a frame cannot answer pings, so a heartbeat may reap it — that counts as a pass); (2) the first fragment of a text message (FIN=0) and then nothing, answering every ping between fragments so only a completion deadline can end it. Waits up to ${DRIP_WAIT_MS / 1000} s for each (the catalogue proposes a 30 s completion deadline). Pass on a close (1008 expected) or TCP cut. Finding (low): still open — a peer can pin a slot and a partial-message buffer forever.`,
  remediation:
    'Give every started frame/message a completion deadline independent of the heartbeat (Rampart: messageCompletionTimeoutMs, 30 s → close 1008); slowloris-style drips and unfinished fragments both count.',
  async run(ctx) {
    await ctx.pace();
    const full = buildFrame({ opcode: Opcode.TEXT, payload: Buffer.alloc(DECLARED, 0x20) });
    const headerLength = 2 + 2 + 4;
    const variants: Variant[] = [
      { name: `frame declaring ${DECLARED} bytes, one byte every ${DRIP_INTERVAL_MS / 1000} s`, header: full.subarray(0, headerLength), drip: full.subarray(headerLength), autoPong: false },
      { name: 'first fragment of a message (FIN=0), then nothing', header: buildFrame({ opcode: Opcode.TEXT, fin: false, payload: '{"type":"rooms",' }), drip: null, autoPong: true },
    ];
    const sockets: RawSocket[] = [];
    try {
      for (const v of variants) {
        const opened = await openSocket(ctx, { autoPong: v.autoPong });
        if (!opened.ok) return { status: 'error', message: opened.reason };
        sockets.push(opened.socket);
      }
      const results = await Promise.all(variants.map((v, i) => watch(sockets[i]!, v)));
      const findings: FindingDetail[] = [];
      const evidence: Evidence[] = [];
      results.forEach((r, i) => {
        const v = variants[i]!;
        observe(ctx, v.name, sockets[i]!, r.close);
        const e: Evidence = { label: v.name, sent: `${toHex(v.header, 24)}${v.drip ? ` then ${r.dripped} single body byte(s), ${DRIP_INTERVAL_MS} ms apart` : ''}`, received: r.received };
        evidence.push(e);
        if (!r.closed) findings.push({ message: `The server kept a connection with an unfinished message open for ${DRIP_WAIT_MS / 1000} s (${v.name})`, evidence: [e] });
      });
      if (findings.length > 0) return { status: 'fail', findings };
      return { status: 'pass', note: 'unfinished messages are closed within the deadline', evidence };
    } finally {
      for (const s of sockets) s.destroy();
    }
  },
};

/** RWS-061: fragment floods — 10 000 tiny fragments, and endless empty continuations (catalogue F8, F9). Aggressive. */
import type { CheckDefinition, Evidence } from '../../types.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import { openSocket, probeOn, type ProbeResult } from '../framing/probe.js';
import { paddedRequest } from '../framing/message-size.js';

/** Fragments per probe. */
export const FRAGMENTS = 10_000;
/** Frames per TCP write; the probe stops writing as soon as the server closed. */
const BATCH = 1000;

interface FloodResult {
  result: ProbeResult;
  written: number;
}

async function flood(ctx: Parameters<CheckDefinition['run']>[0], name: string, frames: (i: number) => Buffer, count: number): Promise<FloodResult | { error: string }> {
  const opened = await openSocket(ctx);
  if (!opened.ok) return { error: opened.reason };
  const socket = opened.socket;
  try {
    let written = 0;
    const since = Date.now();
    while (written < count && socket.closeFrame === null && !socket.tcpClosed) {
      const n = Math.min(BATCH, count - written);
      const batch: Buffer[] = [];
      for (let i = 0; i < n; i++) batch.push(frames(written + i));
      socket.write(Buffer.concat(batch));
      written += n;
      await ctx.pace();
    }
    const result = await probeOn(ctx, socket, name, [], { since });
    result.evidence.sent = `${toHex(frames(0), 8)} | ${toHex(frames(1), 8)} | … ${written} frames written in batches of ${BATCH}${written < count ? ` (stopped: the server had closed)` : ''} | marker ping`;
    return { result, written };
  } finally {
    socket.destroy();
  }
}

export const fragmentFloodCheck: CheckDefinition = {
  id: 'RWS-061',
  title: 'Fragment flood accepted',
  category: 'resources',
  severity: 'medium',
  cwe: 770,
  catalogue: ['F8', 'F9'],
  aggressive: true,
  description: `Two connections. (1) One ${FRAGMENTS / 1000}k-byte text message (a padded JSON request) sent as ${FRAGMENTS} one-byte fragments (\`01 81 m …\`, \`00 81 m …\`); (2) an opening text frame with FIN=0 followed by ${FRAGMENTS} empty continuation frames (\`00 80 m\`) that never finish. Written in batches of ${BATCH} (~70 KB in all), stopping as soon as the server closes, then a marker ping. Per-fragment bookkeeping makes memory grow with the fragment count, not the payload (ws CVE-2026-48779; empty fragments were not counted before ws a2f4e7c0). Expected: close 1008 (or 1009) long before the end; answering the marker after all fragments means every one was accepted.`,
  remediation:
    'Cap fragments per message (ws maxFragments; Rampart 128) counting empty ones too, bound buffered chunks, and give a started message a completion deadline; close 1008 beyond.',
  async run(ctx) {
    const findings = [];
    const evidence: Evidence[] = [];
    const message = paddedRequest('rws-061', FRAGMENTS);
    const probes: Array<[string, (i: number) => Buffer, string]> = [
      [
        `one message in ${FRAGMENTS} one-byte fragments`,
        (i) => buildFrame({ opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION, fin: i === FRAGMENTS - 1, payload: message.subarray(i, i + 1) }),
        `The server accepted a message split into ${FRAGMENTS} one-byte fragments without closing`,
      ],
      [
        `an open message followed by ${FRAGMENTS} empty continuation frames`,
        (i) => buildFrame({ opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION, fin: false }),
        `The server accepted ${FRAGMENTS} empty continuation frames in one unfinished message without closing (empty fragments are not counted, or the limit is far too high)`,
      ],
    ];
    for (const [name, frames, finding] of probes) {
      await ctx.pace();
      const r = await flood(ctx, name, frames, FRAGMENTS);
      if ('error' in r) return { status: 'error', message: r.error };
      evidence.push(r.result.evidence);
      if (r.result.verdict !== 'closed') findings.push({ message: finding, evidence: [r.result.evidence] });
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: 'both fragment floods were refused before the end', evidence };
  },
};

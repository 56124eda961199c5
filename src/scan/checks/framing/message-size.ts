/** RWS-051: the message size limit (catalogue R1). One 1 MiB message; with --aggressive also 16 MiB. */
import type { CheckDefinition, Evidence } from '../../types.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import { probe, type ProbeResult } from './probe.js';

const MiB = 1024 * 1024;

/** A valid JSON request (`rooms`) padded with whitespace to exactly `bytes` bytes. */
export function paddedRequest(id: string, bytes: number): Buffer {
  const body = JSON.stringify({ type: 'rooms', id });
  return Buffer.from(`{${' '.repeat(Math.max(0, bytes - Buffer.byteLength(body)))}${body.slice(1)}`, 'utf8');
}

function label(bytes: number): string {
  return `${bytes / MiB} MiB`;
}

export const messageSizeCheck: CheckDefinition = {
  id: 'RWS-051',
  title: 'No message size limit (≥ 1 MiB accepted)',
  category: 'framing',
  severity: 'medium',
  cwe: 770,
  catalogue: ['R1'],
  description:
    'Sends one 1 MiB text message (a valid JSON request padded with spaces) followed by a marker ping. A server with a sane limit (OWASP: 64 KB or less) closes 1009 (1008/1002 also count); answering the marker or no close within the timeout means the whole message was buffered. With --aggressive, a 16 MiB message follows on a fresh connection when 1 MiB was accepted. Reports the largest accepted size. Waits at most the scan timeout plus one second per MiB sent.',
  remediation:
    'Set a message limit that fits the protocol (ws maxPayload, default 100 MiB, is far too high for chat; Rampart uses 16 KiB) and close 1009 beyond it, counting reassembled fragments and inflated bytes.',
  async run(ctx) {
    const sizes = ctx.options.aggressive ? [MiB, 16 * MiB] : [MiB];
    let largestAccepted = 0;
    const evidence: Evidence[] = [];
    let refusal: ProbeResult | undefined;
    for (const size of sizes) {
      await ctx.pace();
      const frame = buildFrame({ opcode: Opcode.TEXT, payload: paddedRequest(`rws-051-${size}`, size) });
      const r = await probe(ctx, `${label(size)} text message`, frame, { waitMs: ctx.options.timeoutMs + Math.ceil(size / MiB) * 1000 });
      if ('error' in r) return { status: 'error', message: r.error };
      r.evidence.sent = `${toHex(frame, 14)} | marker ping`;
      evidence.push(r.evidence);
      if (r.verdict === 'closed') {
        refusal = r;
        break;
      }
      largestAccepted = size;
    }
    if (largestAccepted === 0) {
      const code = refusal?.close.closeFrameReceived ? `close ${refusal.close.code ?? 'without code'}` : 'TCP cut';
      return { status: 'pass', note: `a 1 MiB message is refused (${code})`, evidence };
    }
    const more = ctx.options.aggressive ? '' : ' (larger sizes are tried only with --aggressive)';
    return {
      status: 'fail',
      findings: [
        {
          message: `The server accepts messages of at least ${label(largestAccepted)} without closing 1009${more}; every connection can make it buffer that much`,
          evidence,
        },
      ],
    };
  },
};

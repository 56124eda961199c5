/** RWS-060: a permessage-deflate decompression bomb (catalogue R2). Aggressive; only when deflate is negotiated. */
import { createDeflateRaw, constants as zlib } from 'node:zlib';
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import { DEFLATE_OFFER, parseDeflate } from '../framing/compression.js';
import { openSocket, probeOn } from '../framing/probe.js';

/** What the bomb inflates to: 64 MiB of `a`. */
export const BOMB_INFLATED_BYTES = 64 * 1024 * 1024;
const MiB = 1024 * 1024;
const cache = new Map<number, Buffer>();

/**
 * One permessage-deflate message body (RFC 7692 §7.2.1: raw DEFLATE, sync-flushed, the trailing
 * `00 00 ff ff` removed) that inflates to `BOMB_INFLATED_BYTES` bytes of `a` (~64 KiB on the wire).
 * Streamed through zlib 1 MiB at a time, so the scanner never holds the inflated bytes.
 */
export async function deflateBomb(windowBits = 15): Promise<Buffer> {
  const bits = Math.min(15, Math.max(9, windowBits));
  const cached = cache.get(bits);
  if (cached) return cached;
  const deflate = createDeflateRaw({ level: 9, memLevel: 9, windowBits: bits });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const block = Buffer.alloc(MiB, 0x61);
  for (let written = 0; written < BOMB_INFLATED_BYTES; written += MiB) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  await new Promise<void>((resolve) => deflate.flush(zlib.Z_SYNC_FLUSH, () => resolve()));
  deflate.close();
  let body = Buffer.concat(chunks);
  if (body.subarray(-4).equals(Buffer.from([0x00, 0x00, 0xff, 0xff]))) body = body.subarray(0, -4);
  cache.set(bits, body);
  return body;
}

export const decompressionBombCheck: CheckDefinition = {
  id: 'RWS-060',
  title: 'Decompression bomb accepted',
  category: 'resources',
  severity: 'high',
  cwe: 409,
  catalogue: ['R2'],
  aggressive: true,
  description: `Offers \`${DEFLATE_OFFER}\`; when the server negotiates it, sends ONE compressed text frame (RSV1) of ~64 KiB that inflates to 64 MiB, followed by a marker ping. A server that caps the inflated size closes 1009 (1008 also counts) without inflating everything. Answering the marker (or no close within the timeout + 3 s) means the bomb was inflated — one connection can make the server allocate 1 000× what it sent. A crash is caught by the liveness canary after the check. Not negotiated → pass (no decompression surface).`,
  remediation:
    'Keep permessage-deflate off unless needed. If on, apply the message limit to the inflated size and stop inflating as soon as it is exceeded (ws does this with maxPayload; Centrifugo decompressed_message_size_limit), then close 1009.',
  async run(ctx) {
    await ctx.pace();
    const opened = await openSocket(ctx, { set: { 'Sec-WebSocket-Extensions': DEFLATE_OFFER } });
    if (!opened.ok) return { status: 'error', message: opened.reason };
    const socket = opened.socket;
    try {
      const params = parseDeflate(socket.extensions);
      const handshake = { label: 'handshake offering permessage-deflate', sent: `Sec-WebSocket-Extensions: ${DEFLATE_OFFER}`, received: `Sec-WebSocket-Extensions: ${socket.extensions ?? '(absent: declined)'}` };
      if (!params.negotiated) return { status: 'pass', note: 'permessage-deflate is not negotiated: no decompression surface', evidence: [handshake] };
      const body = await deflateBomb(params.clientMaxWindowBits);
      const frame = buildFrame({ opcode: Opcode.TEXT, rsv1: true, payload: body });
      const r = await probeOn(ctx, socket, `compressed text frame (${body.length} bytes) inflating to ${BOMB_INFLATED_BYTES / MiB} MiB`, frame, {
        waitMs: ctx.options.timeoutMs + 3000,
      });
      r.evidence.sent = `${toHex(frame, 16)} (RSV1 set; ${frame.length} bytes deflated → ${BOMB_INFLATED_BYTES} bytes inflated) | marker ping`;
      const evidence = [handshake, r.evidence];
      if (r.verdict === 'closed') {
        const code = r.close.closeFrameReceived ? r.close.code : undefined;
        if (!r.close.closeFrameReceived || code === 1009 || code === 1008) {
          return { status: 'pass', note: `the bomb was refused (${code === undefined ? 'TCP cut' : `close ${code}`} after ${r.reactedMs ?? '?'} ms)`, evidence };
        }
        return {
          status: 'fail',
          findings: [
            {
              message: `The server closed the connection with ${code ?? 'no code'} instead of 1009 after the decompression bomb; it may have inflated the whole message before refusing it`,
              severity: 'info',
              evidence,
            },
          ],
        };
      }
      const how = r.verdict === 'accepted' ? 'inflated it and went on (the marker ping was answered)' : `did not close within ${ctx.options.timeoutMs + 3000} ms`;
      return {
        status: 'fail',
        findings: [{ message: `The server accepted a decompression bomb: a ${frame.length}-byte frame inflating to ${BOMB_INFLATED_BYTES / MiB} MiB was not refused with 1009; it ${how}`, evidence }],
      };
    } finally {
      socket.destroy();
    }
  },
};

/** RWS-052: permessage-deflate negotiated (RFC 7692 §8; catalogue R3, R4). */
import type { CheckDefinition } from '../../types.js';
import { openSocket } from './probe.js';

export const DEFLATE_OFFER = 'permessage-deflate; client_max_window_bits';

export interface DeflateParams {
  negotiated: boolean;
  header: string | undefined;
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** client_max_window_bits the server asked for (our compressor must respect it), default 15. */
  clientMaxWindowBits: number;
  serverMaxWindowBits: number;
}

/** Parses the permessage-deflate answer of a 101 (first offer accepted). */
export function parseDeflate(header: string | undefined): DeflateParams {
  const none: DeflateParams = { negotiated: false, header, serverNoContextTakeover: false, clientNoContextTakeover: false, clientMaxWindowBits: 15, serverMaxWindowBits: 15 };
  if (!header) return none;
  const ext = header
    .split(',')
    .map((e) => e.split(';').map((p) => p.trim()))
    .find((parts) => parts[0]?.toLowerCase() === 'permessage-deflate');
  if (!ext) return none;
  const params = new Map<string, string | true>();
  for (const p of ext.slice(1)) {
    const [k, v] = p.split('=').map((x) => x.trim());
    if (k) params.set(k.toLowerCase(), v === undefined ? true : v.replace(/^"|"$/g, ''));
  }
  const bits = (name: string): number => {
    const v = params.get(name);
    const n = typeof v === 'string' ? Number(v) : 15;
    return Number.isInteger(n) && n >= 8 && n <= 15 ? n : 15;
  };
  return {
    negotiated: true,
    header,
    serverNoContextTakeover: params.has('server_no_context_takeover'),
    clientNoContextTakeover: params.has('client_no_context_takeover'),
    clientMaxWindowBits: bits('client_max_window_bits'),
    serverMaxWindowBits: bits('server_max_window_bits'),
  };
}

export const compressionCheck: CheckDefinition = {
  id: 'RWS-052',
  title: 'permessage-deflate enabled',
  category: 'framing',
  severity: 'low',
  catalogue: ['R3', 'R4'],
  description: `Opens one baseline connection offering \`Sec-WebSocket-Extensions: ${DEFLATE_OFFER}\` and reads the 101. Compression mixes attacker-chosen text with secrets in one compression context (CRIME/BREACH-style length leaks, RFC 7692 §8) and costs ~300 KiB of zlib state per connection with context takeover; it also opens the decompression-bomb surface (RWS-060). Declined → pass. Accepted → low, with the context-takeover parameters the server chose.`,
  remediation:
    'Leave permessage-deflate off unless measurements show it is needed (OWASP; ws and Socket.IO servers default to off). If it must be on: server_no_context_takeover and client_no_context_takeover, small window bits, a concurrency limit, and an inflate cap equal to the message limit.',
  async run(ctx) {
    await ctx.pace();
    const opened = await openSocket(ctx, { set: { 'Sec-WebSocket-Extensions': DEFLATE_OFFER } });
    if (!opened.ok) return { status: 'error', message: opened.reason };
    const socket = opened.socket;
    socket.destroy();
    const params = parseDeflate(socket.extensions);
    const evidence = {
      label: 'handshake offering permessage-deflate',
      sent: `Sec-WebSocket-Extensions: ${DEFLATE_OFFER}`,
      received: `${socket.statusLine}; Sec-WebSocket-Extensions: ${socket.extensions ?? '(absent: declined)'}`,
    };
    if (!params.negotiated) return { status: 'pass', note: 'permessage-deflate is declined', evidence: [evidence] };
    const takeover: string[] = [];
    if (!params.serverNoContextTakeover) takeover.push('the server keeps its compression context across messages (no server_no_context_takeover): secrets and attacker-chosen text share one history');
    if (!params.clientNoContextTakeover) takeover.push('clients may keep theirs (no client_no_context_takeover): the server holds an inflate window per connection for its lifetime');
    const note = takeover.length > 0 ? `; ${takeover.join('; ')}` : '; both sides reset the context per message (server_ and client_no_context_takeover), which limits but does not remove the risks';
    return {
      status: 'fail',
      findings: [{ message: `permessage-deflate enabled: CRIME-style leaks and memory cost${note}`, evidence: [evidence] }],
    };
  },
};

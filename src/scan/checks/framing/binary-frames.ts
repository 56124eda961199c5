/** RWS-049: binary frames on a text-only protocol (RFC 6455 §7.4.1; catalogue F13). Informational. */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { harmlessJson, probe } from './probe.js';

export const binaryFramesCheck: CheckDefinition = {
  id: 'RWS-049',
  title: 'Binary frames accepted on a text protocol',
  category: 'framing',
  severity: 'info',
  catalogue: ['F13'],
  description:
    'Sends a binary frame holding a harmless JSON request, then a marker ping. Only a target known to speak a text-only protocol (the rampart profile) is expected to close 1003; a generic endpoint may accept binary data legitimately, so there the result is only noted.',
  remediation:
    'If the protocol is text-only, close 1003 on binary frames (RFC 6455 §7.4.1) instead of passing them to a handler that expects text; if binary is part of the protocol, validate it by type and size.',
  async run(ctx) {
    await ctx.pace();
    const r = await probe(ctx, 'binary frame with a JSON request', buildFrame({ opcode: Opcode.BINARY, payload: harmlessJson('rws-049') }));
    if ('error' in r) return { status: 'error', message: r.error };
    if (r.verdict === 'closed') {
      return { status: 'pass', note: `binary frame refused (${r.close.closeFrameReceived ? `close ${r.close.code ?? 'without code'}` : 'TCP cut'})`, evidence: [r.evidence] };
    }
    if (ctx.rampart) {
      return {
        status: 'fail',
        findings: [{ message: 'A text-only (rampart profile) target accepted a binary frame instead of closing 1003', evidence: [r.evidence] }],
      };
    }
    return { status: 'pass', note: 'binary frames are accepted (legitimate for a generic endpoint; use the rampart profile to require 1003)', evidence: [r.evidence] };
  },
};

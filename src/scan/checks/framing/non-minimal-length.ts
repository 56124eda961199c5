/** RWS-050: non-minimal length encodings (RFC 6455 §5.2; catalogue F14). Informational only. */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { harmlessJson, probe, type ProbeResult } from './probe.js';

export const nonMinimalLengthCheck: CheckDefinition = {
  id: 'RWS-050',
  title: 'Non-minimal length encoding tolerated',
  category: 'framing',
  severity: 'info',
  catalogue: ['F14'],
  description:
    'Sends a short text frame whose length is written in the 16-bit form (`81 fe 00 23 m …`) and, on a second connection, in the 64-bit form, each followed by a marker ping. RFC 6455 §5.2 says the minimal encoding MUST be used, but tolerating it is common (ws does) and harmless; accepting or closing 1002 are both fine, so this is reported as information only.',
  remediation: 'Nothing required. A strict parser may close 1002 on non-minimal lengths; a tolerant one must still apply its size limits to the declared value.',
  async run(ctx) {
    const results: ProbeResult[] = [];
    for (const encoding of ['16', '64'] as const) {
      await ctx.pace();
      const payload = harmlessJson(`rws-050-${encoding}`);
      const r = await probe(ctx, `text frame with a ${encoding}-bit length field for a ${payload.length}-byte payload`, buildFrame({ opcode: Opcode.TEXT, payload, lengthEncoding: encoding }));
      if ('error' in r) return { status: 'error', message: r.error };
      results.push(r);
    }
    const accepted = results.filter((r) => r.verdict !== 'closed');
    if (accepted.length === 0) return { status: 'pass', note: 'non-minimal length encodings are refused (strict parser)', evidence: results.map((r) => r.evidence) };
    return {
      status: 'fail',
      findings: [
        {
          message: `The server tolerates non-minimal length encodings (${accepted.map((r) => r.evidence.label).join('; ')}); RFC 6455 requires minimal encoding, but this is harmless`,
          evidence: accepted.map((r) => r.evidence),
        },
      ],
    };
  },
};

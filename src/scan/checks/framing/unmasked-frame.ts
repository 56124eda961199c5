/** RWS-040: an unmasked client frame must fail the connection (RFC 6455 §5.1; catalogue F1). */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { codesSeen, harmlessJson, outcomeOf, runCases } from './probe.js';

export const unmaskedFrameCheck: CheckDefinition = {
  id: 'RWS-040',
  title: 'Unmasked client frame accepted',
  category: 'framing',
  severity: 'medium',
  cwe: 20,
  catalogue: ['F1'],
  description:
    'Sends one text frame without the MASK bit (`81 1f {"type":"rooms",…}`), then a masked marker ping. RFC 6455 §5.1 requires the server to fail the connection (close 1002) on an unmasked client frame; answering the marker ping means the frame was processed. Unmasked client data is what makes the §10.3 proxy cache-poisoning attack possible. One connection, one round trip.',
  remediation:
    'Use a WebSocket library that enforces masking (ws does: close 1002); never turn masking checks off for "performance". A hand-written frame parser must close 1002 on MASK=0 from a client.',
  async run(ctx) {
    const result = await runCases(ctx, [
      {
        name: 'unmasked text frame',
        bytes: buildFrame({ opcode: Opcode.TEXT, payload: harmlessJson('rws-040'), mask: null }),
        expected: [1002],
        finding: 'The server processed an unmasked client frame instead of failing the connection',
      },
    ]);
    if ('error' in result) return { status: 'error', message: result.error };
    return outcomeOf(result.results, `unmasked frame refused (${codesSeen(result.results)})`);
  },
};

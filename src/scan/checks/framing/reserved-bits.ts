/** RWS-041: RSV1/RSV2/RSV3 set without a negotiated extension must fail the connection (RFC 6455 §5.2; catalogue F2). */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { codesSeen, harmlessJson, outcomeOf, runCases } from './probe.js';

export const reservedBitsCheck: CheckDefinition = {
  id: 'RWS-041',
  title: 'Reserved bits (RSV1–3) accepted',
  category: 'framing',
  severity: 'low',
  cwe: 20,
  catalogue: ['F2'],
  description:
    'On three connections (no extension offered, so no RSV bit has a meaning) sends a text frame with RSV1 (`c1 …`), RSV2 (`a1 …`) and RSV3 (`91 …`), each followed by a marker ping. RFC 6455 §5.2: a non-zero reserved bit without a negotiated extension fails the connection (close 1002). Servers that ignore them mis-parse compressed or extension data and are easy to fingerprint.',
  remediation:
    'Fail the connection with close 1002 on any RSV bit that no negotiated extension defines (ws does this by default). With permessage-deflate, RSV1 is legal only on the first frame of a data message.',
  async run(ctx) {
    const cases = (['rsv1', 'rsv2', 'rsv3'] as const).map((bit) => ({
      name: `text frame with ${bit.toUpperCase()}`,
      bytes: buildFrame({ opcode: Opcode.TEXT, payload: harmlessJson(`rws-041-${bit}`), [bit]: true }),
      expected: [1002],
      finding: 'The server accepted frames with reserved bits set although no extension was negotiated',
    }));
    const result = await runCases(ctx, cases);
    if ('error' in result) return { status: 'error', message: result.error };
    return outcomeOf(result.results, `every RSV bit refused (${codesSeen(result.results)})`);
  },
};

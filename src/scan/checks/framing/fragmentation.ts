/** RWS-046: fragmentation state violations must fail the connection (RFC 6455 §5.4; catalogue F7). */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { codesSeen, outcomeOf, runCases } from './probe.js';

const FINDING = 'The server accepted frames that break the fragmentation rules (messages can be merged or desynchronised)';

export const fragmentationCheck: CheckDefinition = {
  id: 'RWS-046',
  title: 'Fragmentation state violations accepted',
  category: 'framing',
  severity: 'low',
  cwe: 20,
  catalogue: ['F7'],
  description:
    'Three connections, each followed by a marker ping (control frames may legally interleave with fragments): a continuation frame with no message open (`80 80 m`); a new text frame while a fragmented one is open (`01 81 m 61`, `01 81 m 62`); and a continuation after the message was finished. RFC 6455 §5.4: each fails the connection (close 1002); accepting them lets messages merge or a parser desynchronise.',
  remediation: 'Track the open message per connection and close 1002 on an orphan continuation or on a new data frame before FIN (ws does this by default).',
  async run(ctx) {
    const result = await runCases(ctx, [
      { name: 'continuation with no message open', bytes: buildFrame({ opcode: Opcode.CONTINUATION }), expected: [1002], finding: FINDING },
      {
        name: 'new text frame while a fragmented message is open',
        bytes: Buffer.concat([buildFrame({ opcode: Opcode.TEXT, fin: false, payload: 'a' }), buildFrame({ opcode: Opcode.TEXT, fin: false, payload: 'b' })]),
        expected: [1002],
        finding: FINDING,
      },
      {
        name: 'continuation after the message was finished',
        bytes: Buffer.concat([
          buildFrame({ opcode: Opcode.TEXT, fin: false, payload: '{"type":"rooms",' }),
          buildFrame({ opcode: Opcode.CONTINUATION, fin: true, payload: '"id":"rws-046"}' }),
          buildFrame({ opcode: Opcode.CONTINUATION, fin: true, payload: ' ' }),
        ]),
        expected: [1002],
        finding: FINDING,
      },
    ]);
    if ('error' in result) return { status: 'error', message: result.error };
    return outcomeOf(result.results, `every fragmentation violation refused (${codesSeen(result.results)})`);
  },
};

/** RWS-042: reserved opcodes must fail the connection (RFC 6455 §5.2; catalogue F3). */
import type { CheckDefinition } from '../../types.js';
import { buildFrame } from '../../wire/frame.js';
import { codesSeen, outcomeOf, runCases } from './probe.js';

export const reservedOpcodesCheck: CheckDefinition = {
  id: 'RWS-042',
  title: 'Reserved opcodes accepted',
  category: 'framing',
  severity: 'low',
  cwe: 20,
  catalogue: ['F3'],
  description:
    'Sends an empty frame with each of the reserved opcodes 0x3, 0x7 (data) and 0xB, 0xF (control) — `83 80 m`, `87 80 m`, `8b 80 m`, `8f 80 m` — each on its own connection followed by a marker ping. RFC 6455 §5.2: an unknown opcode fails the connection (close 1002).',
  remediation: 'Fail the connection with close 1002 on any opcode RFC 6455 does not define (ws does this by default).',
  async run(ctx) {
    const cases = [0x3, 0x7, 0xb, 0xf].map((opcode) => ({
      name: `reserved opcode 0x${opcode.toString(16)}`,
      bytes: buildFrame({ opcode }),
      expected: [1002],
      finding: 'The server ignored or processed frames with reserved opcodes instead of failing the connection',
    }));
    const result = await runCases(ctx, cases);
    if ('error' in result) return { status: 'error', message: result.error };
    return outcomeOf(result.results, `every reserved opcode refused (${codesSeen(result.results)})`);
  },
};

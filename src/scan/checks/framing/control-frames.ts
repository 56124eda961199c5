/** RWS-043: oversized, fragmented and malformed control frames must fail the connection (RFC 6455 §5.5; catalogue F4). */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { codesSeen, outcomeOf, runCases } from './probe.js';

export const controlFramesCheck: CheckDefinition = {
  id: 'RWS-043',
  title: 'Invalid control frames accepted',
  category: 'framing',
  severity: 'medium',
  cwe: 20,
  catalogue: ['F4'],
  description:
    'Three connections: a ping with a 126-byte payload (`89 fe 00 7e m …`), a ping with FIN=0 (`09 80 m`), each followed by a marker ping, and a close frame with a 1-byte body (`88 81 m 03`). RFC 6455 §5.5: control frames carry at most 125 bytes and are never fragmented, and a close body is empty or at least 2 bytes; each violation fails the connection (close 1002). A parser that sizes buffers from a control frame length is the Tomcat CVE-2020-13935 class.',
  remediation:
    'Check control frames as soon as the header is read: payload length ≤ 125, FIN set, close body length ≠ 1; fail with close 1002 (ws does this by default).',
  async run(ctx) {
    const result = await runCases(ctx, [
      {
        name: 'ping with a 126-byte payload',
        bytes: buildFrame({ opcode: Opcode.PING, payload: Buffer.alloc(126, 0x61) }),
        expected: [1002],
        finding: 'The server accepted control frames that RFC 6455 §5.5 forbids',
      },
      {
        name: 'fragmented ping (FIN=0)',
        bytes: buildFrame({ opcode: Opcode.PING, fin: false }),
        expected: [1002],
        finding: 'The server accepted control frames that RFC 6455 §5.5 forbids',
      },
      {
        name: 'close frame with a 1-byte body',
        bytes: buildFrame({ opcode: Opcode.CLOSE, payload: Buffer.from([0x03]) }),
        expected: [1002],
        closeFrameProbe: true,
        severity: 'low',
        finding: 'The server answered a malformed close frame (1-byte body) as if it were valid instead of closing with 1002',
      },
    ]);
    if ('error' in result) return { status: 'error', message: result.error };
    return outcomeOf(result.results, `every invalid control frame refused (${codesSeen(result.results)})`);
  },
};

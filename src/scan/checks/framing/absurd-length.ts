/** RWS-044: a 64-bit payload length with the most significant bit set (RFC 6455 §5.2; catalogue F5). */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { codesSeen, outcomeOf, runCases } from './probe.js';

export const absurdLengthCheck: CheckDefinition = {
  id: 'RWS-044',
  title: 'Absurd 64-bit frame length not refused',
  category: 'framing',
  severity: 'medium',
  cwe: 1284,
  catalogue: ['F5'],
  description:
    'Sends a binary frame header whose 64-bit length has the most significant bit set (`82 ff 80 00 00 00 00 00 00 00 m`, no body) and, on a second connection, the Gorilla CVE-2020-27813 shape (a 1-byte fragment `02 81 m 41`, then a continuation declaring 2^63 bytes). RFC 6455 §5.2 says the MSB must be 0; a safe server closes at once (1002, or 1009 for "too big") and allocates nothing. Waiting for the body (no close within the timeout) means the length was taken at face value — the integer-overflow class of Tomcat CVE-2020-13935 and Gorilla CVE-2020-27813. Each probe waits at most the scan timeout.',
  remediation:
    'Reject a 64-bit length with the MSB set (close 1002) and any declared length above the message limit (close 1009) as soon as the header is read; use a maintained library (ws closes 1009 for lengths above 2^53−1 or maxPayload).',
  async run(ctx) {
    const msb = 1n << 63n;
    const result = await runCases(ctx, [
      {
        name: 'binary frame declaring 2^63 bytes',
        bytes: buildFrame({ opcode: Opcode.BINARY, declaredLength: msb, lengthEncoding: '64' }),
        expected: [1002, 1009],
        marker: false,
        finding: 'The server did not refuse a frame whose 64-bit length has the most significant bit set; it waits for (or tries to allocate) the body',
      },
      {
        name: 'continuation declaring 2^63 bytes after a 1-byte fragment',
        bytes: Buffer.concat([
          buildFrame({ opcode: Opcode.BINARY, fin: false, payload: Buffer.from('A') }),
          buildFrame({ opcode: Opcode.CONTINUATION, declaredLength: msb, lengthEncoding: '64' }),
        ]),
        expected: [1002, 1009],
        marker: false,
        finding: 'The server did not refuse a frame whose 64-bit length has the most significant bit set; it waits for (or tries to allocate) the body',
      },
    ]);
    if ('error' in result) return { status: 'error', message: result.error };
    return outcomeOf(result.results, `absurd lengths refused at once (${codesSeen(result.results)})`);
  },
};

/** RWS-045: a frame header declaring 256 MiB, then a stall (RFC 6455 §10.4; catalogue F6). */
import type { CheckDefinition } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { codesSeen, outcomeOf, runCases } from './probe.js';

export const declaredLengthCheck: CheckDefinition = {
  id: 'RWS-045',
  title: 'Frame declaring 256 MiB not refused',
  category: 'framing',
  severity: 'medium',
  cwe: 770,
  catalogue: ['F6'],
  description:
    'Sends only the header of a binary frame declaring 256 MiB (`82 ff 00 00 00 00 10 00 00 00 m`) and then nothing. A server with a sane message limit closes right after the header (1009; 1002 or 1008 also fail the connection). No close within the scan timeout means the server waits for — or preallocates — a 256 MiB body on an attacker\'s word. One connection, waits at most the scan timeout.',
  remediation:
    'Compare the declared length with the message limit before reading the body and close 1009 at once (ws: maxPayload, checked on the header; Rampart: maxMessageBytes, 16 KiB). Never allocate from a declared length.',
  async run(ctx) {
    const result = await runCases(ctx, [
      {
        name: 'binary frame header declaring 256 MiB, then a stall',
        bytes: buildFrame({ opcode: Opcode.BINARY, declaredLength: 256 * 1024 * 1024 }),
        expected: [1009, 1002, 1008],
        marker: false,
        finding: 'The server waits for (or allocates) huge frames: a header declaring 256 MiB was not refused',
      },
    ]);
    if ('error' in result) return { status: 'error', message: result.error };
    return outcomeOf(result.results, `256 MiB header refused at once (${codesSeen(result.results)})`);
  },
};

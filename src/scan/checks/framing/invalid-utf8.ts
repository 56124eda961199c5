/** RWS-047: invalid UTF-8 in text frames and close reasons (RFC 6455 §5.6, §8.1; catalogue F10). */
import type { CheckDefinition, FindingDetail } from '../../types.js';
import { buildFrame, closePayload, Opcode } from '../../wire/frame.js';
import { codesSeen, outcomeOf, probe, runCases, type MustCloseCase } from './probe.js';

const FINDING = 'The server accepted invalid UTF-8 in text messages instead of failing the connection with 1007';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** `{"type":"rooms","id":"<bytes>"}` with raw bytes in the id, so a lax JSON server sees a harmless request. */
function textWith(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from('{"type":"rooms","id":"rws-047-'), bytes, Buffer.from('"}')]);
}

export const invalidUtf8Check: CheckDefinition = {
  id: 'RWS-047',
  title: 'Invalid UTF-8 accepted',
  category: 'framing',
  severity: 'medium',
  cwe: 176,
  catalogue: ['F10'],
  description:
    'Sends text frames carrying invalid UTF-8 — a bad continuation `c3 28`, an overlong `c0 af`, a surrogate `ed a0 80`, a code point above U+10FFFF `f4 90 80 80`, and an invalid sequence split over two fragments — each on its own connection with a marker ping, and a close frame whose reason is `c3 28`. RFC 6455 §8.1 requires failing the connection (close 1007; 1002 is also seen). Counter-test: a valid 4-byte character split across two fragments must be accepted (§5.6 validates the whole message, not each fragment).',
  remediation:
    'Validate UTF-8 over the whole reassembled text message and over close reasons, strictly (no overlongs, surrogates or code points above U+10FFFF), and close 1007 on failure; never enable ws skipUTF8Validation for untrusted clients. Validate incrementally so a character split across fragments is still accepted.',
  async run(ctx) {
    const cases: MustCloseCase[] = [
      ['C3 28 (bad continuation byte)', 'c3 28'],
      ['C0 AF (overlong encoding)', 'c0 af'],
      ['ED A0 80 (UTF-16 surrogate)', 'ed a0 80'],
      ['F4 90 80 80 (above U+10FFFF)', 'f4 90 80 80'],
    ].map(([name, bytes]) => ({
      name: `text frame with ${name}`,
      bytes: buildFrame({ opcode: Opcode.TEXT, payload: textWith(hex(bytes!)) }),
      expected: [1007, 1002],
      finding: FINDING,
    }));
    cases.push({
      name: 'invalid sequence split across two fragments (F0 9F | 28 28)',
      bytes: Buffer.concat([
        buildFrame({ opcode: Opcode.TEXT, fin: false, payload: Buffer.concat([Buffer.from('{"type":"rooms","id":"rws-047-'), hex('f0 9f')]) }),
        buildFrame({ opcode: Opcode.CONTINUATION, fin: true, payload: Buffer.concat([hex('28 28'), Buffer.from('"}')]) }),
      ]),
      expected: [1007, 1002],
      finding: FINDING,
    });
    cases.push({
      name: 'close frame 1000 with reason C3 28',
      bytes: buildFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000, hex('c3 28')) }),
      expected: [1007, 1002],
      closeFrameProbe: true,
      finding: 'The server accepted a close frame whose reason is invalid UTF-8 (expected close 1007)',
    });
    const result = await runCases(ctx, cases);
    if ('error' in result) return { status: 'error', message: result.error };

    // Counter-test: U+1F600 (f0 9f 98 80) cut in the middle, in a harmless request.
    await ctx.pace();
    const data = textWith(Buffer.from('\u{1F600}', 'utf8'));
    const cut = data.indexOf(hex('f0 9f 98 80')) + 2;
    const counter = await probe(ctx, 'valid U+1F600 split across two fragments', [
      Buffer.concat([
        buildFrame({ opcode: Opcode.TEXT, fin: false, payload: data.subarray(0, cut) }),
        buildFrame({ opcode: Opcode.CONTINUATION, fin: true, payload: data.subarray(cut) }),
      ]),
    ]);
    if ('error' in counter) return { status: 'error', message: `counter-test: ${counter.error}` };

    const outcome = outcomeOf(result.results, `invalid UTF-8 refused (${codesSeen(result.results)}); a valid character split across fragments is accepted`);
    if (counter.verdict !== 'closed') {
      if (outcome.status === 'pass') outcome.evidence = [...(outcome.evidence ?? []), counter.evidence];
      return outcome;
    }
    const counterFinding: FindingDetail = {
      message: 'The server rejects valid UTF-8 split across fragments (it validates each fragment instead of the message), which breaks legitimate clients',
      severity: 'low',
      evidence: [counter.evidence],
    };
    if (outcome.status === 'fail') return { status: 'fail', findings: [...outcome.findings, counterFinding] };
    return { status: 'fail', findings: [counterFinding] };
  },
};

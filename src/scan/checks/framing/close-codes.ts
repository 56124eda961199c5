/** RWS-048: invalid close codes must be refused, not echoed (RFC 6455 §7.4; catalogue F11). */
import type { CheckDefinition, FindingDetail } from '../../types.js';
import { buildFrame, closePayload, Opcode } from '../../wire/frame.js';
import { probe, type ProbeResult } from './probe.js';

const INVALID = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] as const;
const VALID = [1000, 3000, 4999] as const;

export const closeCodesCheck: CheckDefinition = {
  id: 'RWS-048',
  title: 'Invalid close codes echoed',
  category: 'framing',
  severity: 'low',
  cwe: 20,
  catalogue: ['F11'],
  description:
    'Sends close frames with the codes RFC 6455 §7.4 and the IANA registry do not allow on the wire — 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000 — one connection each; the server must fail the connection (close 1002) rather than echo the code (1005/1006/1015 must never appear on the wire). Controls: 1000, 3000 and 4999 are valid and should be echoed.',
  remediation:
    'Validate the status code of a received close frame (1000–1003, 1007–1014, 3000–4999) and close 1002 otherwise; never echo a code without checking it (ws isValidStatusCode does this).',
  async run(ctx) {
    const echoed: ProbeResult[] = [];
    const other: ProbeResult[] = [];
    const refused: string[] = [];
    const evidence = [];
    for (const code of INVALID) {
      await ctx.pace();
      const r = await probe(ctx, `close frame with invalid code ${code}`, buildFrame({ opcode: Opcode.CLOSE, payload: closePayload(code) }), { marker: false });
      if ('error' in r) return { status: 'error', message: r.error };
      evidence.push(r.evidence);
      const answered = r.close.closeFrameReceived ? r.close.code : undefined;
      if (!r.close.closeFrameReceived && r.verdict === 'closed') refused.push(`${code}→TCP cut`);
      else if (answered === 1002) refused.push(`${code}→1002`);
      else if (answered === code) echoed.push(r);
      else other.push(r);
    }
    const overStrict: ProbeResult[] = [];
    for (const code of VALID) {
      await ctx.pace();
      const r = await probe(ctx, `close frame with valid code ${code}`, buildFrame({ opcode: Opcode.CLOSE, payload: closePayload(code) }), { marker: false });
      if ('error' in r) return { status: 'error', message: r.error };
      evidence.push(r.evidence);
      if (r.close.closeFrameReceived && r.close.code === 1002) overStrict.push(r);
    }
    const findings: FindingDetail[] = [];
    if (echoed.length > 0) {
      findings.push({
        message: `The server echoed ${echoed.length} invalid close code(s) back instead of failing the connection with 1002 (${echoed.map((r) => r.evidence.label).join('; ')})`,
        evidence: echoed.map((r) => r.evidence),
      });
    }
    if (other.length > 0) {
      findings.push({
        message: `The server answered ${other.length} invalid close code(s) with a normal close instead of 1002 (${other.map((r) => r.evidence.label).join('; ')})`,
        severity: 'info',
        evidence: other.map((r) => r.evidence),
      });
    }
    if (overStrict.length > 0) {
      findings.push({
        message: `The server refused valid close code(s) with 1002 (${overStrict.map((r) => r.evidence.label).join('; ')}); interoperability issue only`,
        severity: 'info',
        evidence: overStrict.map((r) => r.evidence),
      });
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `invalid close codes refused (${refused.join(', ')}); valid ones echoed`, evidence };
  },
};

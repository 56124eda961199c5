/**
 * RWS-015 — legacy or unsupported WebSocket versions accepted (catalogue H11).
 *
 * One baseline handshake each with `Sec-WebSocket-Version:` 8 (hybi-08), 7, `13,14`, `13;` and
 * an empty value. `ws` accepts 8 by default and then reads the origin from Sec-WebSocket-Origin,
 * which Origin checks written for `Origin` miss.
 * Safe behaviour (RFC 6455 §4.4): 426 Upgrade Required with `Sec-WebSocket-Version: 13`. A 400
 * is a refusal too, reported as `info` only; a 101 is a finding.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { probeOpen } from '../http-probe.js';

export const legacyVersionsCheck: CheckDefinition = {
  id: 'RWS-015',
  title: 'Legacy or malformed Sec-WebSocket-Version accepted',
  category: 'handshake',
  severity: 'medium',
  cwe: 757,
  catalogue: ['H11'],
  description:
    'Sends handshakes with Sec-WebSocket-Version 8, 7, "13,14", "13;" and empty. Expects 426 with Sec-WebSocket-Version: 13 for each (400 is tolerated as info); a 101 is a finding.',
  remediation:
    'Accept only Sec-WebSocket-Version: 13 and answer anything else with 426 Upgrade Required and Sec-WebSocket-Version: 13 (with ws, check the version in your own upgrade handler: ws accepts hybi-08 and answers 400).',
  async run(ctx) {
    const versions: Array<{ label: string; value: string }> = [
      { label: 'version 8 (hybi-08)', value: '8' },
      { label: 'version 7 (hybi-07)', value: '7' },
      { label: 'version list 13,14', value: '13,14' },
      { label: 'version 13;', value: '13;' },
      { label: 'empty version', value: '' },
    ];
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];
    const notes: string[] = [];
    for (const version of versions) {
      const { result, evidence: item } = await probeOpen(ctx, version.label, { set: { 'Sec-WebSocket-Version': version.value } });
      evidence.push(item);
      if (result.ok) {
        result.socket.destroy();
        findings.push({
          message: `A handshake with Sec-WebSocket-Version: ${JSON.stringify(version.value)} was accepted (101): legacy or malformed protocol versions are negotiated${version.value === '8' ? ' (and hybi-08 carries the origin in Sec-WebSocket-Origin, which Origin checks miss)' : ''}.`,
          evidence: [item],
        });
      } else if (result.error.status === 426) {
        if (!/\b13\b/.test(result.error.headers?.['sec-websocket-version'] ?? '')) notes.push(`${version.label}: 426 without Sec-WebSocket-Version: 13`);
      } else if (result.error.status !== undefined) {
        notes.push(`${version.label}: ${result.error.status} instead of 426`);
      }
      await ctx.pace();
    }
    if (findings.length > 0) return { status: 'fail', findings };
    if (notes.length > 0) {
      return {
        status: 'fail',
        findings: [
          {
            message: `Unsupported versions were refused, but not as RFC 6455 §4.4 asks (426 Upgrade Required with Sec-WebSocket-Version: 13): ${notes.join('; ')}.`,
            severity: 'info',
            evidence,
          },
        ],
      };
    }
    return { status: 'pass', note: 'every unsupported version got 426 with Sec-WebSocket-Version: 13', evidence };
  },
};

/**
 * RWS-020 — Host header not validated / DNS rebinding (catalogue H13, CWE-346).
 *
 * 1. The baseline handshake with `Host: rws-rebind.evil.example[:port]` (Origin unchanged):
 *    does the server check Host at all?
 * 2. The pair a DNS-rebinding page produces: that Host and `Origin: <scheme>://rws-rebind.evil.example[:port]`
 *    (same-origin from the browser's point of view, so "Origin must match Host" checks pass it).
 * Safe behaviour: 403/400 for a Host the server does not serve (DESIGN.md; Node inspector
 * CVE-2018-7160). (2) accepted is medium on loopback/private targets, where rebinding is the
 * attack, low elsewhere; only (1) accepted is low (the Origin check still stops rebinding pages).
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { isLocalHost, probeOpen } from '../http-probe.js';

export const hostValidationCheck: CheckDefinition = {
  id: 'RWS-020',
  title: 'Host header not validated (DNS rebinding)',
  category: 'handshake',
  severity: 'medium',
  cwe: 346,
  catalogue: ['H13'],
  description:
    'Sends the baseline handshake with Host: rws-rebind.evil.example, then with that Host and the matching Origin (what a DNS-rebinding page sends). Expects 403/400 for a Host the server does not serve.',
  remediation:
    'Refuse (403) handshakes whose Host is not one of the names the server is published under (configured list; loopback names only for loopback listeners), and keep the exact Origin allowlist so a rebinding page is refused twice.',
  async run(ctx) {
    const portPart = ctx.url.port ? `:${ctx.url.port}` : '';
    const evilHost = `rws-rebind.evil.example${portPart}`;
    const evilOrigin = `${ctx.secure ? 'https' : 'http'}://${evilHost}`;
    const local = isLocalHost(ctx.url.hostname);
    const evidence: Evidence[] = [];

    const hostOnly = await probeOpen(ctx, 'foreign Host', { set: { Host: evilHost } });
    evidence.push(hostOnly.evidence);
    if (hostOnly.result.ok) hostOnly.result.socket.destroy();
    await ctx.pace();
    const rebind = await probeOpen(ctx, 'foreign Host with matching Origin (DNS rebinding)', { set: { Host: evilHost, Origin: evilOrigin } });
    evidence.push(rebind.evidence);
    if (rebind.result.ok) rebind.result.socket.destroy();

    const findings: FindingDetail[] = [];
    if (rebind.result.ok) {
      findings.push({
        message: `A handshake with Host: ${evilHost} and Origin: ${evilOrigin} was accepted (101). A page on a domain that rebinds to this server's address can open the socket as same-origin${local ? ' — this target is a loopback/private address, exactly what DNS rebinding reaches' : ''}.`,
        severity: local ? 'medium' : 'low',
        evidence: [rebind.evidence],
      });
    } else if (hostOnly.result.ok) {
      findings.push({
        message: `A handshake with Host: ${evilHost} was accepted (101): the Host header is not validated. The Origin check refused the rebinding pair, so this is defence in depth.`,
        severity: 'low',
        evidence: [hostOnly.evidence, rebind.evidence],
      });
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: 'handshakes for a foreign Host were refused', evidence };
  },
};

/**
 * RWS-013 — malformed Origin / Host crash or hang the server (catalogue H4, CWE-20).
 *
 * One handshake each (baseline otherwise): `Origin: http://[`, an Origin with a control byte,
 * a 4 KiB Origin, `Host: [`, `Host: <host>:99999`, an empty Host. After each, a fresh baseline
 * connection must still work (webpack-dev-server CVE-2026-14631 died on `Origin: http://[`).
 * Safe behaviour: 400/403 (or a dropped connection) and the server keeps answering. A 5xx is an
 * unhandled error path (low); no answer at all is a hang (medium); a dead server is high.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { hostHeader, probeOpen } from '../http-probe.js';

export const malformedOriginHostCheck: CheckDefinition = {
  id: 'RWS-013',
  title: 'Malformed Origin or Host header crashes or hangs the handshake',
  category: 'handshake',
  severity: 'medium',
  cwe: 20,
  catalogue: ['H4'],
  description:
    'Sends handshakes with Origin "http://[", an Origin containing a control byte, a 4 KiB Origin, Host "[", a Host with port 99999 and an empty Host; after each, checks that a fresh connection still works. Expects 400/403 and a live server.',
  remediation:
    'Parse Origin and Host defensively (try/catch around URL parsing, treat anything unparseable as not allowed) and refuse with 400/403; attach an error handler to every socket so one bad request cannot take the process down.',
  async run(ctx) {
    const host = ctx.url.hostname.includes(':') ? `[${ctx.url.hostname}]` : ctx.url.hostname;
    const probes: Array<{ label: string; set: Record<string, string> }> = [
      { label: 'Origin http://[', set: { Origin: 'http://[' } },
      { label: 'Origin with a control byte', set: { Origin: 'http://exa\x01mple.com' } },
      { label: 'Origin of 4 KiB', set: { Origin: `http://${'a'.repeat(4096)}.example` } },
      { label: 'Host [', set: { Host: '[' } },
      { label: 'Host with port 99999', set: { Host: `${host}:99999` } },
      { label: 'empty Host', set: { Host: '' } },
    ];
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];
    for (const probe of probes) {
      const { result, evidence: raw } = await probeOpen(ctx, probe.label, { set: probe.set });
      const item: Evidence = { ...raw, sent: (raw.sent ?? '').replace(/\x01/g, '\\x01') };
      evidence.push(item);
      if (result.ok) result.socket.destroy();
      else {
        if (result.error.kind === 'timeout') {
          findings.push({ message: `No answer within ${ctx.options.timeoutMs} ms to a handshake with ${probe.label}: the request hangs instead of being refused.`, evidence: [item] });
        } else if (result.error.status !== undefined && result.error.status >= 500) {
          findings.push({ message: `A handshake with ${probe.label} got ${result.error.statusLine}: an unhandled error path instead of a 400/403.`, severity: 'low', evidence: [item] });
        } else if (result.error.kind === 'connect') {
          findings.push({ message: `The server stopped accepting connections before the probe "${probe.label}".`, severity: 'high', evidence: [item] });
          break;
        }
      }
      await ctx.pace();
      const alive = await ctx.canary();
      if (!alive.ok) {
        findings.push({
          message: `After a handshake with ${probe.label} the server stopped answering (${alive.detail}): a malformed header crashes or wedges it.`,
          severity: 'high',
          evidence: [item, { label: 'canary', received: alive.detail }],
        });
        break;
      }
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `${probes.length} malformed Origin/Host handshakes refused or handled; the server kept answering (Host used: ${hostHeader(ctx.url)})`, evidence };
  },
};

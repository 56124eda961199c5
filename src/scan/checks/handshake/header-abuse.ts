/**
 * RWS-017 — header count and size abuse (catalogue H8, CWE-770).
 *
 * 1. A handshake with 2 500 small headers placed before Upgrade (ws < 8.17.1 crashed when
 *    Node's 2 000-header cap dropped Upgrade from req.headers, CVE-2024-37890).
 * 2. A handshake with one 64 KiB header.
 * After each, a fresh baseline connection must still work.
 * Safe behaviour: 400 or 431 (or a dropped connection) within the timeout, server alive.
 * A 101 means there is no header limit at all (low); a hang is medium; a crash is high.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildRequest, describeExchange, exchange, handshakeHeaders, requestTarget, showRequest } from '../http-probe.js';

export const headerAbuseCheck: CheckDefinition = {
  id: 'RWS-017',
  title: 'Oversized or overly many handshake headers not refused',
  category: 'handshake',
  severity: 'low',
  cwe: 770,
  catalogue: ['H8'],
  description:
    'Sends a handshake with 2 500 headers ahead of Upgrade, then one with a single 64 KiB header; checks liveness after each. Expects 400/431 (or a dropped connection) and a server that keeps answering.',
  remediation:
    'Cap the request head (Node maxHeaderSize, e.g. 16 KiB → 431) and keep ws ≥ 8.17.1 (CVE-2024-37890); answer oversized requests with 431 and close.',
  async run(ctx) {
    const target = requestTarget(ctx.url);
    const manyHeaders = (): string => {
      const base = handshakeHeaders(ctx);
      const pad: Array<[string, string]> = Array.from({ length: 2500 }, (_, i) => [`X-Rws-Pad-${i}`, 'a']);
      // Host first (a request needs it), then the padding, then the rest of the handshake.
      return buildRequest(`GET ${target} HTTP/1.1`, [base[0]!, ...pad, ...base.slice(1)]);
    };
    const bigHeader = (): string => buildRequest(`GET ${target} HTTP/1.1`, [...handshakeHeaders(ctx), ['X-Rws-Pad', 'a'.repeat(64 * 1024)]]);
    const probes = [
      { label: '2 500 headers before Upgrade', build: manyHeaders },
      { label: 'one 64 KiB header', build: bigHeader },
    ];
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];
    for (const probe of probes) {
      const request = probe.build();
      const result = await exchange(ctx, [request], { until: 'head', lingerMs: 100 });
      const item: Evidence = { label: probe.label, sent: showRequest(request, 600), received: describeExchange(result) };
      evidence.push(item);
      const first = result.responses[0];
      if (first) ctx.noteHeaders(probe.label, first.status, first.headers);
      if (result.connectError) {
        findings.push({ message: `The server stopped accepting connections before the probe "${probe.label}".`, severity: 'high', evidence: [item] });
        break;
      }
      if (first?.status === 101) {
        findings.push({ message: `A handshake with ${probe.label} was accepted (101): the server has no limit on request header size/count.`, evidence: [item] });
      } else if (first && first.status >= 500) {
        findings.push({ message: `A handshake with ${probe.label} got ${first.statusLine}: an error path instead of 400/431.`, evidence: [item] });
      } else if (!first && !result.closedByServer) {
        findings.push({ message: `A handshake with ${probe.label} got no answer within ${ctx.options.timeoutMs} ms and the connection stayed open.`, severity: 'medium', evidence: [item] });
      }
      await ctx.pace();
      const alive = await ctx.canary();
      if (!alive.ok) {
        findings.push({
          message: `After a handshake with ${probe.label} the server stopped answering (${alive.detail}).`,
          severity: 'high',
          evidence: [item, { label: 'canary', received: alive.detail }],
        });
        break;
      }
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: 'oversized header blocks refused; the server kept answering', evidence };
  },
};

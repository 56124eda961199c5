/**
 * RWS-019 — request smuggling behind a refused upgrade (catalogue H12, CWE-444).
 *
 * On one TCP connection, in one write: the baseline handshake with `Sec-WebSocket-Version: 1337`
 * (which must be refused), immediately followed by a second request `GET / HTTP/1.1`. A second
 * variant uses `Upgrade: h2c` (h2c smuggling). A reverse proxy that sees the first request as an
 * upgrade may keep the tunnel open; if the backend then answers the second request, internal
 * routes become reachable through the proxy (0ang3el/websocket-smuggle).
 * Safe behaviour: the refusal carries `Connection: close`, the server closes TCP, and nothing
 * after the refused request is answered. A 101 to either request is a finding too.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildRequest, describeExchange, exchange, handshakeHeaders, hostHeader, requestTarget, setHeader, showRequest } from '../http-probe.js';

export const refusedUpgradeSmugglingCheck: CheckDefinition = {
  id: 'RWS-019',
  title: 'Requests after a refused upgrade are processed (smuggling through proxies)',
  category: 'handshake',
  severity: 'medium',
  cwe: 444,
  catalogue: ['H12'],
  description:
    'Sends a handshake with Sec-WebSocket-Version: 1337 (and, separately, Upgrade: h2c) followed at once by "GET / HTTP/1.1" on the same connection. Expects one refusal with Connection: close, the TCP connection closed, and no answer to the second request.',
  remediation:
    'Answer every refused upgrade with Connection: close and close the TCP connection without reading further; never answer 101 unless the upgrade really happens; refuse Upgrade tokens other than websocket (h2c) with 400.',
  async run(ctx) {
    const second = buildRequest('GET / HTTP/1.1', [
      ['Host', hostHeader(ctx.url)],
      ['X-Rws-Probe', 'smuggled-request'],
    ]);
    const variants: Array<{ label: string; edit(h: Array<[string, string]>): void }> = [
      { label: 'Sec-WebSocket-Version: 1337', edit: (h) => setHeader(h, 'Sec-WebSocket-Version', '1337') },
      {
        label: 'Upgrade: h2c',
        edit: (h) => {
          setHeader(h, 'Upgrade', 'h2c');
          setHeader(h, 'Connection', 'Upgrade, HTTP2-Settings');
          setHeader(h, 'HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA');
        },
      },
    ];
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];
    for (const variant of variants) {
      const headers = handshakeHeaders(ctx);
      variant.edit(headers);
      const first = buildRequest(`GET ${requestTarget(ctx.url)} HTTP/1.1`, headers);
      const result = await exchange(ctx, [first + second], { until: 'close', idleMs: Math.min(1500, ctx.options.timeoutMs) });
      const item: Evidence = { label: variant.label, sent: showRequest(first + second, 1200), received: describeExchange(result) };
      evidence.push(item);
      if (result.connectError) return { status: 'error', message: result.connectError };
      const [refusal, ...more] = result.responses;
      if (refusal) ctx.noteHeaders(`refused upgrade (${variant.label})`, refusal.status, refusal.headers);
      if (!refusal) {
        if (!result.closedByServer) {
          findings.push({ message: `No answer to the ${variant.label} handshake within ${ctx.options.timeoutMs} ms and the connection stayed open.`, severity: 'low', evidence: [item] });
        }
      } else if (refusal.status === 101) {
        findings.push({
          message: `The ${variant.label} handshake was answered 101 Switching Protocols${variant.label.includes('h2c') ? ' (h2c upgrade accepted: h2c smuggling through proxies that forward it)' : ': an unsupported version was accepted'}.`,
          evidence: [item],
        });
      } else if (more.length > 0) {
        findings.push({
          message: `After refusing the ${variant.label} handshake (${refusal.statusLine}) the server also answered the request sent behind it (${more.map((r) => r.statusLine).join(', ')}): a proxy that keeps the tunnel open after a failed upgrade lets clients smuggle requests to internal routes.`,
          evidence: [item],
        });
      } else if (!/\bclose\b/i.test(refusal.headers['connection'] ?? '')) {
        findings.push({
          message: `The refusal of the ${variant.label} handshake (${refusal.statusLine}) carries no Connection: close${result.closedByServer ? ' (the server closed TCP anyway)' : ' and the connection stayed open'}.`,
          severity: result.closedByServer ? 'info' : 'low',
          evidence: [item],
        });
      }
      await ctx.pace();
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: 'refused upgrades carry Connection: close and nothing behind them is answered', evidence };
  },
};

/**
 * RWS-080 — server banners and version strings (catalogue L1, CWE-497).
 *
 * Looks at the response headers of a baseline 101, of a refused handshake (version 1337) and of
 * a plain GET / on the same host, plus every 101/refusal the other checks recorded, for
 * Server, X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version, X-Generator and Via.
 * Safe behaviour: no banners (DESIGN.md: "No Server/X-Powered-By banners"). A product name with
 * a version (or X-Powered-By / X-AspNet-Version at all) is low; a bare product name is info.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildRequest, describeExchange, exchange, hostHeader, probeOpen } from '../http-probe.js';

const BANNER_HEADERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version', 'x-generator', 'via'];
const ALWAYS_LOW = new Set(['x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version']);

export const serverBannersCheck: CheckDefinition = {
  id: 'RWS-080',
  title: 'Server banner or version disclosed in handshake responses',
  category: 'leakage',
  severity: 'low',
  cwe: 497,
  catalogue: ['L1'],
  description:
    'Reads Server, X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version, X-Generator and Via in a baseline 101, a refused handshake, a plain GET / and every response other checks recorded. Expects none; a version string is low, a bare product name info.',
  remediation:
    'Remove Server / X-Powered-By and framework version headers from every response, including 101s and handshake refusals (e.g. app.disable("x-powered-by"), server_tokens off, proxy header stripping).',
  async run(ctx) {
    const evidence: Evidence[] = [];
    const baseline = await probeOpen(ctx, 'baseline 101');
    if (baseline.result.ok) baseline.result.socket.destroy();
    evidence.push(baseline.evidence);
    await ctx.pace();
    const refused = await probeOpen(ctx, 'refused handshake (version 1337)', { set: { 'Sec-WebSocket-Version': '1337' } });
    if (refused.result.ok) refused.result.socket.destroy();
    evidence.push(refused.evidence);
    await ctx.pace();
    const plain = buildRequest('GET / HTTP/1.1', [
      ['Host', hostHeader(ctx.url)],
      ['Connection', 'close'],
    ]);
    const page = await exchange(ctx, [plain], { until: 'head', lingerMs: 50 });
    const first = page.responses[0];
    if (first) ctx.noteHeaders('GET /', first.status, first.headers);
    evidence.push({ label: 'GET /', sent: 'GET / HTTP/1.1', received: describeExchange(page) });

    const seen = new Map<string, { header: string; value: string; probes: string[] }>();
    for (const entry of ctx.observations.responseHeaders) {
      for (const header of BANNER_HEADERS) {
        const value = entry.headers[header];
        if (value === undefined || value.trim() === '') continue;
        const key = `${header}: ${value}`;
        const item = seen.get(key) ?? { header, value, probes: [] };
        if (item.probes.length < 5 && !item.probes.includes(entry.probe)) item.probes.push(entry.probe);
        seen.set(key, item);
      }
    }
    const findings: FindingDetail[] = [...seen.values()].map((item) => {
      const versioned = /\d+\.\d+/.test(item.value);
      const low = versioned || ALWAYS_LOW.has(item.header);
      return {
        message: `The response header "${item.header}: ${item.value}" ${versioned ? 'discloses a product version' : 'names the software'} (seen on: ${item.probes.join(', ')}): attackers use it to pick known CVEs.`,
        severity: low ? 'low' : 'info',
        evidence: [{ label: item.probes[0] ?? 'response', received: `${item.header}: ${item.value}` }],
      };
    });
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `no banner headers in ${ctx.observations.responseHeaders.length} recorded responses`, evidence };
  },
};

/**
 * RWS-011 — Origin allowlist bypass (catalogue H2, CWE-1385).
 *
 * Starts from an origin the server accepts (--origin, or the target's own origin when it is
 * accepted) and sends, one handshake each, the variants that defeat loose matching: `null`, the
 * other scheme, `<origin>.evil.example` (startsWith), `<host>.evil.example:<port>`, a subdomain
 * (`rws-test.<host>`, endsWith), `evil<host>` (endsWith without a dot), an unescaped regex dot
 * (`appxexample.com`), a wrong port, and Safari's backtick parsing (`<origin>\`.evil.example`).
 * Each carries only what a browser attaches cross-site (see RWS-010).
 * Safe behaviour: exact matching → every variant refused (403).
 *
 * When even an unrelated origin is accepted, RWS-010 reports it and this check only notes it.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { browserContext, crossSiteImpact, crossSiteSeverity, probeOpen } from '../http-probe.js';
import { FOREIGN_ORIGIN } from './cross-site-origin.js';

/** The bypass variants of an origin, labelled; bounded (≤ 10). */
export function originVariants(base: string): Array<{ label: string; origin: string }> {
  const u = new URL(base);
  const scheme = u.protocol; // 'http:' | 'https:'
  const other = scheme === 'https:' ? 'http:' : 'https:';
  const host = u.hostname;
  const portPart = u.port ? `:${u.port}` : '';
  const serialized = `${scheme}//${host}${portPart}`;
  const out: Array<{ label: string; origin: string }> = [
    { label: 'null origin', origin: 'null' },
    { label: 'scheme swap', origin: `${other}//${host}${portPart}` },
    { label: 'suffix appended (startsWith match)', origin: `${serialized}.evil.example` },
  ];
  if (portPart) out.push({ label: 'host suffix (startsWith on host)', origin: `${scheme}//${host}.evil.example${portPart}` });
  out.push({ label: 'arbitrary subdomain (endsWith match)', origin: `${scheme}//rws-test.${host}${portPart}` });
  out.push({ label: 'prefixed host (endsWith without dot)', origin: `${scheme}//evil${host}${portPart}` });
  if (host.includes('.')) out.push({ label: 'unescaped regex dot', origin: `${scheme}//${host.replace('.', 'x')}${portPart}` });
  const wrongPort = u.port ? String(Number(u.port) === 65535 ? 65534 : Number(u.port) + 1) : scheme === 'https:' ? '8443' : '8080';
  out.push({ label: 'wrong port', origin: `${scheme}//${host}:${wrongPort}` });
  out.push({ label: 'Safari backtick parsing', origin: `${serialized}\`.evil.example` });
  return out.slice(0, 10);
}

export const originBypassCheck: CheckDefinition = {
  id: 'RWS-011',
  title: 'Origin allowlist can be bypassed with a look-alike origin',
  category: 'handshake',
  severity: 'high',
  cwe: 1385,
  catalogue: ['H2', 'A7'],
  description:
    'From an accepted origin (--origin or the target\'s own), tries null, scheme swap, appended suffix, subdomain, prefixed host, unescaped dot, wrong port and backtick variants, each with only browser-attachable credentials. Expects every variant refused (403).',
  remediation:
    'Compare the Origin header to a configured list of exact serialized origins (scheme://host:port); never use prefix/suffix/substring or unanchored, unescaped regular expressions, and never allow "null".',
  async run(ctx) {
    const browser = browserContext(ctx);
    const base = ctx.options.origin ?? `${ctx.secure ? 'https' : 'http'}://${ctx.url.host}`;
    let baseUrl: URL;
    try {
      baseUrl = new URL(base);
      if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      return { status: 'skipped', reason: `the origin ${JSON.stringify(base)} is not an http(s) origin; pass --origin` };
    }
    const change = (origin: string) => ({ set: { ...browser.set, Origin: origin }, remove: browser.remove });

    const accepted = await probeOpen(ctx, 'accepted origin', change(base));
    if (!accepted.result.ok) {
      return {
        status: 'skipped',
        reason: `the ${ctx.options.origin ? 'given' : 'derived'} origin ${base} is refused with ${browser.description} (${accepted.result.error.status ?? accepted.result.error.kind}); pass --origin with an origin the server allows`,
      };
    }
    accepted.result.socket.destroy();
    await ctx.pace();

    const foreign = await probeOpen(ctx, 'unrelated origin', change(FOREIGN_ORIGIN));
    if (foreign.result.ok) {
      foreign.result.socket.destroy();
      return { status: 'pass', note: `every Origin is accepted, so there is no allowlist to bypass; see RWS-010`, evidence: [foreign.evidence] };
    }
    await ctx.pace();

    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [accepted.evidence, foreign.evidence];
    for (const variant of originVariants(baseUrl.toString().replace(/\/$/, ''))) {
      const probe = await probeOpen(ctx, `origin variant: ${variant.label}`, change(variant.origin));
      evidence.push(probe.evidence);
      if (probe.result.ok) {
        probe.result.socket.destroy();
        findings.push({
          message: `Origin ${JSON.stringify(variant.origin)} (${variant.label} of ${base}) was accepted while ${FOREIGN_ORIGIN} was refused: the allowlist matches loosely. ${crossSiteImpact(browser)}`,
          severity: crossSiteSeverity(ctx, browser, 'high'),
          evidence: [accepted.evidence, foreign.evidence, probe.evidence],
        });
      }
      await ctx.pace();
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `all ${evidence.length - 2} look-alike origins of ${base} were refused`, evidence };
  },
};

/**
 * RWS-010 — cross-site Origin accepted (catalogue H1, CWE-1385).
 *
 * Sends the handshake a page on another site would produce in a victim's browser: the baseline
 * with `Origin: https://rws-probe.evil.example`, carrying only what a browser attaches (the
 * baseline cookie, or the rampart profile's session as the rampart_session cookie; never an
 * Authorization or custom header, which a page cannot set on a WebSocket).
 * Safe behaviour: HTTP 403 (any refusal) before a 101.
 *
 * Severity follows what a cross-site page would get: with a cookie it is hijacking (high); when
 * the only credentials are headers a browser cannot send it is `info`; an anonymous endpoint is
 * `low` (`medium` on loopback/private addresses, which a foreign page should never reach).
 */
import type { CheckDefinition, FindingDetail } from '../../types.js';
import { browserContext, crossSiteImpact, crossSiteSeverity, probeOpen } from '../http-probe.js';

export const FOREIGN_ORIGIN = 'https://rws-probe.evil.example';

export const crossSiteOriginCheck: CheckDefinition = {
  id: 'RWS-010',
  title: 'Cross-site Origin accepted on the WebSocket handshake',
  category: 'handshake',
  severity: 'high',
  cwe: 1385,
  catalogue: ['H1', 'A7'],
  description:
    'Opens the handshake with Origin: https://rws-probe.evil.example and only the credentials a browser would attach cross-site (the cookie; no Authorization header). Expects a refusal (403) before any 101.',
  remediation:
    'Check Origin on every handshake against an exact allowlist of serialized origins (scheme, host, port) and refuse others with 403 before upgrading. Do not rely on SameSite cookies alone; prefer a header or first-message token for non-browser clients.',
  async run(ctx) {
    const browser = browserContext(ctx);
    const { result, evidence } = await probeOpen(ctx, 'foreign Origin', {
      set: { ...browser.set, Origin: FOREIGN_ORIGIN },
      remove: browser.remove,
    });
    if (!result.ok) {
      return { status: 'pass', note: `foreign Origin refused (${result.error.status ?? result.error.kind}) with ${browser.description}`, evidence: [evidence] };
    }
    result.socket.destroy();
    const finding: FindingDetail = {
      message: `The handshake with Origin: ${FOREIGN_ORIGIN} and ${browser.description} was accepted (101). ${crossSiteImpact(browser)}`,
      severity: crossSiteSeverity(ctx, browser, 'high'),
      evidence: [evidence],
    };
    return { status: 'fail', findings: [finding] };
  },
};

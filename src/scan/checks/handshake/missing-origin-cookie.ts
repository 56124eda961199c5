/**
 * RWS-012 — cookie-authenticated handshake without Origin accepted (catalogue H3, CWE-1385).
 *
 * Only meaningful with cookie authentication: the baseline carries a Cookie, or the rampart
 * profile's session is sent as the rampart_session cookie. Sends the baseline with the cookie
 * and no Origin (and no Authorization or custom headers).
 * Safe behaviour: browsers always send Origin, so a cookie without one is not a browser riding
 * on a session it may use → 403 (DESIGN.md: "cookie without Origin → 403"). Clients without a
 * browser should authenticate with an explicit token instead.
 */
import type { CheckDefinition } from '../../types.js';
import { browserContext, probeOpen } from '../http-probe.js';

export const missingOriginCookieCheck: CheckDefinition = {
  id: 'RWS-012',
  title: 'Cookie-authenticated handshake without Origin accepted',
  category: 'handshake',
  severity: 'medium',
  cwe: 1385,
  catalogue: ['H3'],
  description:
    'With cookie authentication only: sends the session cookie with no Origin header (no Authorization). Expects a refusal (403): a request without Origin is not from a browser and must not ride on a browser session.',
  remediation:
    'Refuse cookie-authenticated handshakes that carry no Origin (403); require non-browser clients to use an explicit bearer or first-message token. Gorilla-style "missing Origin is fine" defaults reopen CSWSH through clients and extensions that omit it.',
  async run(ctx) {
    const browser = browserContext(ctx);
    if (browser.kind !== 'cookie') {
      return { status: 'skipped', reason: 'no cookie authentication in the baseline (pass --cookie or use --profile rampart)' };
    }
    const { result, evidence } = await probeOpen(ctx, 'cookie without Origin', { set: browser.set, remove: ['Origin', ...browser.remove] });
    if (!result.ok) return { status: 'pass', note: `refused (${result.error.status ?? result.error.kind})`, evidence: [evidence] };
    result.socket.destroy();
    return {
      status: 'fail',
      findings: [
        {
          message: `A handshake carrying ${browser.description} and no Origin header was accepted (101). Origin checks that let a missing Origin through can be bypassed by any client that omits it while holding the cookie.`,
          evidence: [evidence],
        },
      ],
    };
  },
};

/**
 * RWS-031 — session token accepted in the URL (catalogue A2, CWE-598).
 *
 * Needs a token: the rampart profile's, the bearer token of the baseline's Authorization
 * header, or the value of a single-cookie baseline. First checks that the handshake without
 * credentials is refused (otherwise RWS-030 applies and this test proves nothing), then tries
 * the token as `?token=`, `?access_token=`,
 * `?auth=` and `?jwt=`, each without Cookie or Authorization.
 * Safe behaviour: 401 — long-lived session tokens never travel in URLs, which end up in access
 * and proxy logs, browser history and Referer headers (DESIGN.md: "Never a token in the URL").
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { probeOpen, redactUrl } from '../http-probe.js';

const PARAMS = ['token', 'access_token', 'auth', 'jwt'];

export const tokenInUrlCheck: CheckDefinition = {
  id: 'RWS-031',
  title: 'Session token accepted in the WebSocket URL',
  category: 'auth',
  severity: 'medium',
  cwe: 598,
  catalogue: ['A2'],
  description:
    'With a known session token (rampart profile or a Bearer header), sends handshakes without Cookie/Authorization and the token as ?token=, ?access_token=, ?auth=, ?jwt=. Expects 401 for each.',
  remediation:
    'Accept session credentials only in the Authorization header or a cookie (or a first message); if a URL credential is unavoidable, use a short-lived single-use ticket minted over the authenticated HTTPS session, and redact query strings from logs.',
  async run(ctx) {
    const bearer = ctx.baselineHeaders().find(([k, v]) => k.toLowerCase() === 'authorization' && /^Bearer\s+\S+$/i.test(v))?.[1];
    // A single-cookie baseline (`name=value`) holds the session token too.
    const cookie = ctx.baselineHeaders().find(([k]) => k.toLowerCase() === 'cookie')?.[1];
    const cookieToken = cookie && !cookie.includes(';') && cookie.includes('=') ? cookie.slice(cookie.indexOf('=') + 1).trim() : undefined;
    const token = ctx.rampart?.token ?? bearer?.replace(/^Bearer\s+/i, '') ?? (cookieToken || undefined);
    if (!token) return { status: 'skipped', reason: 'no session token known (use --profile rampart, an Authorization: Bearer header or a single session cookie)' };
    const strip = ['Cookie', 'Authorization'];
    const anonymous = await probeOpen(ctx, 'no credentials', { remove: strip });
    if (anonymous.result.ok) {
      anonymous.result.socket.destroy();
      return { status: 'pass', note: 'the endpoint accepts handshakes without credentials, so a URL token cannot be told apart (see RWS-030)', evidence: [anonymous.evidence] };
    }
    await ctx.pace();
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [anonymous.evidence];
    for (const param of PARAMS) {
      const url = new URL(ctx.url);
      url.searchParams.set(param, token);
      const { result, evidence: item } = await probeOpen(ctx, `token in ?${param}=`, { remove: strip, url: url.toString() });
      evidence.push(item);
      if (result.ok) {
        result.socket.destroy();
        findings.push({
          message: `The session token was accepted as the URL query parameter "${param}" (${redactUrl(url.toString())}): tokens in URLs leak through access and proxy logs, browser history and Referer headers.`,
          evidence: [anonymous.evidence, item],
        });
      }
      await ctx.pace();
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `the token was refused in ${PARAMS.map((p) => `?${p}=`).join(', ')}`, evidence };
  },
};

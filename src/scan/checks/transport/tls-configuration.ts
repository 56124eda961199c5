/**
 * RWS-091 — TLS version, certificate and HSTS (catalogue T2, T1; CWE-326). wss:// only.
 *
 * 1. A TLS handshake offering only TLS 1.0–1.1 (with legacy cipher suites allowed on our side):
 *    completing it is medium.
 * 2. A TLS handshake with certificate verification on (trusting the CA the scan was given, if
 *    any): an untrusted, expired or wrong-name certificate is medium, with the verification error.
 *    A certificate that expires within 14 days is info.
 * 3. GET / over HTTPS: no Strict-Transport-Security is low.
 * Safe behaviour: TLS 1.2+ only, a valid chain for the host name, HSTS on the HTTPS origin.
 * ws:// targets are skipped (RWS-090 covers them).
 */
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildRequest, describeExchange, exchange, hostHeader } from '../http-probe.js';

interface TlsAttempt {
  ok: boolean;
  protocol?: string | null;
  cipher?: string;
  error?: string;
  cert?: PeerCertificate;
  authorizationError?: string;
}

function tryTls(host: string, port: number, options: ConnectionOptions, timeoutMs: number): Promise<TlsAttempt> {
  return new Promise((resolve) => {
    let socket: TLSSocket;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: `no TLS handshake within ${timeoutMs} ms` });
    }, timeoutMs);
    try {
      socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ...options });
    } catch (err) {
      clearTimeout(timer);
      resolve({ ok: false, error: (err as Error).message });
      return;
    }
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const result: TlsAttempt = { ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher()?.name ?? 'unknown', cert: socket.getPeerCertificate() };
      if (!socket.authorized && socket.authorizationError) result.authorizationError = String(socket.authorizationError);
      socket.destroy();
      resolve(result);
    });
    socket.once('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, error: err.code ? `${err.code}: ${err.message}` : err.message });
    });
  });
}

export const tlsConfigurationCheck: CheckDefinition = {
  id: 'RWS-091',
  title: 'Weak TLS: legacy protocol versions, untrusted certificate or no HSTS',
  category: 'transport',
  severity: 'medium',
  cwe: 326,
  catalogue: ['T2', 'T1'],
  description:
    'For wss:// targets: tries a TLS 1.0/1.1-only handshake, verifies the certificate chain and host name (trusting the CA given to the scan), and checks GET / over HTTPS for Strict-Transport-Security. Expects TLS 1.2+ only, a valid certificate and HSTS.',
  remediation:
    'Allow TLS 1.2 and 1.3 only (Node: minVersion "TLSv1.2"), serve a certificate from a trusted CA that names the host and renew it before expiry, and send Strict-Transport-Security (max-age ≥ 1 year) on the HTTPS origin.',
  async run(ctx) {
    if (!ctx.secure) return { status: 'skipped', reason: 'the target is ws:// (no TLS; see RWS-090)' };
    const host = ctx.url.hostname.replace(/^\[|\]$/g, '');
    const port = ctx.url.port ? Number(ctx.url.port) : 443;
    const timeoutMs = ctx.options.timeoutMs;
    const user = ctx.options.tls ?? {};
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];

    const legacy = await tryTls(host, port, { ...user, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, timeoutMs);
    const legacyItem: Evidence = {
      label: 'TLS 1.0/1.1 only',
      sent: 'ClientHello offering TLSv1 … TLSv1.1',
      received: legacy.ok ? `handshake completed with ${legacy.protocol} (${legacy.cipher})` : `refused: ${legacy.error}`,
    };
    evidence.push(legacyItem);
    if (legacy.ok) {
      findings.push({ message: `The server completes a ${legacy.protocol} handshake (${legacy.cipher}): TLS 1.0/1.1 are deprecated (RFC 8996) and allow downgrade attacks.`, evidence: [legacyItem] });
    }
    await ctx.pace();

    const verified = await tryTls(host, port, { ...user, rejectUnauthorized: true, ALPNProtocols: ['http/1.1'] }, timeoutMs);
    const certItem: Evidence = {
      label: 'certificate verification',
      sent: `TLS handshake to ${host}:${port} verifying the chain and the name${user.ca ? ' (with the CA given to the scan)' : ''}`,
      received: verified.ok
        ? `verified; ${verified.protocol} ${verified.cipher}; subject ${verified.cert?.subject?.CN ?? '?'}; valid to ${verified.cert?.valid_to ?? '?'}`
        : `verification failed: ${verified.error}`,
    };
    evidence.push(certItem);
    if (!verified.ok) {
      findings.push({
        message: `The certificate does not verify for ${host} (${verified.error}): clients that check certificates refuse the connection, and clients told to ignore errors can be intercepted.`,
        evidence: [certItem],
      });
    } else if (verified.cert?.valid_to) {
      const daysLeft = (Date.parse(verified.cert.valid_to) - Date.now()) / 86_400_000;
      if (daysLeft < 14) findings.push({ message: `The certificate expires in ${Math.max(0, Math.floor(daysLeft))} day(s) (${verified.cert.valid_to}).`, severity: 'info', evidence: [certItem] });
    }
    await ctx.pace();

    const page = await exchange(ctx, [buildRequest('GET / HTTP/1.1', [['Host', hostHeader(ctx.url)], ['Connection', 'close']])], { until: 'head', lingerMs: 50 });
    const head = page.responses[0];
    if (head) ctx.noteHeaders('GET / (https)', head.status, head.headers);
    const hsts = head?.headers['strict-transport-security'];
    const hstsItem: Evidence = { label: 'HSTS on GET /', sent: 'GET / HTTP/1.1 over TLS', received: `${describeExchange(page)}${hsts ? `; Strict-Transport-Security: ${hsts}` : ''}` };
    evidence.push(hstsItem);
    if (head && !hsts) {
      findings.push({ message: 'The HTTPS origin sends no Strict-Transport-Security header: a first visit over http:// can be downgraded and the session cookie intercepted.', severity: 'low', evidence: [hstsItem] });
    } else if (hsts) {
      const maxAge = Number(/max-age=(\d+)/i.exec(hsts)?.[1] ?? '0');
      if (maxAge < 15_552_000) findings.push({ message: `HSTS max-age is ${maxAge} s (less than 180 days).`, severity: 'info', evidence: [hstsItem] });
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `TLS 1.0/1.1 refused; certificate verified; HSTS ${hsts}`, evidence };
  },
};

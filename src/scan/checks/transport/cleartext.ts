/**
 * RWS-090 — cleartext WebSocket (catalogue T1, CWE-319).
 *
 * Looks at the target's scheme: `ws://` sends session cookies, tokens and every message in
 * cleartext, readable and changeable on the path (ASVS V4.4.1). A loopback target (development,
 * or a TLS-terminating proxy on the same host) is reported as `info`.
 * Safe behaviour: `wss://` only in production.
 */
import type { CheckDefinition } from '../../types.js';
import { isLoopbackHost } from '../http-probe.js';

export const cleartextCheck: CheckDefinition = {
  id: 'RWS-090',
  title: 'WebSocket served over cleartext ws://',
  category: 'transport',
  severity: 'medium',
  cwe: 319,
  catalogue: ['T1'],
  description: 'Checks the target scheme: ws:// carries credentials and messages in cleartext. Medium for a network address, info for loopback; wss:// passes.',
  remediation:
    'Serve the endpoint only as wss:// (TLS 1.2+), redirect or refuse plain HTTP, send HSTS on the HTTPS origin, and mark session cookies Secure.',
  async run(ctx) {
    if (ctx.secure) return { status: 'pass', note: 'the target uses wss://' };
    const loopback = isLoopbackHost(ctx.url.hostname);
    return {
      status: 'fail',
      findings: [
        {
          message: loopback
            ? `The target ${ctx.url.origin} is cleartext ws:// on a loopback address: fine for development or behind a local TLS proxy, never for a deployment reached over a network.`
            : `The target ${ctx.url.origin} is cleartext ws://: session credentials and every message can be read and modified by anyone on the network path.`,
          severity: loopback ? 'info' : 'medium',
          evidence: [{ label: 'target', sent: ctx.options.target.replace(/([?&][^=&]*(?:token|auth|key)[^=&]*=)[^&]*/gi, '$1…'), received: `scheme ${ctx.url.protocol}` }],
        },
      ],
    };
  },
};

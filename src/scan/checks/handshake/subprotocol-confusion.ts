/**
 * RWS-014 — subprotocol confusion (catalogue H6).
 *
 * 1. Offers only an unknown protocol, `x-rws-probe-admin`.
 * 2. Offers `x-rws-probe-admin` first, then the baseline's protocols.
 * A server that echoes whatever comes first (ws without handleProtocols) lets the client choose
 * a protocol mode the server never meant to speak; a 101 naming a protocol that was not offered
 * at all breaks RFC 6455 §4.2.2.
 * Safe behaviour: the server selects only from its own list — (1) 400 or a 101 without
 * Sec-WebSocket-Protocol, (2) one of the baseline protocols.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { probeOpen } from '../http-probe.js';

const UNKNOWN = 'x-rws-probe-admin';

export const subprotocolConfusionCheck: CheckDefinition = {
  id: 'RWS-014',
  title: 'Server selects a subprotocol it does not support (echoes the client\'s offer)',
  category: 'handshake',
  severity: 'medium',
  cwe: 20,
  catalogue: ['H6'],
  description:
    `Offers only "${UNKNOWN}", then "${UNKNOWN}" ahead of the baseline protocols. Expects the unknown protocol never selected: 400 or a 101 without Sec-WebSocket-Protocol for the first, a baseline protocol for the second.`,
  remediation:
    'Select the subprotocol from the server\'s own allowlist (ws: handleProtocols); refuse offers with no known protocol (400) or accept without Sec-WebSocket-Protocol and close if a protocol is mandatory. Never echo the first offered value.',
  async run(ctx) {
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];
    const offers: Array<{ label: string; protocols: string[] }> = [{ label: 'unknown protocol only', protocols: [UNKNOWN] }];
    if (ctx.options.subprotocols.length > 0) {
      offers.push({ label: 'unknown protocol offered first', protocols: [UNKNOWN, ...ctx.options.subprotocols.filter((p) => p !== UNKNOWN)] });
    }
    for (const offer of offers) {
      const { result, evidence: item } = await probeOpen(ctx, offer.label, { protocols: offer.protocols });
      evidence.push(item);
      if (result.ok) {
        const selected = result.socket.protocol;
        result.socket.destroy();
        if (selected === UNKNOWN) {
          findings.push({
            message: `Offered ${JSON.stringify(offer.protocols.join(', '))}; the server selected ${JSON.stringify(UNKNOWN)}, a protocol it cannot know: it echoes the client's first offer, so a client can pick any protocol mode.`,
            evidence: [item],
          });
        }
      } else if (result.error.kind === 'bad-protocol') {
        findings.push({
          message: `Offered ${JSON.stringify(offer.protocols.join(', '))}; the 101 selected ${JSON.stringify(result.error.headers?.['sec-websocket-protocol'])}, which was not offered (RFC 6455 §4.2.2).`,
          evidence: [item],
        });
      }
      await ctx.pace();
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: 'the unknown subprotocol was never selected', evidence };
  },
};

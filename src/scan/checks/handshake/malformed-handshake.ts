/**
 * RWS-016 — malformed opening handshakes accepted (catalogue H10).
 *
 * Raw requests, each the baseline handshake (credentials included, so a refusal is about the
 * malformation) with one defect: POST, HTTP/1.0, `Upgrade: websocketa`, no Connection header,
 * a key of 15 bytes, a non-base64 key, no key, no Host.
 * Safe behaviour (RFC 6455 §4.2.1): an HTTP error (400; 405 for the method; 426 is fine too)
 * or a dropped connection — never a 101, and an answer within the timeout.
 */
import { randomBytes } from 'node:crypto';
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildRequest, describeExchange, exchange, handshakeHeaders, removeHeader, requestTarget, setHeader, showRequest } from '../http-probe.js';

interface Malformation {
  label: string;
  method?: string;
  version?: string;
  edit(headers: Array<[string, string]>): void;
}

const MALFORMATIONS: Malformation[] = [
  { label: 'POST instead of GET', method: 'POST', edit: (h) => setHeader(h, 'Content-Length', '0') },
  { label: 'HTTP/1.0', version: 'HTTP/1.0', edit: () => {} },
  { label: 'Upgrade: websocketa', edit: (h) => setHeader(h, 'Upgrade', 'websocketa') },
  { label: 'no Connection header', edit: (h) => removeHeader(h, 'Connection') },
  { label: '15-byte Sec-WebSocket-Key', edit: (h) => setHeader(h, 'Sec-WebSocket-Key', randomBytes(15).toString('base64')) },
  { label: 'non-base64 Sec-WebSocket-Key', edit: (h) => setHeader(h, 'Sec-WebSocket-Key', '!!not*base64*at*all!!==') },
  { label: 'no Sec-WebSocket-Key', edit: (h) => removeHeader(h, 'Sec-WebSocket-Key') },
  { label: 'no Host header', edit: (h) => removeHeader(h, 'Host') },
];

export const malformedHandshakeCheck: CheckDefinition = {
  id: 'RWS-016',
  title: 'Malformed opening handshake accepted or left hanging',
  category: 'handshake',
  severity: 'medium',
  cwe: 20,
  catalogue: ['H10'],
  description:
    'Sends the baseline handshake with one defect at a time: POST, HTTP/1.0, Upgrade: websocketa, no Connection, a 15-byte key, a non-base64 key, no key, no Host. Expects an HTTP error (400/405) or a dropped connection, never a 101, within the timeout.',
  remediation:
    'Validate the opening handshake as RFC 6455 §4.2.1 requires (GET, HTTP/1.1+, Upgrade: websocket, Connection containing Upgrade, a key of 16 base64 bytes, version 13, Host) and answer anything else with 400 + Connection: close.',
  async run(ctx) {
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];
    for (const m of MALFORMATIONS) {
      const headers = handshakeHeaders(ctx);
      m.edit(headers);
      const request = buildRequest(`${m.method ?? 'GET'} ${requestTarget(ctx.url)} ${m.version ?? 'HTTP/1.1'}`, headers);
      const result = await exchange(ctx, [request], { until: 'head', lingerMs: 150 });
      const item: Evidence = { label: m.label, sent: showRequest(request), received: describeExchange(result) };
      evidence.push(item);
      const first = result.responses[0];
      if (first) ctx.noteHeaders(m.label, first.status, first.headers);
      if (result.connectError) {
        findings.push({ message: `The server stopped accepting connections before the probe "${m.label}".`, severity: 'high', evidence: [item] });
        break;
      }
      if (first?.status === 101) {
        findings.push({ message: `A handshake with ${m.label} was accepted (101): the server does not validate the opening handshake.`, evidence: [item] });
      } else if (!first && !result.closedByServer) {
        findings.push({
          message: `A handshake with ${m.label} got no answer within ${ctx.options.timeoutMs} ms and the connection stayed open: malformed requests pin connections instead of being refused.`,
          severity: 'low',
          evidence: [item],
        });
      }
      await ctx.pace();
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `${MALFORMATIONS.length} malformed handshakes refused`, evidence };
  },
};

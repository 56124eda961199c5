/**
 * RWS-021 — slowloris during the handshake (catalogue H9, CWE-400). Aggressive.
 *
 * Opens one connection, sends `GET <path> HTTP/1.1` and Host, then one more header line every
 * second and never ends the head. Waits up to a bound of 8 × the per-wait timeout
 * (5 s … 60 s; 40 s with the default 5 s timeout).
 * Safe behaviour: the server cuts (or answers 408 to) a request head that takes longer than its
 * header timeout (DESIGN.md: 10 s; Node's default is 60 s, checked every 30 s) — a trickle of
 * bytes must not keep resetting an idle timer. Still open at the bound is a finding.
 * One connection only: this measures the timeout; it does not try to exhaust the server.
 */
import type { CheckDefinition } from '../../types.js';
import { describeExchange, exchange, hostHeader, requestTarget } from '../http-probe.js';

export function slowlorisBoundMs(timeoutMs: number): number {
  return Math.min(60_000, Math.max(5_000, timeoutMs * 8));
}

export const slowlorisCheck: CheckDefinition = {
  id: 'RWS-021',
  title: 'Slowly sent handshake keeps its connection open (slowloris)',
  category: 'handshake',
  severity: 'medium',
  cwe: 400,
  catalogue: ['H9'],
  aggressive: true,
  description:
    'Sends a request line and Host, then one header line per second without ever finishing the head, on one connection, for up to 8 × the timeout (5–60 s). Expects the server to close the connection (or answer 408) within its header timeout.',
  remediation:
    'Bound the time to receive a complete request head regardless of activity (Node: headersTimeout ≈ 10 s with a short connectionsCheckingInterval; proxies: client_header_timeout) and cap pending handshakes per IP.',
  async run(ctx) {
    const bound = slowlorisBoundMs(ctx.options.timeoutMs);
    const head = `GET ${requestTarget(ctx.url)} HTTP/1.1\r\nHost: ${hostHeader(ctx.url)}\r\n`;
    const chunks: Array<string | number> = [head];
    for (let i = 0; i < Math.ceil(bound / 1000) + 1; i++) chunks.push(1000, `X-Rws-Slow-${i}: ${i}\r\n`);
    const result = await exchange(ctx, chunks, { timeoutMs: bound, until: 'close', idleMs: 500 });
    if (result.connectError) return { status: 'error', message: result.connectError };
    const evidence = {
      label: 'slow request head',
      sent: `${head.replace(/\r\n/g, '\\r\\n')} then "X-Rws-Slow-N: N\\r\\n" every 1000 ms, head never finished`,
      received: describeExchange(result),
    };
    if (result.finished === 'timeout') {
      return {
        status: 'fail',
        findings: [
          {
            message: `A request head trickled one line per second was still open after ${Math.round(bound / 1000)} s: each such connection pins a socket and memory, and a few hundred of them exhaust the server (slowloris).`,
            evidence: [evidence],
          },
        ],
      };
    }
    const status = result.responses[0]?.statusLine;
    return { status: 'pass', note: `the server ended the unfinished handshake after ${Math.round(result.elapsedMs / 100) / 10} s${status ? ` with ${status}` : ''}`, evidence: [evidence] };
  },
};

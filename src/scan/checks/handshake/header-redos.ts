/**
 * RWS-018 — ReDoS in Sec-WebSocket-Protocol / Sec-WebSocket-Extensions parsing
 * (catalogue H5, H7; CWE-1333).
 *
 * Measures the time to the response head of 5 control handshakes (the baseline padded with a
 * harmless header of the same size, so upload time does not count as parsing time), then of up
 * to 3 handshakes for each pathological header:
 * - `Sec-WebSocket-Protocol: b<≈15 000 spaces>x` (ws < 7.4.6 split(/ *, *\/), CVE-2021-32640;
 *   sized to fit a 16 KiB header limit so it reaches the parser);
 * - `Sec-WebSocket-Extensions: a;b="\c\c…` (27 × `\c`, websocket-extensions CVE-2020-7662/7663);
 * - `Sec-WebSocket-Extensions: constructor; __proto__=1, hasOwnProperty` (ws < 3.3.1 crash;
 *   checked by a liveness probe, not timing).
 * Finding when the median pathological latency is > 5× the control median and > 200 ms more
 * (repeated samples and medians, not STEWS's single 0.4 s delta).
 * Safe behaviour: flat latency (or a fast 400/431), server alive.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildRequest, describeExchange, exchange, handshakeHeaders, requestTarget, setHeader, showRequest } from '../http-probe.js';

const NORMAL_SAMPLES = 5;
const PATHOLOGICAL_SAMPLES = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const headerRedosCheck: CheckDefinition = {
  id: 'RWS-018',
  title: 'Slow (ReDoS) parsing of Sec-WebSocket-Protocol or Sec-WebSocket-Extensions',
  category: 'handshake',
  severity: 'high',
  cwe: 1333,
  catalogue: ['H5', 'H7'],
  description:
    'Compares the median handshake latency of 5 size-matched control handshakes with 3 handshakes each carrying a pathological Sec-WebSocket-Protocol (b + ~15 000 spaces + x) or Sec-WebSocket-Extensions (a;b="\\c×27); also sends prototype-named extensions and checks liveness. Finding when the pathological median is > 5× the control median and > 200 ms above it.',
  remediation:
    'Upgrade ws (≥ 7.4.6) and websocket-extensions (≥ 0.1.4), cap the total header size (Node maxHeaderSize 16 KiB → 431), parse these headers with linear-time code, and keep permessage-deflate off unless needed (its offer is then ignored).',
  async run(ctx) {
    const target = requestTarget(ctx.url);
    const evidence: Evidence[] = [];
    const findings: FindingDetail[] = [];
    const measure = async (request: string): Promise<{ ms: number; timedOut: boolean; received: string; connectError?: string }> => {
      const result = await exchange(ctx, [request], { until: 'head' });
      const timedOut = result.finished === 'timeout';
      const ms = result.headMs ?? (timedOut ? ctx.options.timeoutMs : result.elapsedMs);
      return { ms, timedOut, received: describeExchange(result), ...(result.connectError ? { connectError: result.connectError } : {}) };
    };

    // Controls are the same handshake padded with a harmless header of the pathological size, so
    // upload time on a slow link is not mistaken for parsing time.
    const baseBytes = buildRequest(`GET ${target} HTTP/1.1`, handshakeHeaders(ctx)).length;
    const spaces = Math.max(1000, Math.min(15_500, 16_000 - baseBytes));
    const normal: number[] = [];
    for (let i = 0; i < NORMAL_SAMPLES; i++) {
      const headers = handshakeHeaders(ctx);
      setHeader(headers, 'X-Rws-Pad', `b${'-'.repeat(spaces)}x`);
      const sample = await measure(buildRequest(`GET ${target} HTTP/1.1`, headers));
      if (sample.connectError) return { status: 'error', message: sample.connectError };
      normal.push(sample.ms);
      await ctx.pace();
    }
    const normalMedian = median(normal);
    evidence.push({ label: 'control handshakes', sent: `baseline handshake + X-Rws-Pad of ${spaces + 2} bytes`, received: `latencies ${normal.map((n) => `${n} ms`).join(', ')}; median ${normalMedian} ms` });
    const threshold = Math.max(5 * normalMedian, normalMedian + 200);

    const kinds: Array<{ label: string; header: string; value: string }> = [
      { label: `Sec-WebSocket-Protocol with ${spaces} spaces`, header: 'Sec-WebSocket-Protocol', value: `b${' '.repeat(spaces)}x` },
      { label: 'Sec-WebSocket-Extensions with 27 × \\c', header: 'Sec-WebSocket-Extensions', value: `a;b="${'\\c'.repeat(27)}` },
    ];
    for (const kind of kinds) {
      const samples: number[] = [];
      let last = '';
      let request = '';
      for (let i = 0; i < PATHOLOGICAL_SAMPLES; i++) {
        const headers = handshakeHeaders(ctx);
        setHeader(headers, kind.header, kind.value);
        request = buildRequest(`GET ${target} HTTP/1.1`, headers);
        const sample = await measure(request);
        if (sample.connectError) {
          findings.push({ message: `The server stopped accepting connections during the ${kind.label} probes.`, severity: 'high', evidence: [{ label: kind.label, sent: showRequest(request, 400), received: sample.connectError }] });
          return { status: 'fail', findings };
        }
        samples.push(sample.ms);
        last = sample.received;
        await ctx.pace();
        if (sample.timedOut) break; // one handshake that never completes is proof enough; do not keep the target busy
        // The median of 3 is decided once 2 samples agree: stop early (a vulnerable target is blocked while it parses).
        const over = samples.filter((ms) => ms > threshold).length;
        if (over >= 2 || samples.length - over >= 2) break;
      }
      const med = median(samples);
      const item: Evidence = {
        label: kind.label,
        sent: showRequest(request, 300),
        received: `latencies ${samples.map((n) => `${n} ms`).join(', ')} (median ${med} ms vs control ${normalMedian} ms); last answer: ${last}`,
      };
      evidence.push(item);
      const slow = med > threshold;
      if (slow) {
        findings.push({
          message: `Handshakes with ${kind.label} take a median ${med} ms against ${normalMedian} ms for size-matched control handshakes: the header parser is super-linear (ReDoS), and while it runs the event loop serves nobody.`,
          evidence: [evidence[0]!, item],
        });
      }
    }

    // Prototype-named extension parameters crashed old ws; a crash shows in the canary.
    const protoHeaders = handshakeHeaders(ctx);
    setHeader(protoHeaders, 'Sec-WebSocket-Extensions', 'constructor; __proto__=1, hasOwnProperty; toString');
    const protoRequest = buildRequest(`GET ${target} HTTP/1.1`, protoHeaders);
    const proto = await measure(protoRequest);
    const protoItem: Evidence = { label: 'prototype-named extensions', sent: showRequest(protoRequest, 600), received: proto.received };
    evidence.push(protoItem);
    await ctx.pace();
    const alive = await ctx.canary();
    if (!alive.ok) {
      findings.push({ message: `After a handshake with prototype-named extensions (constructor, __proto__) the server stopped answering (${alive.detail}).`, evidence: [protoItem] });
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: `pathological headers answered as fast as size-matched controls (control median ${normalMedian} ms)`, evidence };
  },
};

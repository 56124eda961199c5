/**
 * RWS-082 — library fingerprinting through close reasons (catalogue L1, L4; CWE-497).
 *
 * On three fresh baseline connections sends one protocol violation each — a text frame with
 * RSV1 set (`c1 …`), a frame with the reserved opcode 0x3 (`83 …`), a text frame with invalid
 * UTF-8 (`81 82 … c3 28`) — and reads the close frame. Those reasons, and every close reason
 * other checks recorded, are matched against the strings WebSocket libraries put there (ws,
 * Ratchet, Gorilla, Tornado, Python websockets, Tomcat/Spring, Jetty, Netty, Faye,
 * WebSocket-Node, .NET, uWebSockets), as STEWS' fingerprinting does.
 * Safe behaviour: the close code only, or a short generic reason → pass. A library match is
 * `info` (with the library guessed); a close reason that is not valid UTF-8 is low (uninitialised
 * memory in close frames, ws CVE-2026-45736 class).
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { buildFrame, Opcode } from '../../wire/frame.js';
import { sendAndWaitClose } from '../common.js';

export const CLOSE_REASON_SIGNATURES: Array<{ library: string; re: RegExp }> = [
  { library: 'ws (Node.js)', re: /^Invalid WebSocket frame: |RSV1 must be clear|RSV2 and RSV3 must be clear|MASK must be (?:set|clear)|invalid opcode \d+|invalid UTF-8 sequence|Max payload size exceeded|FIN must be set/i },
  { library: 'Ratchet (PHP)', re: /Ratchet detected/i },
  { library: 'Gorilla WebSocket (Go)', re: /unexpected reserved bits|unknown opcode \d+|control frame length > 125|continuation after final message frame|message start before final message frame|invalid utf8 payload in close frame|bad MASK|websocket: /i },
  { library: 'Tornado (Python)', re: /^(?:Invalid frame|Missing ws\.close)|tornado/i },
  { library: 'websockets (Python)', re: /reserved bits must be 0|invalid opcode: \d+|'utf-8' codec can't decode|incorrect masking|invalid start byte|fragmented control frame/i },
  { library: 'Apache Tomcat / Spring', re: /The client frame set the reserved bits|which was not supported by this endpoint|A WebSocket frame was sent with an unrecognised opCode|The client data can not be converted into a String|Invalid UTF-8|reserved bits to \[\d+\]/i },
  { library: 'Jetty', re: /RSV\d not allowed to be set|Unknown opcode: \d+|Invalid Control Frame|Jetty/i },
  { library: 'Netty', re: /RSV != 0 and no extension negotiated|unknown opcode|received non-continuation data frame while inside fragmented message|invalid UTF-8 bytes/i },
  { library: 'Faye (Ruby/Node)', re: /One or more reserved bits are on|Unrecognized frame opcode|Could not decode a text frame as UTF-8|Received unexpected continuation frame/i },
  { library: 'WebSocket-Node', re: /Unsupported usage of rsv bits|Unrecognized Opcode|Invalid UTF-8 Data Received|Received data frame with rsv/i },
  { library: '.NET', re: /The WebSocket received a frame with one or more reserved bits set|The WebSocket received an invalid frame|System\.Net\.WebSockets/i },
  { library: 'uWebSockets', re: /uWebSockets|Received invalid UTF-8/i },
];

/** The library a close reason points at, or null for generic reasons. */
export function fingerprintCloseReason(reason: string): string | null {
  if (!reason.trim()) return null;
  for (const sig of CLOSE_REASON_SIGNATURES) if (sig.re.test(reason)) return sig.library;
  return null;
}

export const closeReasonFingerprintCheck: CheckDefinition = {
  id: 'RWS-082',
  title: 'Close reasons reveal the WebSocket library',
  category: 'leakage',
  severity: 'info',
  cwe: 497,
  catalogue: ['L1', 'L4'],
  description:
    'Sends a frame with RSV1 set, one with reserved opcode 0x3 and a text frame with invalid UTF-8 (fresh connection each) and matches the close reasons — and all recorded ones — against known library strings. Generic or empty reasons pass; a library match is info; a reason that is not valid UTF-8 is low.',
  remediation:
    'Close with the status code and an empty or generic reason; keep the library\'s error text in server logs. Keep the WebSocket library current (close-reason memory disclosure was fixed in ws 8.20.1).',
  async run(ctx) {
    const probes: Array<{ label: string; frame: Buffer }> = [
      { label: 'RSV1 set on a text frame', frame: buildFrame({ opcode: Opcode.TEXT, rsv1: true, payload: 'rws' }) },
      { label: 'reserved opcode 0x3', frame: buildFrame({ opcode: 0x3, payload: 'rws' }) },
      { label: 'invalid UTF-8 in a text frame', frame: buildFrame({ opcode: Opcode.TEXT, payload: Buffer.from([0xc3, 0x28]) }) },
    ];
    const evidence: Evidence[] = [];
    const findings: FindingDetail[] = [];
    for (const probe of probes) {
      const result = await sendAndWaitClose(ctx, `fingerprint: ${probe.label}`, probe.frame, Math.min(ctx.options.timeoutMs, 3000));
      if ('error' in result) return { status: 'error', message: result.error };
      evidence.push(result.evidence);
      if (result.close.closeFrameReceived && !result.close.reasonValidUtf8) {
        findings.push({
          message: `The close frame after "${probe.label}" carries a reason that is not valid UTF-8 (${result.close.reasonBytes.toString('hex').slice(0, 64)}): possibly uninitialised memory sent to the peer.`,
          severity: 'low',
          evidence: [result.evidence],
        });
      }
      await ctx.pace();
    }
    const libraries = new Map<string, { reason: string; probe: string }>();
    for (const c of ctx.observations.closeReasons) {
      const library = fingerprintCloseReason(c.reason);
      if (library && !libraries.has(library)) libraries.set(library, { reason: c.reason, probe: c.probe });
    }
    for (const [library, seen] of libraries) {
      const sentEvidence = evidence.find((e) => seen.probe.endsWith(e.label));
      findings.push({
        message: `Close reason ${JSON.stringify(seen.reason)} (after ${seen.probe}) matches ${library}: the library and often its version can be identified and its known CVEs targeted.`,
        severity: 'info',
        evidence: [sentEvidence ?? { label: seen.probe, received: `close reason ${JSON.stringify(seen.reason)}` }],
      });
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: 'close reasons are empty or generic', evidence };
  },
};

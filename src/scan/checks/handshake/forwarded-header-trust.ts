/**
 * RWS-022 — per-client limits keyed on spoofable forwarded headers (catalogue H14, CWE-348).
 * Aggressive.
 *
 * Opens baseline connections one after another (paced, at most 100) and keeps them open until
 * the server refuses one (a per-IP or per-user connection limit). Then, with that limit reached:
 * a handshake with `X-Forwarded-For`, `X-Real-IP` and `Forwarded` naming a random documentation
 * address (203.0.113.x), and a plain one as control. All connections are closed afterwards.
 * Safe behaviour: the limit holds (429/403) whatever the forwarded headers say, unless the peer
 * is a configured proxy. Accepted with the headers while the control is refused is a finding.
 * Without any refusal within 100 connections there is no limit to observe: pass with a note.
 */
import { randomInt } from 'node:crypto';
import type { CheckDefinition, Evidence } from '../../types.js';
import type { RawSocket } from '../../wire/raw-client.js';
import { probeOpen, sleep } from '../http-probe.js';

const MAX_CONNECTIONS = 100;

export const forwardedHeaderTrustCheck: CheckDefinition = {
  id: 'RWS-022',
  title: 'Connection limit bypassed with X-Forwarded-For',
  category: 'handshake',
  severity: 'medium',
  cwe: 348,
  catalogue: ['H14'],
  aggressive: true,
  description:
    'Opens up to 100 baseline connections until one is refused (a connection limit), then tries a handshake carrying X-Forwarded-For / X-Real-IP / Forwarded with a random address, and a plain control handshake. Expects the limit to hold for both; closes every connection afterwards.',
  remediation:
    'Take the client address from the socket; believe X-Forwarded-For / Forwarded only when the peer is a configured trusted proxy (and then the right-most untrusted hop). Key bans and limits on that address or on the authenticated user.',
  async run(ctx) {
    const open: RawSocket[] = [];
    try {
      let refusal: Evidence | null = null;
      let refusedStatus: number | undefined;
      for (let i = 0; i < MAX_CONNECTIONS; i++) {
        const probe = await probeOpen(ctx, `connection ${i + 1}`);
        if (!probe.result.ok) {
          refusal = probe.evidence;
          refusedStatus = probe.result.error.status;
          break;
        }
        open.push(probe.result.socket);
        await ctx.pace();
      }
      if (!refusal) {
        return { status: 'pass', note: `${MAX_CONNECTIONS} concurrent connections were accepted: no per-client limit to observe, so forwarded-header trust cannot be tested this way` };
      }
      if (refusedStatus === undefined || ![429, 403, 503].includes(refusedStatus)) {
        return { status: 'pass', note: `connection ${open.length + 1} was refused in an unexpected way, not a limit: ${refusal.received}`, evidence: [refusal] };
      }
      const accepted = open.length;
      const ip = `203.0.113.${randomInt(1, 255)}`;
      const spoofed = await probeOpen(ctx, 'limit reached, forwarded headers', {
        set: { 'X-Forwarded-For': ip, 'X-Real-IP': ip, Forwarded: `for=${ip}` },
      });
      if (spoofed.result.ok) open.push(spoofed.result.socket);
      await ctx.pace();
      const control = await probeOpen(ctx, 'limit reached, control');
      if (control.result.ok) open.push(control.result.socket);
      const evidence = [refusal, spoofed.evidence, control.evidence];
      if (spoofed.result.ok && !control.result.ok) {
        return {
          status: 'fail',
          findings: [
            {
              message: `After ${accepted} connections the server refused more (${refusedStatus}), but accepted one more carrying X-Forwarded-For: ${ip}: the limit is keyed on a header any client can set, so it (and any IP ban) is bypassed.`,
              evidence,
            },
          ],
        };
      }
      return {
        status: 'pass',
        note: spoofed.result.ok ? 'the limit released during the test (the control was accepted too); inconclusive' : `the limit (${refusedStatus} after ${accepted} connections) held with forwarded headers`,
        evidence,
      };
    } finally {
      for (const socket of open) socket.destroy();
      // Give the server time to release the slots, so the liveness canary that follows is fair.
      const deadline = Date.now() + 3000;
      while (open.length > 0 && Date.now() < deadline) {
        await sleep(200);
        const check = await ctx.open();
        if (check.ok) {
          check.socket.destroy();
          break;
        }
      }
    }
  },
};

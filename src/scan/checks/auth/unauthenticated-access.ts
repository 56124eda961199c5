/**
 * RWS-030 — unauthenticated or invalid-credential handshake accepted (catalogue A1, A6;
 * CWE-306).
 *
 * When the baseline carries credentials (Cookie / Authorization, or the rampart profile):
 * 1. the baseline without Cookie and Authorization;
 * 2. the baseline with the same credentials replaced by random values of the same shape.
 * After a 101 the check listens for 1 s: a server that authenticates in the first message, or
 * refuses after the upgrade, closes the socket (then it passes, with a note). Data received on
 * the unauthenticated socket is high; an open but silent socket is medium (it may be waiting
 * for a first-message token, which only a prompt close makes safe).
 * Safe behaviour: 401/403 before any 101 (DESIGN.md), or a prompt close without data.
 * With no credentials in the baseline at all, the endpoint is anonymous by the user's own
 * account: reported as `info`.
 */
import { randomBytes } from 'node:crypto';
import type { ScanContext } from '../../context.js';
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { collectTexts, probeOpen, type HeaderChange } from '../http-probe.js';

function randomLike(value: string): string {
  return randomBytes(Math.max(16, Math.ceil((value.length * 3) / 4)))
    .toString('base64url')
    .slice(0, Math.max(value.length, 22));
}

/** The baseline's credentials replaced by random values of the same shape. */
function bogusCredentials(ctx: ScanContext): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of ctx.baselineHeaders()) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      const match = /^(\S+)\s+(.+)$/.exec(value);
      set[name] = match ? `${match[1]} ${randomLike(match[2]!)}` : randomLike(value);
    } else if (lower === 'cookie') {
      set[name] = value
        .split(';')
        .map((part) => {
          const eq = part.indexOf('=');
          return eq < 0 ? part : `${part.slice(0, eq)}=${randomLike(part.slice(eq + 1).trim())}`;
        })
        .join(';');
    }
  }
  return set;
}

export const unauthenticatedAccessCheck: CheckDefinition = {
  id: 'RWS-030',
  title: 'Handshake accepted without valid credentials',
  category: 'auth',
  severity: 'high',
  cwe: 306,
  catalogue: ['A1', 'A6'],
  description:
    'Sends the baseline handshake without its Cookie/Authorization, then with those replaced by random values of the same shape; after a 101, listens 1 s for a close. Expects 401/403 before the upgrade (or an immediate close). Without any credentials in the baseline, reports the anonymous endpoint as info.',
  remediation:
    'Authenticate in the HTTP upgrade handler before answering 101 (401 for missing or invalid credentials), or close an unauthenticated socket promptly and send nothing before a valid token arrives.',
  async run(ctx) {
    if (!ctx.hasCredentials) {
      const { result, evidence } = await probeOpen(ctx, 'anonymous baseline');
      if (!result.ok) return { status: 'error', message: `the anonymous baseline was refused: ${evidence.received}` };
      const seen = await collectTexts(result.socket, 500, 5, 1500);
      result.socket.destroy();
      for (const t of seen.texts) ctx.noteText(t);
      return {
        status: 'fail',
        findings: [
          {
            message: 'The endpoint accepts anonymous connections (the scan was given no credentials). If it serves user data, scan again with --cookie, --header "Authorization: …" or --profile rampart.',
            severity: 'info',
            evidence: [{ ...evidence, received: `${evidence.received}${seen.texts.length ? `; first frames: ${seen.texts.slice(0, 2).join(' | ').slice(0, 300)}` : ''}` }],
          },
        ],
      };
    }

    const probes: Array<{ label: string; change: HeaderChange; what: string }> = [
      { label: 'no credentials', change: { remove: ['Cookie', 'Authorization'] }, what: 'without any credentials' },
      { label: 'invalid credentials', change: { set: bogusCredentials(ctx) }, what: 'with random credentials of the right shape' },
    ];
    const findings: FindingDetail[] = [];
    const evidence: Evidence[] = [];
    for (const probe of probes) {
      const { result, evidence: item } = await probeOpen(ctx, probe.label, probe.change);
      if (!result.ok) {
        evidence.push(item);
        await ctx.pace();
        continue;
      }
      const seen = await collectTexts(result.socket, 1000, 20, 1500);
      result.socket.destroy();
      for (const t of seen.texts) ctx.noteText(t);
      const frames = seen.texts.length ? `; frames received: ${seen.texts.slice(0, 3).join(' | ').slice(0, 400)}` : '';
      const detail: Evidence = { ...item, received: `${item.received}${seen.closed ? `; then closed${seen.close ? ` ${seen.close.code ?? ''} ${seen.close.reason}` : ''}` : '; still open after 1 s'}${frames}` };
      evidence.push(detail);
      if (seen.closed && seen.texts.length === 0) {
        await ctx.pace();
        continue; // authenticated after the upgrade (first-message auth) and refused: acceptable
      }
      // Data on the socket proves access; an open, silent socket may still wait for a first-message token.
      const silent = seen.texts.length === 0;
      findings.push({
        message: `A handshake ${probe.what} was accepted (101)${seen.closed ? ' and the server sent data before closing' : silent ? ' and the socket stayed open (no data within 1 s)' : ' and the server sent data on it'}: ${probe.label === 'no credentials' ? 'the endpoint does not require authentication although the baseline uses credentials' : 'credentials are not validated'}.${silent ? ' If this endpoint authenticates in the first message, make sure it closes unauthenticated sockets within seconds and sends nothing before.' : ''}`,
        ...(silent ? { severity: 'medium' as const } : {}),
        evidence: [detail],
      });
      await ctx.pace();
    }
    if (findings.length > 0) return { status: 'fail', findings };
    return { status: 'pass', note: 'handshakes without or with invalid credentials were refused', evidence };
  },
};

/**
 * RWS-033 — short or predictable session tokens (catalogue A5, CWE-330). Profile rampart.
 *
 * Collects 3 session tokens of the profile user (the profile's and 2 more logins, which are
 * logged out again) and estimates their entropy: the part that varies between tokens, times the
 * bits per character of their alphabet (decimal 3.3, hex 4, base64/base64url 6). JWTs are not
 * estimated (their strength is the signature key). Also looks for sequential numbers.
 * Safe behaviour: ≥ 128 bits from a CSPRNG (Rampart: 256 bits, base64url), nothing sequential.
 */
import type { CheckDefinition, Evidence } from '../../types.js';
import { httpJson } from '../../http-client.js';

export interface TokenAnalysis {
  kind: 'jwt' | 'opaque';
  /** Estimated entropy of one token in bits (opaque tokens). */
  bits: number;
  alphabet: string;
  sequential: boolean;
  identical: boolean;
}

function commonPrefix(values: string[]): number {
  let n = 0;
  while (values.every((v) => n < v.length && v[n] === values[0]![n])) n++;
  return n;
}

function commonSuffix(values: string[]): number {
  let n = 0;
  while (values.every((v) => n < v.length && v[v.length - 1 - n] === values[0]![values[0]!.length - 1 - n])) n++;
  return n;
}

export function analyzeTokens(tokens: string[]): TokenAnalysis {
  if (tokens.every((t) => /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(t))) {
    return { kind: 'jwt', bits: Infinity, alphabet: 'JWT', sequential: false, identical: new Set(tokens).size === 1 };
  }
  const joined = tokens.join('');
  const [alphabet, perChar] = /^[0-9]+$/.test(joined)
    ? ['decimal', Math.log2(10)]
    : /^[0-9a-f]+$/i.test(joined)
      ? ['hex', 4]
      : /^[A-Za-z0-9_\-+/=]+$/.test(joined)
        ? ['base64', 6]
        : ['printable', Math.log2(95)];
  const identical = new Set(tokens).size === 1;
  const prefix = tokens.length > 1 && !identical ? commonPrefix(tokens) : 0;
  const suffix = tokens.length > 1 && !identical ? commonSuffix(tokens.map((t) => t.slice(prefix))) : 0;
  const varying = Math.min(...tokens.map((t) => t.length - prefix - suffix));
  const bits = Math.round(varying * (perChar as number));
  // Sequential: the same skeleton around a number that only moves a little between logins.
  const skeletons = new Set(tokens.map((t) => t.replace(/\d+/g, '#')));
  let sequential = false;
  if (!identical && skeletons.size === 1) {
    const numbers = tokens.map((t) => (t.match(/\d+/g) ?? []).map(Number));
    const positions = numbers[0]!.length;
    for (let i = 0; i < positions; i++) {
      const values = numbers.map((n) => n[i]!);
      if (new Set(values).size > 1 && Math.max(...values) - Math.min(...values) <= 1000) sequential = true;
    }
  }
  return { kind: 'opaque', bits, alphabet: alphabet as string, sequential, identical };
}

function mask(token: string): string {
  return token.length <= 12 ? token : `${token.slice(0, 6)}…${token.slice(-4)} (${token.length} chars)`;
}

export const sessionTokenStrengthCheck: CheckDefinition = {
  id: 'RWS-033',
  title: 'Session tokens are short or predictable',
  category: 'auth',
  severity: 'medium',
  cwe: 330,
  catalogue: ['A5'],
  profile: 'rampart',
  description:
    'Collects 3 session tokens of the profile user (2 extra logins, logged out afterwards), estimates the entropy of the part that varies and looks for sequential numbers. Expects ≥ 128 bits and no sequence.',
  remediation:
    'Generate session tokens from a CSPRNG with at least 128 bits (e.g. 32 random bytes, base64url) and never derive them from counters, time or user data.',
  async run(ctx) {
    const profile = ctx.options.profile;
    if (!profile || !ctx.rampart) return { status: 'skipped', reason: 'needs --profile rampart' };
    const originHeader: Record<string, string> = ctx.options.origin ? { origin: ctx.options.origin } : {};
    const tls = ctx.options.tls ? { tls: ctx.options.tls } : {};
    const tokens = [ctx.rampart.token];
    const extra: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        await ctx.pace();
        const login = await httpJson(`${ctx.httpBase}/api/login`, { body: { username: profile.user, password: profile.password }, headers: originHeader, ...tls });
        const token = (login.body as { token?: unknown } | null)?.token;
        if (login.status !== 200 || typeof token !== 'string') return { status: 'error', message: `login ${i + 2} failed: HTTP ${login.status}` };
        tokens.push(token);
        extra.push(token);
      }
    } finally {
      for (const token of extra) {
        if (token === ctx.rampart.token) continue;
        await httpJson(`${ctx.httpBase}/api/logout`, { method: 'POST', body: {}, headers: { ...originHeader, authorization: `Bearer ${token}` }, ...tls }).catch(() => undefined);
      }
    }
    const analysis = analyzeTokens(tokens);
    const evidence: Evidence[] = [
      {
        label: '3 session tokens from POST /api/login',
        sent: `POST ${ctx.httpBase}/api/login ×2 (plus the profile's session)`,
        received: `${tokens.map(mask).join(', ')}; ${analysis.kind === 'jwt' ? 'JWTs' : `${analysis.alphabet}, ≈${analysis.bits} bits varying`}${analysis.sequential ? ', sequential' : ''}`,
      },
    ];
    if (analysis.kind === 'jwt') return { status: 'pass', note: 'the tokens are JWTs; their strength is the signing key, not measurable from outside', evidence };
    if (analysis.identical) {
      return { status: 'fail', findings: [{ message: 'Every login returned the same session token: sessions are shared between logins, so logging out one logs out all and a leaked token never rotates.', severity: 'low', evidence }] };
    }
    const problems: string[] = [];
    if (analysis.sequential) problems.push('the tokens contain a number that increases between logins (predictable: other users\' tokens can be guessed)');
    if (analysis.bits < 128) problems.push(`only about ${analysis.bits} bits vary between tokens (< 128)`);
    if (problems.length > 0) {
      return { status: 'fail', findings: [{ message: `Session tokens are weak: ${problems.join('; ')}.`, severity: analysis.sequential ? 'high' : 'medium', evidence }] };
    }
    return { status: 'pass', note: `≈${analysis.bits} bits of varying ${analysis.alphabet} per token, no sequence`, evidence };
  },
};

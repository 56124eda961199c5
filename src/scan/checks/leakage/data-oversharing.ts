/**
 * RWS-083 — data over-sharing in server frames (catalogue L3, CWE-359).
 *
 * Passive: reads what a baseline connection receives in its first ~1.5 s (greeting, presence,
 * history) plus every server text other checks recorded, and looks for what ZAP's passive
 * WebSocket rules look for: e-mail addresses, private IPv4 addresses (RFC 1918, link-local),
 * JWT-looking tokens, and payment-card numbers (15/16 digits with a card prefix and a valid Luhn
 * check, so epoch-millisecond timestamps are not mistaken for cards).
 * Safe behaviour: frames carry only what the client needs (Rampart: ids, names, text, seq).
 * Anything found is low: it may be the user's own data, which the report cannot know.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { collectTexts } from '../http-probe.js';

export interface Overshare {
  kind: string;
  match: string;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const EMAIL = /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g;
const IPV4 = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/g;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const CARD = /(?<![\d.])(?:\d[ -]?){14,15}\d(?![\d.])/g;

/** Sensitive-looking data in one server text. */
export function findOvershares(text: string): Overshare[] {
  const out: Overshare[] = [];
  for (const m of text.matchAll(EMAIL)) out.push({ kind: 'e-mail address', match: m[0] });
  for (const m of text.matchAll(IPV4)) {
    const [a, b, c, d] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    if ([a, b, c, d].some((o) => o > 255)) continue;
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) out.push({ kind: 'private IP address', match: m[0] });
  }
  for (const m of text.matchAll(JWT)) out.push({ kind: 'JWT', match: `${m[0].slice(0, 24)}…` });
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/[ -]/g, '');
    const prefixed = /^(?:4\d{15}|5[1-5]\d{14}|2[2-7]\d{14}|3[47]\d{13}|6(?:011|5\d\d)\d{12})$/.test(digits);
    if (prefixed && luhn(digits)) out.push({ kind: 'payment card number', match: `${digits.slice(0, 4)}…${digits.slice(-4)}` });
  }
  return out;
}

export const dataOversharingCheck: CheckDefinition = {
  id: 'RWS-083',
  title: 'Sensitive data in server frames (e-mails, private IPs, tokens, card numbers)',
  category: 'leakage',
  severity: 'low',
  cwe: 359,
  catalogue: ['L3'],
  description:
    'Listens ~1.5 s on a baseline connection and reads every server text recorded during the scan for e-mail addresses, private IPv4 addresses, JWT-looking tokens and Luhn-valid card numbers. Expects none.',
  remediation:
    'Send each client only the fields it needs: public profile data in presence and messages, never internal addresses, other users\' contact data or credentials; keep server-only metadata out of broadcasts.',
  async run(ctx) {
    const evidence: Evidence[] = [];
    const opened = await ctx.open();
    if (opened.ok) {
      try {
        const seen = await collectTexts(opened.socket, 800, 50, 1500);
        for (const t of seen.texts) ctx.noteText(t);
        evidence.push({ label: 'baseline connection', received: `${seen.texts.length} text frames in the first 1.5 s` });
      } finally {
        opened.socket.destroy();
      }
    }
    const found = new Map<string, FindingDetail>();
    for (const text of ctx.observations.serverTexts) {
      for (const item of findOvershares(text)) {
        const key = `${item.kind}:${item.match}`;
        if (found.has(key) || found.size >= 20) continue;
        found.set(key, {
          message: `A server frame carries ${/^[aeiou]/i.test(item.kind) ? 'an' : 'a'} ${item.kind} (${item.match}). Check that this client should see it: broadcasts and greetings should carry only what the client needs.`,
          evidence: [{ label: 'server frame', received: text.slice(0, 600) }],
        });
      }
    }
    if (found.size > 0) return { status: 'fail', findings: [...found.values()] };
    return { status: 'pass', note: `${ctx.observations.serverTexts.length} server texts checked`, evidence };
  },
};

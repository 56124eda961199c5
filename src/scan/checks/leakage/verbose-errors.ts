/**
 * RWS-081 — verbose application errors (catalogue L2, CWE-209).
 *
 * On one baseline connection (reopened if the server closes it; at most 5 probes), sends
 * malformed or odd application frames and reads the replies for ~1 s each:
 * truncated JSON, an unknown `type`, a number that overflows (1e999), quote/SQL metacharacters,
 * and structured values where strings are expected. Then inspects those replies, the close
 * reasons and every server text other checks recorded for stack traces (`at fn (file:line:col)`,
 * Java/Python/Go/.NET/PHP/Ruby traces), SQL error text, source file paths and exception class names.
 * Safe behaviour: short error replies with stable codes (Rampart: BAD_REQUEST, UNKNOWN_TYPE).
 * Stack traces, SQL errors and paths are medium; a bare exception class name is low.
 * The probes are read-only: no message is stored or sent to other users.
 */
import type { CheckDefinition, Evidence, FindingDetail, Severity } from '../../types.js';
import type { RawSocket } from '../../wire/raw-client.js';
import { buildFrame, Opcode, toHex } from '../../wire/frame.js';
import { collectTexts } from '../http-probe.js';

export interface ErrorLeak {
  kind: string;
  match: string;
  severity: Severity;
}

const PATTERNS: Array<{ kind: string; re: RegExp; severity: Severity }> = [
  { kind: 'JavaScript stack trace', re: /\bat (?:[\w$.<>[\] ]+ )?\(?(?:file:\/\/\/?|\/|[A-Za-z]:\\|node:)[^\s()'"]*:\d+:\d+\)?/, severity: 'medium' },
  { kind: 'Java/Kotlin stack trace', re: /\bat [\w$]+(?:\.[\w$<>]+)+\([\w$]+\.(?:java|kt|scala):\d+\)/, severity: 'medium' },
  { kind: 'Python traceback', re: /Traceback \(most recent call last\)|File "[^"]+", line \d+/, severity: 'medium' },
  { kind: 'Go panic', re: /goroutine \d+ \[[a-z ]+\]:|panic: runtime error/, severity: 'medium' },
  { kind: '.NET stack trace', re: / at [\w.`<>]+\([^)]*\) in [^\n]+?:line \d+/, severity: 'medium' },
  { kind: 'PHP error', re: /(?:Fatal error|Warning|Notice|Parse error): .{1,200}? in .{1,200}? on line \d+/, severity: 'medium' },
  { kind: 'Ruby backtrace', re: /\.rb:\d+:in `/, severity: 'medium' },
  {
    kind: 'SQL error',
    re: /SQLITE_[A-Z]+|SQLSTATE\[?\w*\]?|ORA-\d{5}|PG::\w+Error|syntax error at or near|You have an error in your SQL syntax|unterminated quoted string|near "[^"]*": syntax error|SQLException|MySqlException|Unclosed quotation mark|psycopg2\.\w+/i,
    severity: 'medium',
  },
  { kind: 'server file path', re: /(?:^|[\s"'(=:])(?:\/[\w.@-]+){2,}\.(?:js|mjs|cjs|ts|py|rb|php|java|go|cs|kt|scala|rs)\b|\b[A-Za-z]:\\(?:[\w .@-]+\\)+[\w .@-]+\.\w{1,5}\b/, severity: 'medium' },
  { kind: 'exception class name', re: /\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\b(?=[:\s(,"]|$)/, severity: 'low' },
];

/** Error-disclosure patterns in one server text, most specific first, one per kind. */
export function findErrorLeaks(text: string): ErrorLeak[] {
  const out: ErrorLeak[] = [];
  // JSON-escaped replies (stack traces inside a JSON string): look at the unescaped form too.
  const variants = [text, text.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')];
  for (const p of PATTERNS) {
    for (const v of variants) {
      const m = p.re.exec(v);
      if (m) {
        out.push({ kind: p.kind, match: m[0].trim().slice(0, 160), severity: p.severity });
        break;
      }
    }
  }
  return out;
}

const PROBES: Array<{ label: string; text: string }> = [
  { label: 'truncated JSON', text: '{"type":' },
  { label: 'unknown type', text: '{"type":"rws_probe_unknown_type","id":"rws-probe-1"}' },
  { label: 'overflowing number', text: '{"type":"rws_probe","id":"rws-probe-2","value":1e999,"n":-1e-999}' },
  { label: 'quote and SQL metacharacters', text: '{"type":"rws_probe","id":"rws-probe-3","value":"\'\\";--/*"}' },
  { label: 'structured values where strings are expected', text: '{"type":["rws_probe"],"id":{"$gt":""}}' },
];

export const verboseErrorsCheck: CheckDefinition = {
  id: 'RWS-081',
  title: 'Verbose application errors (stack traces, SQL, file paths)',
  category: 'leakage',
  severity: 'medium',
  cwe: 209,
  catalogue: ['L2', 'I5'],
  description:
    'Sends truncated JSON, an unknown type, an overflowing number, quote/SQL metacharacters and type-confused values on a baseline connection; inspects replies, close reasons and all recorded server texts for stack traces, SQL errors, file paths and exception names.',
  remediation:
    'Answer bad input with short, stable error codes (BAD_REQUEST, UNKNOWN_TYPE, INTERNAL); log details server-side only; never send err.stack, SQL text or paths to clients; close with generic reasons.',
  async run(ctx) {
    const replies: Array<{ probe: string; sent: string; text: string }> = [];
    let socket: RawSocket | null = null;
    const evidence: Evidence[] = [];
    try {
      for (const probe of PROBES) {
        if (!socket || socket.tcpClosed || socket.closeFrame) {
          socket?.destroy();
          const opened = await ctx.open();
          if (!opened.ok) return replies.length > 0 ? { status: 'error', message: `reconnect refused: ${opened.error.message}` } : { status: 'error', message: `baseline handshake refused: ${opened.error.message}` };
          socket = opened.socket;
          const greeting = await collectTexts(socket, 400, 10, 1500);
          for (const t of greeting.texts) ctx.noteText(t);
        }
        const frame = buildFrame({ opcode: Opcode.TEXT, payload: probe.text });
        socket.write(frame);
        const seen = await collectTexts(socket, 700, 10, 2000);
        for (const t of seen.texts) {
          ctx.noteText(t);
          replies.push({ probe: probe.label, sent: `${probe.text} (frame ${toHex(frame, 24)})`, text: t });
        }
        if (seen.close) {
          ctx.noteClose(`verbose-errors: ${probe.label}`, seen.close.code, seen.close.reason);
          replies.push({ probe: probe.label, sent: probe.text, text: `close ${seen.close.code ?? ''} ${seen.close.reason}` });
        }
        evidence.push({ label: probe.label, sent: probe.text, received: seen.texts.length ? seen.texts.join(' | ').slice(0, 300) : seen.closed ? 'connection closed' : 'no reply' });
        await ctx.pace();
      }
    } finally {
      socket?.destroy();
    }

    const sources = [
      ...replies.map((r) => ({ where: `reply to ${r.probe}`, sent: r.sent, text: r.text })),
      ...ctx.observations.serverTexts.map((text) => ({ where: 'a server frame seen during the scan', sent: undefined, text })),
      ...ctx.observations.closeReasons.map((c) => ({ where: `close reason after ${c.probe}`, sent: undefined, text: c.reason })),
    ];
    const found = new Map<string, FindingDetail>();
    for (const source of sources) {
      for (const leak of findErrorLeaks(source.text)) {
        if (found.has(leak.kind)) continue;
        found.set(leak.kind, {
          message: `${leak.kind} disclosed in ${source.where}: ${JSON.stringify(leak.match)}. Error details tell an attacker the stack, the queries and the file layout.`,
          severity: leak.severity,
          evidence: [{ label: source.where, ...(source.sent ? { sent: source.sent } : {}), received: source.text.slice(0, 800) }],
        });
      }
    }
    if (found.size > 0) return { status: 'fail', findings: [...found.values()] };
    return { status: 'pass', note: `${replies.length} replies and ${ctx.observations.serverTexts.length} recorded server texts show no error details`, evidence };
  },
};

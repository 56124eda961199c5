/**
 * Handshake abuse and injection over real sockets (catalogue H4, H5, H7, H8, I3, I4).
 *
 *   H4  malformed Origin / Host (`http://[`, `[`, control characters, obs-text, 15 KB and 70 KB
 *       values) → 400, 403 or 431 and the process lives;
 *   H5  ReDoS-shaped Sec-WebSocket-Protocol and
 *   H7  ReDoS-shaped / prototype-named Sec-WebSocket-Extensions, against a server with compression
 *       off (the default) and one with permessage-deflate on → refused or accepted, never a crash,
 *       every answer within 1 s and not slower than a normal handshake by more than 400 ms
 *       (STEWS flags a 0.4 s difference);
 *   H8  an upgrade with 2 500 headers (the Upgrade header beyond Node's maxHeadersCount of 2 000,
 *       CVE-2024-37890) → 400 or 431;
 *   I3  SQL and quoting payloads in chat text are stored and returned verbatim; SQL-ish room names,
 *       user names and nonces are refused by the schema (BAD_REQUEST);
 *   I4  prototype-pollution frames get BAD_REQUEST and the connection (and everyone else) is still
 *       no admin: FORBIDDEN where only an owner or an admin may act.
 * After each group a liveness check: a fresh client joins, sends and receives its own message.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, PASSWORD, registerAndLogin, TestClient, uniqueName, type Frame } from '../helpers/client.js';
import { buildRequest, RawConnection, wsKey } from '../helpers/raw-http.js';

const LIFTED = {
  maxConnectionsPerIp: 10_000,
  maxConnectionsPerUser: 10_000,
  messagesPerSecond: 100_000,
  messageBurst: 100_000,
  userMessagesPerSecond: 100_000,
  userMessageBurst: 100_000,
};
/** Every abusive handshake is answered within this. */
const ANSWER_MS = 1000;
/** ... and is not slower than a normal handshake by more than this (STEWS' threshold). */
const SLACK_MS = 400;

interface Target {
  t: TestServer;
  port: number;
  token: string;
  canary: string;
  /** Median time of a normal, accepted handshake (ms). */
  baselineMs: number;
}

interface Answer {
  /** null: the server closed (or timed out) without a response head. */
  status: number | null;
  headers: Record<string, string>;
  elapsedMs: number;
  closedWithoutAnswer: boolean;
}

/** Writes `request` (latin1, so obs-text bytes go out as single bytes) and reads the response head. */
async function exchange(port: number, request: string | Buffer, timeoutMs = 3000): Promise<Answer> {
  const conn = await RawConnection.open(port);
  try {
    const started = performance.now();
    conn.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
    try {
      const head = await conn.waitForHead(timeoutMs);
      return { status: head.status, headers: head.headers, elapsedMs: performance.now() - started, closedWithoutAnswer: false };
    } catch {
      return { status: null, headers: {}, elapsedMs: performance.now() - started, closedWithoutAnswer: conn.closed };
    }
  } finally {
    conn.destroy();
  }
}

type HeaderList = Array<[string, string | undefined]>;

/** A valid bearer upgrade to /ws; `overrides` replace (or with undefined remove) headers by name, others are appended. */
function upgradeRequest(port: number, token: string, overrides: HeaderList = []): string {
  const headers: HeaderList = [
    ['Host', `127.0.0.1:${port}`],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', wsKey()],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Protocol', 'rampart.v1'],
    ['Authorization', `Bearer ${token}`],
  ];
  for (const [name, value] of overrides) {
    const at = headers.findIndex(([k]) => k.toLowerCase() === name.toLowerCase());
    if (at >= 0) headers[at] = [headers[at]![0], value];
    else headers.push([name, value]);
  }
  return buildRequest('GET /ws HTTP/1.1', headers);
}

async function startTarget(overrides: Record<string, unknown> = {}): Promise<Target> {
  const t = await startTestServer({ ...LIFTED, ...overrides });
  const [u, c] = await Promise.all([registerAndLogin(t.url), registerAndLogin(t.url)]);
  const port = t.server.port;
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const a = await exchange(port, upgradeRequest(port, u.token));
    assert.equal(a.status, 101, 'a normal handshake is accepted');
    times.push(a.elapsedMs);
  }
  times.sort((x, y) => x - y);
  return { t, port, token: u.token, canary: c.token, baselineMs: times[3]! };
}

let aliveCounter = 0;
async function assertAlive(target: Target): Promise<void> {
  const res = await fetch(`${target.t.url}/healthz`);
  assert.equal(res.status, 200, 'healthz');
  const c = await TestClient.connect(target.t.wsUrl, target.canary);
  try {
    const joined = await c.request({ type: 'join', room: 'general' });
    assert.equal(joined.type, 'ok', JSON.stringify(joined));
    const n = ++aliveCounter;
    const text = `alive ${n}`;
    const sent = await c.request({ type: 'send', room: 'general', text, nonce: `alive-${n}` });
    assert.equal(sent.type, 'ok', JSON.stringify(sent));
    const echo = await c.waitFor((f) => f.type === 'message' && f.seq === sent.seq);
    assert.equal(echo.text, text);
  } finally {
    c.close();
  }
}

const show = (s: string): string => (s.length > 60 ? `${JSON.stringify(s.slice(0, 40))}…(${s.length} chars)` : JSON.stringify(s));

/**
 * Sends the same abusive request three times: every answer has an allowed status and comes
 * within ANSWER_MS; the fastest is within SLACK_MS of the normal handshake (ReDoS is slow every time).
 */
async function abuse(target: Target, label: string, request: () => string, allowed: readonly number[], diagnostic?: (m: string) => void): Promise<Answer> {
  const answers: Answer[] = [];
  for (let i = 0; i < 3; i++) answers.push(await exchange(target.port, request()));
  for (const a of answers) {
    assert.ok(a.status !== null && allowed.includes(a.status), `${label}: status ${a.status ?? `none (closed: ${a.closedWithoutAnswer})`}, expected ${allowed.join(' or ')}`);
    assert.ok(a.elapsedMs < ANSWER_MS, `${label}: answered after ${a.elapsedMs.toFixed(0)} ms (limit ${ANSWER_MS})`);
  }
  const fastest = Math.min(...answers.map((a) => a.elapsedMs));
  diagnostic?.(
    `${label}: status ${answers.map((a) => a.status).join('/')}, ${answers.map((a) => a.elapsedMs.toFixed(1)).join('/')} ms (normal handshake ${target.baselineMs.toFixed(1)} ms)`,
  );
  assert.ok(
    fastest <= target.baselineMs + SLACK_MS,
    `${label}: ${fastest.toFixed(1)} ms vs a normal handshake's ${target.baselineMs.toFixed(1)} ms (slack ${SLACK_MS} ms)`,
  );
  return answers[0]!;
}

// ───────────────────────────── H4, H8 ─────────────────────────────

describe('H4: malformed Origin and Host', { timeout: 60_000 }, () => {
  let target: Target;
  before(async () => {
    target = await startTarget();
  });
  after(() => target?.t.close());

  const originCases: Array<[string, string]> = [
    ['unterminated IPv6 origin', 'http://['],
    ['IPv6 origin with junk', 'http://[::1'],
    ['scheme only', 'http://'],
    ['null', 'null'],
    ['no scheme', '['],
    ['percent junk', 'http://%zz%00'],
    ['HTAB inside (a legal header byte)', 'http://a\tb'],
    ['obs-text bytes (legal in Node)', 'http://\xff\xfe\x80'],
    ['15 KB origin (under the 16 KiB header cap)', `http://${'a'.repeat(15_000)}.example`],
  ];
  for (const [label, origin] of originCases) {
    it(`Origin ${label} → 400 or 403`, async (t) => {
      const a = await exchange(target.port, upgradeRequest(target.port, target.token, [['Origin', origin]]));
      t.diagnostic(`status ${a.status} in ${a.elapsedMs.toFixed(1)} ms`);
      assert.ok(a.status === 400 || a.status === 403, `Origin ${show(origin)}: status ${a.status}`);
    });
  }

  it('Origin http://[ on a cookie-authenticated upgrade → 403', async () => {
    const a = await exchange(
      target.port,
      upgradeRequest(target.port, target.token, [
        ['Authorization', undefined],
        ['Cookie', `rampart_session=${target.token}`],
        ['Origin', 'http://['],
      ]),
    );
    assert.equal(a.status, 403);
  });

  const hostCases: Array<[string, string]> = [
    ['[', '['],
    ['[::1', '[::1'],
    ['empty', ''],
    ['port only', ':80'],
    ['obs-text', '\xff\xfe'],
    ['15 KB host', 'a'.repeat(15_000)],
    ['userinfo', 'evil@127.0.0.1'],
  ];
  for (const [label, host] of hostCases) {
    it(`Host ${label} → 400 or 403`, async (t) => {
      const a = await exchange(target.port, upgradeRequest(target.port, target.token, [['Host', host]]));
      t.diagnostic(`status ${a.status} in ${a.elapsedMs.toFixed(1)} ms`);
      assert.ok(a.status === 400 || a.status === 403, `Host ${show(host)}: status ${a.status}`);
    });
  }

  // Node's parser refuses these bytes in a header value itself (400) before any handler runs.
  const controls: Array<[string, string]> = [
    ['NUL', '\x00'],
    ['SOH', '\x01'],
    ['ESC', '\x1b[31m'],
    ['DEL', '\x7f'],
    ['bare CR', '\rX-Injected: 1'],
    ['bare LF', '\nX-Injected: 1'],
    ['vertical tab', '\x0b'],
    ['form feed', '\x0c'],
  ];
  for (const [label, ch] of controls) {
    it(`control character ${label} in Origin and in Host → 400 (or 403), no crash`, async (t) => {
      for (const header of ['Origin', 'Host']) {
        const value = header === 'Origin' ? `http://a${ch}b` : `127.0.0.1${ch}:${target.port}`;
        const a = await exchange(target.port, upgradeRequest(target.port, target.token, [[header, value]]));
        t.diagnostic(`${header}: status ${a.status}`);
        assert.ok(a.status === 400 || a.status === 403, `${header} with ${label}: status ${a.status ?? `none (closed: ${a.closedWithoutAnswer})`}`);
      }
    });
  }

  it('a 70 KB Origin (beyond the 16 KiB header cap) → 431 (or 400)', async (t) => {
    const a = await exchange(target.port, upgradeRequest(target.port, target.token, [['Origin', `http://${'a'.repeat(70_000)}`]]));
    t.diagnostic(`status ${a.status} in ${a.elapsedMs.toFixed(1)} ms`);
    assert.ok(a.status === 431 || a.status === 400, `status ${a.status}`);
  });

  it('liveness after H4', () => assertAlive(target));

  describe('H8: 2 500 headers (CVE-2024-37890 shape)', () => {
    it('2 500 tiny headers before the WebSocket ones (Upgrade beyond maxHeadersCount) → 400 or 431', async (t) => {
      // Names are base-36 counters with empty values: the whole block stays under 16 KiB, so only
      // the count is abusive and Node drops every header after the 2 000th from req.headers.
      const junk: HeaderList = Array.from({ length: 2500 }, (_, i) => [i.toString(36), '']);
      const valid = upgradeRequest(target.port, target.token).split('\r\n').slice(1, -2);
      const request = `GET /ws HTTP/1.1\r\n${junk.map(([k]) => `${k}:\r\n`).join('')}${valid.map((l) => `${l}\r\n`).join('')}\r\n`;
      assert.ok(Buffer.byteLength(request) < 16 * 1024, `request is ${Buffer.byteLength(request)} bytes`);
      const a = await exchange(target.port, request);
      t.diagnostic(`status ${a.status} in ${a.elapsedMs.toFixed(1)} ms`);
      assert.ok(a.status === 400 || a.status === 431, `status ${a.status ?? `none (closed: ${a.closedWithoutAnswer})`}`);
    });

    it('2 500 ordinary headers (beyond the 16 KiB cap) → 431 (or 400)', async (t) => {
      const junk: HeaderList = Array.from({ length: 2500 }, (_, i) => [`X-Header-${i}`, 'value']);
      const a = await exchange(target.port, upgradeRequest(target.port, target.token, junk));
      t.diagnostic(`status ${a.status} in ${a.elapsedMs.toFixed(1)} ms`);
      assert.ok(a.status === 431 || a.status === 400, `status ${a.status ?? `none (closed: ${a.closedWithoutAnswer})`}`);
    });

    it('liveness after H8', () => assertAlive(target));
  });
});

// ───────────────────────────── H5, H7 ─────────────────────────────

for (const deflate of [false, true]) {
  describe(`H5/H7: ReDoS-shaped negotiation headers, permessage-deflate ${deflate ? 'on' : 'off (default)'}`, { timeout: 60_000 }, () => {
    let target: Target;
    before(async () => {
      target = await startTarget({ permessageDeflate: deflate });
    });
    after(() => target?.t.close());

    const protocols: Array<[string, () => string, readonly number[]]> = [
      ["'a,' × 5000", () => 'a,'.repeat(5000), [400]],
      ["'rampart.v1' + 10 000 spaces + 'x'", () => `rampart.v1${' '.repeat(10_000)}x`, [400]],
      ["'rampart.v1,' + ' ,' × 200 (under 512 chars)", () => `rampart.v1,${' ,'.repeat(200)}`, [400]],
      ["'b' + 30 000 spaces + 'x' (beyond the header cap)", () => `b${' '.repeat(30_000)}x`, [431, 400]],
      ['66 000 spaces (beyond the header cap)', () => ' '.repeat(66_000), [431, 400]],
      ["'rampart.v1, ' + 400-char token (legal)", () => `rampart.v1, ${'x'.repeat(400)}`, [101]],
      ['17 offers', () => Array.from({ length: 17 }, (_, i) => (i === 0 ? 'rampart.v1' : `p${i}`)).join(','), [400]],
    ];
    for (const [label, value, allowed] of protocols) {
      it(`H5 Sec-WebSocket-Protocol ${label} → ${allowed.join('/')} within ${ANSWER_MS} ms, flat latency`, async (t) => {
        await abuse(target, `protocol ${label}`, () => upgradeRequest(target.port, target.token, [['Sec-WebSocket-Protocol', value()]]), allowed, (m) => t.diagnostic(m));
      });
    }

    it('H5 STEWS comparison: 66 000 vs 30 000 spaces differ by < 400 ms', async (t) => {
      const time = async (n: number): Promise<number> => {
        const a = await exchange(target.port, upgradeRequest(target.port, target.token, [['Sec-WebSocket-Protocol', `b${' '.repeat(n)}x`]]));
        return a.elapsedMs;
      };
      const t30 = Math.min(await time(30_000), await time(30_000));
      const t66 = Math.min(await time(66_000), await time(66_000));
      t.diagnostic(`30k: ${t30.toFixed(1)} ms, 66k: ${t66.toFixed(1)} ms`);
      assert.ok(Math.abs(t66 - t30) < SLACK_MS, `30k: ${t30.toFixed(1)} ms, 66k: ${t66.toFixed(1)} ms`);
    });

    // Compression off: ws never parses the header, so every value is ignored (101, no extension).
    // Compression on: ws parses it; a malformed or unacceptable value is a 400, anything else a 101.
    const allowed: readonly number[] = deflate ? [101, 400] : [101];
    const extensions: Array<[string, string]> = [
      ...[26, 27, 28].map((n): [string, string] => [`a;b="\\c × ${n} (unterminated)`, `a;b="${'\\c'.repeat(n)}`]),
      ...[26, 27, 28].map((n): [string, string] => [`a;b="\\c × ${n}"`, `a;b="${'\\c'.repeat(n)}"`]),
      ['a;b="\\c × 3000"', `a;b="${'\\c'.repeat(3000)}"`],
      ['permessage-deflate; x="\\c × 3000', `permessage-deflate; x="${'\\c'.repeat(3000)}`],
      ['constructor', 'constructor'],
      ['__proto__', '__proto__'],
      ['hasOwnProperty', 'hasOwnProperty'],
      ['constructor; __proto__=1; hasOwnProperty', 'constructor; __proto__=1; hasOwnProperty'],
      ['permessage-deflate; __proto__', 'permessage-deflate; __proto__'],
      ['permessage-deflate; constructor=1', 'permessage-deflate; constructor=1'],
      ['permessage-deflate; hasOwnProperty; toString', 'permessage-deflate; hasOwnProperty; toString'],
      ['permessage-deflate; client_max_window_bits=__proto__', 'permessage-deflate; client_max_window_bits=__proto__'],
      ['permessage-deflate × 500', Array(500).fill('permessage-deflate').join(', ')],
      ['permessage-deflate; ' + "';' × 5000", `permessage-deflate${';'.repeat(5000)}`],
      ['permessage-deflate' + "' ' × 10 000 + 'x'", `permessage-deflate${' '.repeat(10_000)}x`],
    ];
    for (const [label, value] of extensions) {
      it(`H7 Sec-WebSocket-Extensions ${label} → ${allowed.join('/')} within ${ANSWER_MS} ms, flat latency`, async (t) => {
        const a = await abuse(target, `extensions ${label}`, () => upgradeRequest(target.port, target.token, [['Sec-WebSocket-Extensions', value]]), allowed, (m) => t.diagnostic(m));
        if (a.headers['sec-websocket-extensions'] !== undefined) t.diagnostic(`negotiated: ${a.headers['sec-websocket-extensions']}`);
        if (!deflate) assert.equal(a.headers['sec-websocket-extensions'], undefined, 'compression off: no extension is ever negotiated');
        else if (a.status === 101 && a.headers['sec-websocket-extensions'] !== undefined) {
          assert.match(a.headers['sec-websocket-extensions'], /^permessage-deflate\b/, 'only permessage-deflate is ever negotiated');
          assert.doesNotMatch(a.headers['sec-websocket-extensions'], /__proto__|constructor|hasOwnProperty/);
        }
      });
    }

    it(`liveness after H5/H7 (deflate ${deflate ? 'on' : 'off'})`, () => assertAlive(target));
  });
}

// ─────────────── refusals by ws after the gate (H5/H7 values the gate lets through) ───────────────

/**
 * Some values pass the gate's own checks and are refused by `ws` in handleUpgrade (400): a
 * duplicated subprotocol (ws' parser refuses duplicates; the gate's does not) and, with
 * permessage-deflate on, a malformed or unacceptable Sec-WebSocket-Extensions. The gate has
 * reserved the client IP's connection slot by then; the refusal must give it back, or 32 such
 * requests (maxConnectionsPerIp) lock the IP out with 429 while it holds no connection at all.
 */
for (const [deflate, header, value, label] of [
  [false, 'Sec-WebSocket-Protocol', 'rampart.v1, rampart.v1', 'a duplicated subprotocol'],
  [true, 'Sec-WebSocket-Extensions', 'permessage-deflate; __proto__', 'extension parameter __proto__'],
  [true, 'Sec-WebSocket-Extensions', `a;b="${'\\c'.repeat(28)}`, 'an unterminated a;b="\\c × 28'],
] as const) {
  describe(`${header} with ${label} (deflate ${deflate ? 'on' : 'off'}), refused by ws, gives the IP slot back`, { timeout: 30_000 }, () => {
    let t: TestServer;
    let token: string;
    before(async () => {
      // Default per-IP cap (32): the point is that refusals do not count against it.
      t = await startTestServer({ permessageDeflate: deflate });
      token = (await registerAndLogin(t.url)).token;
    });
    after(() => t?.close());

    it(`40 such upgrades → 400 every time (never 429), then a normal upgrade → 101`, async (tc) => {
      const port = t.server.port;
      const cap = t.config.maxConnectionsPerIp;
      const statuses: Array<number | null> = [];
      for (let i = 0; i < cap + 8; i++) statuses.push((await exchange(port, upgradeRequest(port, token, [[header, value]]))).status);
      const normal = await exchange(port, upgradeRequest(port, token));
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      const open = /^rampart_connections (\d+)/m.exec(metrics)?.[1];
      tc.diagnostic(`statuses: ${statuses.join(',')}; then a normal upgrade: ${normal.status}; open connections: ${open}`);
      const first429 = statuses.indexOf(429);
      assert.equal(
        first429,
        -1,
        `request ${first429 + 1} of ${statuses.length} was refused 429 (per-IP cap ${cap}) although the server holds ${open} open connections: ` +
          `each 400 from ws after the gate leaked one reserved IP slot (upgrade-gate.ts calls release only in handleUpgrade's callback, which ws never calls when it aborts the handshake)`,
      );
      assert.ok(statuses.every((s) => s === 400), `statuses ${statuses.join(',')}`);
      assert.equal(normal.status, 101, `a normal upgrade from the same IP afterwards: ${normal.status}`);
    });
  });
}

// ───────────────────────────── I3, I4 ─────────────────────────────

describe('I3/I4: injection and prototype pollution through frames', { timeout: 60_000 }, () => {
  let target: Target;
  before(async () => {
    target = await startTarget();
  });
  after(() => target?.t.close());

  it('I3: SQL, quotes and backslashes in chat text are stored and returned verbatim by history and fan-out', async () => {
    const texts = [
      `'); DROP TABLE messages;--`,
      `" OR 1=1 --`,
      `' OR '1'='1`,
      `Robert'); DROP TABLE users;--`,
      `\\'; SELECT * FROM sessions; --`,
      `"\\"quoted\\" and \\\\backslashes\\\\"`,
      `1; UPDATE users SET admin=1 WHERE 1=1; --`,
      `%' AND 1=0 UNION SELECT token_hash FROM sessions --`,
      `$1 ?1 :name @p ? ?? %s %n`,
      `\\x00 \\u0000 %00 \\0`,
      `C:\\Windows\\System32\\`,
      `{"$where": "sleep(1000)", "$gt": ""}`,
      '${7*7} {{7*7}} #{7*7} `id`',
      `<script>alert(1)</script>`,
      `line1\n\t'line2' --`,
      `ʼ OR 1=1 -- ＇ OR ＇1＇=＇1`,
      `'`,
      `\\`,
    ];
    const u = await registerAndLogin(target.t.url);
    const c = await TestClient.connect(target.t.wsUrl, u.token);
    try {
      assert.equal((await c.request({ type: 'join', room: 'general' })).type, 'ok');
      const seqs: number[] = [];
      for (const [i, text] of texts.entries()) {
        const r = await c.request({ type: 'send', room: 'general', text, nonce: `sql-${i}` });
        assert.equal(r.type, 'ok', `send ${JSON.stringify(text)}: ${JSON.stringify(r)}`);
        seqs.push(r.seq as number);
        const echo = await c.waitFor((f) => f.type === 'message' && f.seq === r.seq);
        assert.equal(echo.text, text, 'fan-out carries the text verbatim');
      }
      const h = await c.request({ type: 'history', room: 'general', limit: 100 });
      assert.equal(h.type, 'ok', JSON.stringify(h));
      const bySeq = new Map((h.messages as Frame[]).map((m) => [m.seq as number, m.text]));
      for (const [i, seq] of seqs.entries()) assert.equal(bySeq.get(seq), texts[i], `history seq ${seq}`);
    } finally {
      c.close();
    }
    // The tables the payloads name are still there: login (users, sessions) and history (messages) work.
    const again = await api(target.t.url, '/api/login', { username: u.name, password: PASSWORD });
    assert.equal(again.status, 200);
  });

  it('I3: SQL-ish room names, user names and nonces are refused by the schema (BAD_REQUEST)', async () => {
    const u = await registerAndLogin(target.t.url);
    const c = await TestClient.connect(target.t.wsUrl, u.token);
    try {
      assert.equal((await c.request({ type: 'join', room: 'general' })).type, 'ok');
      const frames: Array<Record<string, unknown>> = [
        { type: 'create', room: `general'; DROP TABLE rooms;--`, visibility: 'public' },
        { type: 'create', room: `x' OR '1'='1`, visibility: 'private' },
        { type: 'join', room: `general' --` },
        { type: 'join', room: `general" OR "1"="1` },
        { type: 'history', room: '*' },
        { type: 'history', room: 'general; --' },
        { type: 'history', room: 'general', before: `1 OR 1=1` },
        { type: 'history', room: 'general', limit: `100; DROP TABLE messages` },
        { type: 'send', room: `general'--`, text: 'x', nonce: 'n1' },
        { type: 'send', room: 'general', text: 'x', nonce: `n'); DROP TABLE messages;--` },
        { type: 'invite', room: 'general', user: `admin'--` },
        { type: 'kick', room: 'general', user: `x" OR 1=1 --` },
        { type: 'ban', room: 'general', user: `' OR ''='` },
        { type: 'leave', room: `general' OR 1=1` },
      ];
      for (const frame of frames) {
        const r = await c.request(frame);
        assert.equal(r.code, 'BAD_REQUEST', `${JSON.stringify(frame)} → ${JSON.stringify(r)}`);
        // A valid frame in between: the invalid-frames-in-a-row limit is not what this test is about.
        assert.equal((await c.request({ type: 'rooms' })).type, 'ok');
      }
      const rooms = await c.request({ type: 'rooms' });
      assert.deepEqual(
        (rooms.rooms as Array<{ room: string }>).map((r) => r.room),
        ['general'],
        'no room was created by the SQL-ish names',
      );
    } finally {
      c.close();
    }
    // Over HTTP the username schema refuses the same shapes.
    for (const username of [`admin'--`, `x' OR '1'='1`, `a"; DROP TABLE users;--`]) {
      const reg = await api(target.t.url, '/api/register', { username, password: PASSWORD });
      assert.equal(reg.status, 400, `register ${JSON.stringify(username)}: ${reg.status}`);
      const login = await api(target.t.url, '/api/login', { username, password: PASSWORD });
      assert.ok(login.status === 400 || login.status === 401, `login ${JSON.stringify(username)}: ${login.status}`);
      assert.equal(login.json?.token, undefined);
    }
  });

  it('I4: prototype-pollution frames get BAD_REQUEST and the connection is still no admin', async () => {
    const [attacker, owner, member] = await Promise.all([registerAndLogin(target.t.url), registerAndLogin(target.t.url), registerAndLogin(target.t.url)]);
    const o = await TestClient.connect(target.t.wsUrl, owner.token);
    const m = await TestClient.connect(target.t.wsUrl, member.token);
    const a = await TestClient.connect(target.t.wsUrl, attacker.token);
    try {
      assert.equal((await o.request({ type: 'create', room: 'vault', visibility: 'private' })).type, 'ok');
      assert.equal((await o.request({ type: 'create', room: 'owned', visibility: 'public' })).type, 'ok');
      assert.equal((await o.request({ type: 'send', room: 'owned', text: 'x', nonce: 'o1' })).code, 'FORBIDDEN', 'send needs a join');
      assert.equal((await m.request({ type: 'join', room: 'owned' })).type, 'ok');
      assert.equal((await a.request({ type: 'join', room: 'owned' })).type, 'ok');

      const payloads: Array<[string, string, string]> = [
        ['1', '{"type":"join","id":"1","room":"general","__proto__":{"admin":true}}', 'BAD_REQUEST'],
        ['2', '{"type":"join","id":"2","room":"general","constructor":{"prototype":{"admin":true}}}', 'BAD_REQUEST'],
        ['3', '{"__proto__":{"admin":true,"isAdmin":true},"type":"rooms","id":"3"}', 'BAD_REQUEST'],
        ['4', `{"type":"kick","id":"4","room":"owned","user":"${member.name}","admin":true}`, 'BAD_REQUEST'],
        ['5', '{"type":"join","id":"5","room":"vault","__proto__":{"admin":true,"owner":true}}', 'BAD_REQUEST'],
        ['6', '{"type":"join","id":"6","room":"vault","prototype":{"admin":true}}', 'BAD_REQUEST'],
        ['7', '{"type":"send","id":"7","room":"general","text":{"__proto__":{"admin":true}},"nonce":"p7"}', 'BAD_REQUEST'],
        ['8', '{"type":"__proto__","id":"8"}', 'UNKNOWN_TYPE'],
        ['9', '{"type":"constructor","id":"9"}', 'UNKNOWN_TYPE'],
        ['10', '{"type":"hasOwnProperty","id":"10"}', 'UNKNOWN_TYPE'],
        ['11', '{"type":"join","id":"11","room":"vault","__proto__":null,"constructor":null}', 'BAD_REQUEST'],
      ];
      for (const [id, text, code] of payloads) {
        a.ws.send(text);
        const r = await a.waitFor((f) => (f.type === 'error' || f.type === 'ok') && f.id === id);
        assert.equal(r.type, 'error', `${text} → ${JSON.stringify(r)}`);
        assert.equal(r.code, code, `${text} → ${JSON.stringify(r)}`);
        assert.equal((await a.request({ type: 'rooms' })).type, 'ok', 'the connection still serves');
      }

      // What only an admin or the owner may do is still FORBIDDEN on the same connection.
      assert.equal((await a.request({ type: 'join', room: 'vault' })).code, 'FORBIDDEN', 'join a private room');
      assert.equal((await a.request({ type: 'history', room: 'vault' })).code, 'FORBIDDEN', 'history of a private room');
      assert.equal((await a.request({ type: 'invite', room: 'vault', user: attacker.name })).code, 'FORBIDDEN', 'invite oneself');
      assert.equal((await a.request({ type: 'kick', room: 'owned', user: member.name })).code, 'FORBIDDEN', 'kick in a room it does not own');
      assert.equal((await a.request({ type: 'ban', room: 'owned', user: member.name })).code, 'FORBIDDEN', 'ban in a room it does not own');
      const rooms = await a.request({ type: 'rooms' });
      assert.ok(!(rooms.rooms as Array<{ room: string }>).some((r) => r.room === 'vault'), 'the private room is not listed');

      // Nobody else became an admin either: a fresh connection and a fresh user are refused too.
      const a2 = await TestClient.connect(target.t.wsUrl, attacker.token);
      const fresh = await registerAndLogin(target.t.url);
      const f = await TestClient.connect(target.t.wsUrl, fresh.token);
      try {
        assert.equal((await a2.request({ type: 'join', room: 'vault' })).code, 'FORBIDDEN');
        assert.equal((await f.request({ type: 'join', room: 'vault' })).code, 'FORBIDDEN');
        assert.equal((await f.request({ type: 'kick', room: 'owned', user: member.name })).code, 'FORBIDDEN');
      } finally {
        a2.close();
        f.close();
      }

      // Counter-test: the owner may kick, so FORBIDDEN above was about who asked.
      assert.equal((await o.request({ type: 'kick', room: 'owned', user: member.name })).type, 'ok');
      const kicked = await m.waitFor((fr) => fr.type === 'kicked' && fr.room === 'owned');
      assert.equal(kicked.reason, 'kicked');
    } finally {
      for (const c of [a, o, m]) c.close();
    }
  });

  it('I4: a polluted registration body makes no admin either', async () => {
    const username = uniqueName('proto');
    const body = `{"username":"${username}","password":"${PASSWORD}","__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},"admin":true}`;
    const res = await fetch(`${target.t.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.text();
    assert.ok(res.status === 201 || res.status === 400, `register with a polluted body: ${res.status}`);
    if (res.status !== 201) return;
    const login = await api(target.t.url, '/api/login', { username, password: PASSWORD });
    assert.equal(login.status, 200);
    assert.equal(login.json.user.admin, undefined, 'the user object carries no admin flag');
    const c = await TestClient.connect(target.t.wsUrl, login.json.token);
    try {
      const owner = await registerAndLogin(target.t.url);
      const o = await TestClient.connect(target.t.wsUrl, owner.token);
      try {
        assert.equal((await o.request({ type: 'create', room: 'vault2', visibility: 'private' })).type, 'ok');
        assert.equal((await c.request({ type: 'join', room: 'vault2' })).code, 'FORBIDDEN');
      } finally {
        o.close();
      }
    } finally {
      c.close();
    }
  });

  it('liveness after I3/I4', () => assertAlive(target));
});

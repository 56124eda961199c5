/**
 * Frame-level attacks (security catalogue F1–F13, R1, R9, R11, L1) over real sockets against a real
 * Rampart. Each attack asserts the exact close code of DESIGN.md ("Close codes", "Defaults"), that
 * the close reason is one of the generic reasons of src/protocol/codes.ts, and that the server then
 * closes TCP. After each group a canary client proves the server still serves: it connects, joins
 * `general`, sends a message and receives it back.
 *
 * Frames are built by the scanner's own wire library (src/scan/wire), so these tests also exercise
 * what `rampart scan` will send.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { registerAndLogin, TestClient } from '../helpers/client.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { closeReasons } from '../../src/protocol/codes.js';
import { buildFrame, closePayload, Opcode, type FrameSpec } from '../../src/scan/wire/frame.js';
import { openRaw, type CloseResult, type RawFrame, type RawSocket } from '../../src/scan/wire/raw-client.js';

/** The caps these tests are not about are lifted, so many attack sockets can come from one user and IP. */
const LIFTED_CAPS: ConfigInput = { maxConnectionsPerIp: 10_000, maxConnectionsPerUser: 10_000 };

const GENERIC_REASONS: ReadonlySet<string> = new Set(['', ...Object.values(closeReasons)]);
/** Words that would fingerprint the WebSocket library or leak internals (catalogue L1). */
const LIBRARY_WORDS = /\bws\b|RangeError|TypeError|Invalid WebSocket frame|WS_ERR|Unsupported WebSocket frame|MASK must|RSV[123]|at Receiver|node_modules/i;

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

interface Group {
  t: TestServer;
  /** Bearer token of the attacking user. */
  token: string;
  /** Bearer token of the canary (liveness) user. */
  canary: string;
  sockets: Set<RawSocket>;
}

async function startGroup(overrides: ConfigInput): Promise<Group> {
  const t = await startTestServer({ ...LIFTED_CAPS, ...overrides });
  const [attackerUser, canaryUser] = await Promise.all([registerAndLogin(t.url), registerAndLogin(t.url)]);
  return { t, token: attackerUser.token, canary: canaryUser.token, sockets: new Set() };
}

async function stopGroup(g: Group | undefined): Promise<void> {
  if (!g) return;
  for (const s of g.sockets) s.destroy();
  await g.t.close();
}

function json(frame: RawFrame): Record<string, unknown> | undefined {
  if (frame.opcode !== Opcode.TEXT) return undefined;
  try {
    return JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const isType = (type: string) => (f: RawFrame) => json(f)?.type === type;
const isReplyTo = (id: string) => (f: RawFrame) => {
  const j = json(f);
  return j !== undefined && j.id === id && (j.type === 'ok' || j.type === 'error');
};

/** An authenticated raw WebSocket that has received its `hello`. */
async function attacker(g: Group, options: { token?: string; autoPong?: boolean } = {}): Promise<RawSocket> {
  const sock = await openRaw({
    url: g.t.wsUrl,
    headers: { Authorization: `Bearer ${options.token ?? g.token}` },
    protocols: ['rampart.v1'],
    timeoutMs: 3000,
    autoPong: options.autoPong ?? false,
  });
  g.sockets.add(sock);
  const hello = await sock.waitFor(isType('hello'), 3000);
  assert.ok(hello, 'the server sent hello');
  return sock;
}

/** Asserts the close reason is one of the generic ones, valid UTF-8 and names no library. */
function assertGenericReason(r: CloseResult, label: string): void {
  assert.ok(r.reasonValidUtf8, `${label}: close reason is not valid UTF-8 (${r.reasonBytes.toString('hex')})`);
  assert.ok(GENERIC_REASONS.has(r.reason), `${label}: close reason ${JSON.stringify(r.reason)} is not a generic reason from closeReasons`);
  assert.doesNotMatch(r.reason, LIBRARY_WORDS, `${label}: close reason names the library`);
}

/**
 * Waits for the server's close frame, answers it (a polite peer, so TCP ends promptly), and
 * asserts code, reason and that TCP ended.
 */
async function expectClose(sock: RawSocket, expected: number | readonly number[], label: string, withinMs = 2000): Promise<CloseResult> {
  const r = await sock.waitClose(withinMs, { echo: true });
  sock.destroy();
  const codes: readonly number[] = typeof expected === 'number' ? [expected] : expected;
  assert.ok(
    r.closeFrameReceived,
    `${label}: expected close ${codes.join(' or ')}, got no close frame within ${withinMs} ms (TCP closed: ${r.tcpClosed}${r.tcpError ? `, ${r.tcpError}` : ''})`,
  );
  assert.ok(r.code !== undefined && codes.includes(r.code), `${label}: close code ${r.code}, expected ${codes.join(' or ')}`);
  assertGenericReason(r, label);
  assert.ok(r.tcpClosed, `${label}: the TCP connection stayed open after the close frame`);
  return r;
}

/** Opens a socket, writes `bytes` in one write, expects the close code. */
async function attack(g: Group, bytes: Buffer, expected: number | readonly number[], label: string): Promise<CloseResult> {
  const sock = await attacker(g);
  sock.write(bytes);
  return expectClose(sock, expected, label);
}

let aliveCounter = 0;
/** Liveness oracle: a fresh client connects, joins general, sends and receives its own message. */
async function assertAlive(g: Group): Promise<void> {
  const c = await TestClient.connect(g.t.wsUrl, g.canary);
  try {
    const joined = await c.request({ type: 'join', room: 'general' });
    assert.equal(joined.type, 'ok', `join: ${JSON.stringify(joined)}`);
    const n = ++aliveCounter;
    const text = `still alive ${n}`;
    const sent = await c.request({ type: 'send', room: 'general', text, nonce: `alive-${process.pid}-${n}` });
    assert.equal(sent.type, 'ok', `send: ${JSON.stringify(sent)}`);
    const echo = await c.waitFor((f) => f.type === 'message' && f.seq === sent.seq);
    assert.equal(echo.text, text);
  } finally {
    c.close();
  }
}

/** Splits `data` into `n` fragments (first TEXT, then CONTINUATION, FIN on the last). */
function fragments(data: Buffer, n: number, opcode: number = Opcode.TEXT): FrameSpec[] {
  const size = Math.ceil(data.length / n);
  assert.ok(data.length >= n, 'at least one byte per fragment');
  return Array.from({ length: n }, (_, i) => ({
    opcode: i === 0 ? opcode : Opcode.CONTINUATION,
    fin: i === n - 1,
    payload: data.subarray(Math.min(i * size, data.length), i === n - 1 ? data.length : Math.min((i + 1) * size, data.length)),
  }));
}

/** `frame` padded with JSON whitespace after its `{` to exactly `bytes` bytes. */
function paddedJson(frame: Record<string, unknown>, bytes: number): Buffer {
  const body = JSON.stringify(frame);
  const padding = bytes - Buffer.byteLength(body);
  assert.ok(padding >= 0, `frame is already ${Buffer.byteLength(body)} bytes`);
  return Buffer.from(`{${' '.repeat(padding)}${body.slice(1)}`, 'utf8');
}

const frame = (spec: FrameSpec): Buffer => buildFrame(spec);

describe('frame attacks with the default limits', { timeout: 60_000 }, () => {
  let g: Group;
  before(async () => {
    // Per-user message buckets are lifted here: this group shares one attacking user across many
    // sockets; the rate limits have their own group below.
    g = await startGroup({ userMessagesPerSecond: 10_000, userMessageBurst: 10_000 });
  });
  after(() => stopGroup(g));

  describe('F1–F3: masking, reserved bits, reserved opcodes', () => {
    it('F1: an unmasked client frame → 1002', async () => {
      await attack(g, frame({ opcode: Opcode.TEXT, payload: 'Hello', mask: null }), 1002, 'F1 unmasked');
    });

    it('F2: RSV1, RSV2 or RSV3 set without an extension → 1002', async () => {
      for (const bit of ['rsv1', 'rsv2', 'rsv3'] as const) {
        await attack(g, frame({ opcode: Opcode.TEXT, payload: 'Hello', [bit]: true }), 1002, `F2 ${bit}`);
      }
    });

    it('F3: reserved opcodes 0x3, 0x7, 0xB, 0xF → 1002', async () => {
      for (const opcode of [0x3, 0x7, 0xb, 0xf]) {
        await attack(g, frame({ opcode }), 1002, `F3 opcode 0x${opcode.toString(16)}`);
      }
    });

    it('liveness after F1–F3', () => assertAlive(g));
  });

  describe('F4–F6: control frames and lengths', () => {
    it('F4: a ping with a 126-byte payload → 1002', async () => {
      await attack(g, frame({ opcode: Opcode.PING, payload: Buffer.alloc(126, 0x61) }), 1002, 'F4 ping 126 bytes');
    });

    it('F4: a fragmented ping (FIN=0) → 1002', async () => {
      await attack(g, frame({ opcode: Opcode.PING, fin: false }), 1002, 'F4 fragmented ping');
    });

    it('F4: a close frame with a 1-byte body → 1002', async () => {
      await attack(g, frame({ opcode: Opcode.CLOSE, payload: hex('03') }), 1002, 'F4 1-byte close');
    });

    it('F5: a 64-bit length with the MSB set → 1002 or 1009 at once, no hang', async () => {
      const sock = await attacker(g);
      const sentAt = Date.now();
      sock.write(frame({ opcode: Opcode.BINARY, declaredLength: 1n << 63n, lengthEncoding: '64' }));
      const r = await expectClose(sock, [1002, 1009], 'F5 MSB length');
      assert.ok(r.closeFrameAt! - sentAt <= 1000, `closed after ${r.closeFrameAt! - sentAt} ms`);
    });

    it('F6: a declared length of 256 MiB, then a stall → 1009 right after the header (≤ 1 s)', async () => {
      for (const opcode of [Opcode.BINARY, Opcode.TEXT]) {
        const sock = await attacker(g);
        const sentAt = Date.now();
        // Header only: 82 FF 00 00 00 00 10 00 00 00 m — the body never comes.
        sock.write(frame({ opcode, declaredLength: 256 * 1024 * 1024 }));
        const r = await expectClose(sock, 1009, `F6 256 MiB opcode ${opcode}`);
        assert.ok(r.closeFrameAt! - sentAt <= 1000, `closed after ${r.closeFrameAt! - sentAt} ms`);
      }
    });

    it('liveness after F4–F6', () => assertAlive(g));
  });

  describe('F7–F9: fragmentation', () => {
    it('F7: a continuation frame with no message open → 1002', async () => {
      await attack(g, frame({ opcode: Opcode.CONTINUATION }), 1002, 'F7 orphan continuation');
    });

    it('F7: a new text frame while a fragmented message is open → 1002', async () => {
      const bytes = Buffer.concat([frame({ opcode: Opcode.TEXT, fin: false, payload: 'a' }), frame({ opcode: Opcode.TEXT, fin: false, payload: 'b' })]);
      await attack(g, bytes, 1002, 'F7 interleaved message');
    });

    it('F7: a continuation after the message was finished → 1002', async () => {
      const bytes = Buffer.concat([
        frame({ opcode: Opcode.TEXT, fin: false, payload: '{"type":"rooms",' }),
        frame({ opcode: Opcode.CONTINUATION, fin: true, payload: '"id":"f7"}' }),
        frame({ opcode: Opcode.CONTINUATION, fin: true, payload: ' ' }),
      ]);
      await attack(g, bytes, 1002, 'F7 continuation after FIN');
    });

    it('F8: a message in 129 fragments (maxFragmentsPerMessage 128) → 1008', async () => {
      const data = paddedJson({ type: 'rooms', id: 'frag129' }, 129 * 2);
      await attack(g, Buffer.concat(fragments(data, 129).map(frame)), 1008, 'F8 129 fragments');
    });

    it('F8 counter-test: the same message in 128 fragments is answered normally', async () => {
      const sock = await attacker(g);
      sock.write(Buffer.concat(fragments(paddedJson({ type: 'rooms', id: 'frag128' }, 128 * 2), 128).map(frame)));
      const reply = await sock.waitFor(isReplyTo('frag128'), 2000);
      assert.equal(reply && json(reply)?.type, 'ok', `reply: ${reply && reply.payload.toString()}`);
      assert.equal(sock.closeFrame, null);
      sock.destroy();
    });

    it('F9: an open message followed by endless empty continuation frames → 1008', async () => {
      const bytes = Buffer.concat([
        frame({ opcode: Opcode.TEXT, fin: false }),
        ...Array.from({ length: 500 }, () => frame({ opcode: Opcode.CONTINUATION, fin: false })),
      ]);
      await attack(g, bytes, 1008, 'F9 empty continuations');
    });

    it('liveness after F7–F9', () => assertAlive(g));
  });

  describe('F10: UTF-8', () => {
    for (const [name, bytes] of [
      ['C3 28 (bad continuation)', 'c3 28'],
      ['C0 AF (overlong)', 'c0 af'],
      ['ED A0 80 (surrogate)', 'ed a0 80'],
      ['F4 90 80 80 (above U+10FFFF)', 'f4 90 80 80'],
    ] as const) {
      it(`invalid UTF-8 in a text frame: ${name} → 1007`, async () => {
        await attack(g, frame({ opcode: Opcode.TEXT, payload: hex(bytes) }), 1007, `F10 ${name}`);
      });
    }

    it('invalid UTF-8 split across fragments → 1007', async () => {
      const bytes = Buffer.concat([
        frame({ opcode: Opcode.TEXT, fin: false, payload: Buffer.concat([Buffer.from('{"a":"'), hex('f0 9f')]) }),
        frame({ opcode: Opcode.CONTINUATION, fin: true, payload: Buffer.concat([hex('28 28'), Buffer.from('"}')]) }),
      ]);
      await attack(g, bytes, 1007, 'F10 split invalid');
    });

    it('invalid UTF-8 in a close reason → 1007', async () => {
      await attack(g, frame({ opcode: Opcode.CLOSE, payload: closePayload(1000, hex('c3 28')) }), 1007, 'F10 close reason');
    });

    it('counter-test: a valid 4-byte character split across two fragments is accepted', async () => {
      const sock = await attacker(g);
      sock.sendText({ type: 'join', id: 'j1', room: 'general' });
      const joined = await sock.waitFor(isReplyTo('j1'), 2000);
      assert.equal(joined && json(joined)?.type, 'ok');
      const text = 'split \u{1F600} ok';
      const data = Buffer.from(JSON.stringify({ type: 'send', id: 'u1', room: 'general', text, nonce: `utf8-${process.pid}` }));
      const at = data.indexOf(hex('f0 9f 98 80')) + 2; // cut inside the emoji
      sock.sendFrames([
        { opcode: Opcode.TEXT, fin: false, payload: data.subarray(0, at) },
        { opcode: Opcode.CONTINUATION, fin: true, payload: data.subarray(at) },
      ]);
      const reply = await sock.waitFor(isReplyTo('u1'), 2000);
      assert.equal(reply && json(reply)?.type, 'ok', `reply: ${reply?.payload.toString()}`);
      const message = await sock.waitFor((f) => json(f)?.type === 'message' && json(f)?.seq === json(reply!)?.seq, 2000);
      assert.equal(message && json(message)?.text, text);
      assert.equal(sock.closeFrame, null);
      sock.destroy();
    });

    it('liveness after F10', () => assertAlive(g));
  });

  describe('F11: close codes', () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      it(`a close frame with code ${code} → 1002`, async () => {
        await attack(g, frame({ opcode: Opcode.CLOSE, payload: closePayload(code) }), 1002, `F11 code ${code}`);
      });
    }

    for (const code of [1000, 3000, 4999]) {
      it(`a close frame with code ${code} is echoed and TCP closes`, async () => {
        const sock = await attacker(g);
        sock.sendFrame({ opcode: Opcode.CLOSE, payload: closePayload(code) });
        const r = await sock.waitClose(2000);
        sock.destroy();
        assert.ok(r.closeFrameReceived, `no close frame (TCP closed: ${r.tcpClosed})`);
        assert.equal(r.code, code);
        assertGenericReason(r, `F11 echo ${code}`);
        assert.ok(r.tcpClosed, 'TCP stayed open after the closing handshake');
      });
    }

    it('liveness after F11', () => assertAlive(g));
  });

  describe('F12: pings', () => {
    it('a normal ping gets a pong with the same payload', async () => {
      const sock = await attacker(g);
      const payload = Buffer.from('ping-\u00e9-1234567890', 'utf8');
      sock.sendFrame({ opcode: Opcode.PING, payload });
      const pong = await sock.waitFor((f) => f.opcode === Opcode.PONG, 2000);
      assert.ok(pong, 'no pong');
      assert.ok(pong.payload.equals(payload), `pong payload ${pong.payload.toString('hex')}`);
      assert.equal(pong.masked, false, 'server frames are never masked');
      sock.destroy();
    });

    it('counter-test: maxControlFramesPerSecond (50) pings at once are tolerated', async () => {
      const sock = await attacker(g);
      sock.sendFrames([
        ...Array.from({ length: 50 }, (_, i) => ({ opcode: Opcode.PING, payload: `p${i}` })),
        { opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'rooms', id: 'after-pings' }) },
      ]);
      const reply = await sock.waitFor(isReplyTo('after-pings'), 2000);
      assert.equal(reply && json(reply)?.type, 'ok');
      assert.equal(sock.closeFrame, null, `closed with ${sock.closeFrame?.payload.toString('hex')}`);
      sock.destroy();
    });

    it('F12: a ping flood (200 pings in one write, limit 50/s) → 1008', async () => {
      const pings = Array.from({ length: 200 }, (_, i) => frame({ opcode: Opcode.PING, payload: Buffer.alloc(125, i & 0xff) }));
      await attack(g, Buffer.concat(pings), 1008, 'F12 ping flood');
    });

    it('liveness after F12', () => assertAlive(g));
  });

  describe('F13: binary frames', () => {
    it('a binary frame → 1003', async () => {
      await attack(g, frame({ opcode: Opcode.BINARY, payload: '{"type":"rooms","id":"b"}' }), 1003, 'F13 binary');
    });

    it('liveness after F13', () => assertAlive(g));
  });

  describe('R1: message size (maxMessageBytes 16 KiB)', () => {
    const bigSend = (id: string, bytes: number): Buffer =>
      // 4000 emoji = 4000 code points (maxTextChars) = 16 000 bytes; whitespace pads the rest.
      paddedJson({ type: 'send', id, room: 'general', text: '\u{1F600}'.repeat(4000), nonce: `${id}-${process.pid}` }, bytes);

    it('a text message of 16 KiB + 1 byte → 1009', async () => {
      await attack(g, frame({ opcode: Opcode.TEXT, payload: bigSend('big1', 16 * 1024 + 1) }), 1009, 'R1 16 KiB + 1');
    });

    it('a text message of 16 KiB + 1 byte in fragments → 1009', async () => {
      await attack(g, Buffer.concat(fragments(bigSend('big2', 16 * 1024 + 1), 4).map(frame)), 1009, 'R1 fragmented 16 KiB + 1');
    });

    it('exactly 16 KiB of valid JSON is accepted, not closed', async () => {
      const sock = await attacker(g);
      sock.sendText({ type: 'join', id: 'j', room: 'general' });
      assert.equal(json((await sock.waitFor(isReplyTo('j'), 2000))!)?.type, 'ok');
      const payload = bigSend('big16k', 16 * 1024);
      assert.equal(payload.length, 16 * 1024);
      sock.sendFrame({ opcode: Opcode.TEXT, payload });
      const reply = await sock.waitFor(isReplyTo('big16k'), 3000);
      assert.ok(reply, 'no reply to the 16 KiB frame');
      assert.ok(['ok', 'error'].includes(String(json(reply)?.type)));
      sock.sendText({ type: 'rooms', id: 'after-big' });
      assert.equal(json((await sock.waitFor(isReplyTo('after-big'), 2000))!)?.type, 'ok');
      assert.equal(sock.closeFrame, null);
      sock.destroy();
    });

    it('liveness after R1', () => assertAlive(g));
  });

  describe('invalid frames in a row (maxInvalidFramesInRow 10)', () => {
    const bad = (i: number): FrameSpec => ({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'no-such-type', id: `bad${i}` }) });
    const good = (id: string): FrameSpec => ({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'rooms', id }) });

    it('10 invalid frames in a row → 1008', async () => {
      const sock = await attacker(g);
      sock.sendFrames(Array.from({ length: 10 }, (_, i) => bad(i)));
      const first = await sock.waitFor(isReplyTo('bad0'), 2000);
      assert.equal(first && json(first)?.code, 'UNKNOWN_TYPE');
      await expectClose(sock, 1008, 'invalid frames');
    });

    it('9 invalid frames then a valid one reset the counter', async () => {
      const sock = await attacker(g);
      sock.sendFrames([...Array.from({ length: 9 }, (_, i) => bad(i)), good('good1'), ...Array.from({ length: 9 }, (_, i) => bad(100 + i)), good('good2')]);
      const r1 = await sock.waitFor(isReplyTo('good1'), 2000);
      const r2 = await sock.waitFor(isReplyTo('good2'), 2000);
      assert.equal(r1 && json(r1)?.type, 'ok');
      assert.equal(r2 && json(r2)?.type, 'ok');
      assert.equal(sock.closeFrame, null, 'closed although no 10 invalid frames came in a row');
      sock.destroy();
    });

    it('liveness after invalid frames', () => assertAlive(g));
  });

  describe('L1: close reasons', () => {
    it('every close reason is a generic one (or empty) and names no library', async () => {
      const probes: Array<[string, Buffer, number]> = [
        ['unmasked', frame({ opcode: Opcode.TEXT, payload: 'x', mask: null }), 1002],
        ['rsv1', frame({ opcode: Opcode.TEXT, payload: 'x', rsv1: true }), 1002],
        ['opcode 0x3', frame({ opcode: 0x3 }), 1002],
        ['binary', frame({ opcode: Opcode.BINARY, payload: 'x' }), 1003],
        ['bad utf-8', frame({ opcode: Opcode.TEXT, payload: hex('c3 28') }), 1007],
        ['fragments', Buffer.concat(fragments(paddedJson({ type: 'rooms', id: 'l1' }, 300), 130).map(frame)), 1008],
        ['too big', frame({ opcode: Opcode.TEXT, declaredLength: 1 << 20 }), 1009],
        ['close 1005', frame({ opcode: Opcode.CLOSE, payload: closePayload(1005) }), 1002],
      ];
      for (const [name, bytes, code] of probes) {
        const r = await attack(g, bytes, code, `L1 ${name}`);
        assert.ok(Buffer.byteLength(r.reason) <= 123, `L1 ${name}: reason longer than 123 bytes`);
      }
    });
  });
});

describe('message completion deadline (messageCompletionTimeoutMs 1000)', { timeout: 30_000 }, () => {
  let g: Group;
  before(async () => {
    // Pings every 250 ms, answered by the attacker: the heartbeat is satisfied, so only the
    // completion deadline can end the connection.
    g = await startGroup({ messageCompletionTimeoutMs: 1000, heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1000, closeTimeoutMs: 1000 });
  });
  after(() => stopGroup(g));

  it('F9/R7: a first fragment and then nothing, while answering pings → 1008 within ~2 s', async () => {
    const sock = await attacker(g, { autoPong: true });
    const sentAt = Date.now();
    sock.sendFrame({ opcode: Opcode.TEXT, fin: false, payload: '{"type":"rooms",' });
    const r = await expectClose(sock, 1008, 'message completion deadline', 3500);
    assert.ok(r.closeFrameAt! - sentAt <= 2000, `closed after ${r.closeFrameAt! - sentAt} ms`);
  });

  it('liveness after the completion deadline', () => assertAlive(g));
});

describe('close handshake timeout (R11, closeTimeoutMs 1000)', { timeout: 30_000 }, () => {
  let g: Group;
  const closeTimeoutMs = 1000;
  before(async () => {
    g = await startGroup({ closeTimeoutMs });
  });
  after(() => stopGroup(g));

  /** The server's own count of open WebSocket connections (GET /metrics from loopback). */
  async function openConnections(): Promise<number> {
    const res = await fetch(`${g.t.url}/metrics`);
    const text = await res.text();
    const match = /^rampart_connections (\d+)/m.exec(text);
    assert.ok(match, 'rampart_connections in /metrics');
    return Number(match[1]);
  }

  async function waitForConnections(predicate: (n: number) => boolean, timeoutMs: number): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = await openConnections();
      if (predicate(n)) return n;
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a peer that ignores the server close frame is cut within closeTimeoutMs + 1 s', async () => {
    const sock = await attacker(g);
    // Any server-initiated close will do; a binary frame gets 1003.
    sock.sendFrame({ opcode: Opcode.BINARY, payload: 'x' });
    const r = await sock.waitClose(closeTimeoutMs + 3000); // no echo: we ignore the close
    sock.destroy();
    assert.ok(r.closeFrameReceived, 'no close frame');
    assert.equal(r.code, 1003);
    assertGenericReason(r, 'R11 ignored close');
    assert.ok(r.tcpClosed, `TCP still open ${r.elapsedMs} ms after the close frame`);
    const lingered = r.tcpClosedAt! - r.closeFrameAt!;
    assert.ok(lingered <= closeTimeoutMs + 1000, `TCP cut ${lingered} ms after the close frame`);
  });

  it('a peer that sends close and never reads is dropped within closeTimeoutMs + 1 s', async () => {
    const before = await openConnections();
    const sock = await attacker(g);
    assert.ok((await waitForConnections((n) => n >= before + 1, 2000)) !== null, 'the connection is counted');
    sock.pause(); // never read again, never send FIN
    const sentAt = Date.now();
    sock.sendFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000) });
    const after = await waitForConnections((n) => n <= before, closeTimeoutMs + 2500);
    const elapsed = Date.now() - sentAt;
    sock.destroy();
    assert.ok(after !== null, `the server still holds the connection ${elapsed} ms after the peer's close`);
    assert.ok(elapsed <= closeTimeoutMs + 1000 + 100, `dropped after ${elapsed} ms`);
  });

  it('liveness after R11', () => assertAlive(g));
});

describe('message flood (R9, 20 msg/s, burst 40, 5 violations → 1008)', { timeout: 30_000 }, () => {
  let g: Group;
  before(async () => {
    g = await startGroup({});
  });
  after(() => stopGroup(g));

  const rooms = (id: string): FrameSpec => ({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'rooms', id }) });
  const freshUserSocket = async (): Promise<RawSocket> => attacker(g, { token: (await registerAndLogin(g.t.url)).token });

  it('more than the burst → RATE_LIMITED with retryAfterMs, and the connection stays open', async () => {
    const sock = await freshUserSocket();
    sock.sendFrames(Array.from({ length: 41 }, (_, i) => rooms(`m${i + 1}`)));
    const limited = await sock.waitFor(isReplyTo('m41'), 2000);
    const body = limited && json(limited);
    assert.equal(body?.type, 'error', `41st reply: ${JSON.stringify(body)}`);
    assert.equal(body?.code, 'RATE_LIMITED');
    assert.ok(typeof body?.retryAfterMs === 'number' && body.retryAfterMs > 0, `retryAfterMs ${body?.retryAfterMs}`);
    for (let i = 1; i <= 40; i++) {
      const reply = await sock.waitFor(isReplyTo(`m${i}`), 2000);
      assert.equal(reply && json(reply)?.type, 'ok', `reply m${i}`);
    }
    await new Promise((r) => setTimeout(r, (body.retryAfterMs as number) + 20));
    sock.sendFrame(rooms('after-wait'));
    assert.equal(json((await sock.waitFor(isReplyTo('after-wait'), 2000))!)?.type, 'ok');
    assert.equal(sock.closeFrame, null);
    sock.destroy();
  });

  it('repeated violations (5 within 10 s) → 1008', async () => {
    const sock = await freshUserSocket();
    sock.sendFrames(Array.from({ length: 50 }, (_, i) => rooms(`f${i + 1}`)));
    await expectClose(sock, 1008, 'R9 flood');
    const limited = sock.pendingFrames.map(json).filter((j) => j?.type === 'error' && j.code === 'RATE_LIMITED');
    assert.ok(limited.length >= 1, 'RATE_LIMITED errors came before the close');
    assert.ok(limited.every((j) => typeof j!.retryAfterMs === 'number'));
  });

  it('the per-user bucket limits a user spread over several connections', async () => {
    const { token } = await registerAndLogin(g.t.url);
    const socks = await Promise.all([0, 1, 2].map(() => attacker(g, { token })));
    // 35 per connection stays inside each connection's burst (40); 105 exceeds the user's (80).
    socks.forEach((s, c) => s.sendFrames(Array.from({ length: 35 }, (_, i) => rooms(`u${c}-${i}`))));
    // Each socket ends with all 35 replies or with a close (5 violations on one connection → 1008).
    const settled = (s: RawSocket): boolean =>
      s.closeFrame !== null || s.pendingFrames.filter((f) => ['ok', 'error'].includes(String(json(f)?.type))).length >= 35;
    const deadline = Date.now() + 3000;
    while (!socks.every(settled) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const replies = socks.flatMap((s) => s.pendingFrames.map(json).filter((j) => j?.type === 'ok' || j?.type === 'error'));
    for (const s of socks) s.destroy();
    assert.ok(socks.every(settled), 'every socket got its replies or a close');
    const errors = replies.filter((j) => j!.type === 'error');
    assert.ok(errors.every((j) => j!.code === 'RATE_LIMITED'), `unexpected errors ${JSON.stringify(errors.slice(0, 3))}`);
    assert.ok(errors.length >= 1, 'no RATE_LIMITED although the user sent 105 frames at once');
    assert.ok(replies.filter((j) => j!.type === 'ok').length <= 95, 'the user got far more than its burst (80) through');
  });

  it('liveness after R9', () => assertAlive(g));
});

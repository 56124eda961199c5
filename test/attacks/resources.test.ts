/** Resource-exhaustion defenses (catalogue R2, R3, R8, R9, R10, I5) attacked over real sockets. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { startTestServer } from '../helpers/server.js';
import { registerAndLogin, TestClient } from '../helpers/client.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { openRaw } from '../../src/scan/wire/raw-client.js';
import { buildFrame, Opcode } from '../../src/scan/wire/frame.js';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const unlimited = { messagesPerSecond: 100_000, messageBurst: 100_000, userMessagesPerSecond: 100_000, userMessageBurst: 100_000 };

/** The server's open WebSocket connections, from its /metrics (loopback). */
async function openConnections(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^rampart_connections (\d+)/m.exec(text);
  return Number(match?.[1] ?? NaN);
}

async function liveness(wsUrl: string, url: string): Promise<void> {
  const u = await registerAndLogin(url);
  const c = await TestClient.connect(wsUrl, u.token);
  await c.request({ type: 'join', room: 'general' });
  const sent = await c.request({ type: 'send', room: 'general', text: 'still alive', nonce: `alive${Date.now()}` });
  assert.equal(sent.type, 'ok');
  await c.waitFor((f) => f.type === 'message' && f.text === 'still alive');
  c.close();
}

describe('slow consumer (R8)', () => {
  async function floodWithSlowReader(cutMs: number) {
    const t = await startTestServer({ ...unlimited, maxQueuedBytes: 64 * 1024, slowConsumerCutMs: cutMs, closeTimeoutMs: cutMs });
    const [w, s, o] = await Promise.all([registerAndLogin(t.url), registerAndLogin(t.url), registerAndLogin(t.url)]);
    const writer = await TestClient.connect(t.wsUrl, w.token);
    const slow = await TestClient.connect(t.wsUrl, s.token);
    const other = await TestClient.connect(t.wsUrl, o.token);
    for (const c of [writer, slow, other]) await c.request({ type: 'join', room: 'general' });
    // The slow reader stops reading from TCP: the server's queue for it grows.
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const text = 'x'.repeat(4000);
    const total = 2500;
    for (let i = 0; i < total; i++) writer.send({ type: 'send', id: `w${i}`, room: 'general', text, nonce: `w${i}` });
    await other.waitFor((f) => f.type === 'message' && f.seq === total, 30_000);
    assert.equal(other.messages('general').length, total, 'the reading client got every message');
    return { t, writer, slow, other, socket, total };
  }

  it('a client that stops reading gets close 4100 behind its queued data while the others keep receiving', async () => {
    const { t, writer, slow, other, socket, total } = await floodWithSlowReader(60_000);
    try {
      socket.resume();
      const { code } = await slow.closed;
      assert.equal(code, 4100);
      const got = slow.messages('general').length;
      assert.ok(got > 0 && got < total, `the slow reader got what was queued before the cut (${got} of ${total})`);
      await liveness(t.wsUrl, t.url);
      writer.close();
      other.close();
    } finally {
      await t.close();
    }
  });

  it('a slow reader that still does not drain is cut after slowConsumerCutMs', async () => {
    const { t, writer, slow, other, socket } = await floodWithSlowReader(500);
    try {
      // The reader is paused, so it cannot see the cut itself: watch the server's own count drop.
      const started = Date.now();
      while ((await openConnections(t.url)) > 2) {
        assert.ok(Date.now() - started < 5000, 'the slow reader was not cut within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      socket.resume();
      const { code } = await slow.closed;
      assert.notEqual(code, 4100, 'cut without a completed close handshake');
      writer.close();
      other.close();
    } finally {
      await t.close();
    }
  });
});

describe('rate limits (R9)', () => {
  it('the per-user bucket holds across connections of one user', async () => {
    const t = await startTestServer({ messagesPerSecond: 100, messageBurst: 100, userMessagesPerSecond: 1, userMessageBurst: 5 });
    try {
      const u = await registerAndLogin(t.url);
      const a = await TestClient.connect(t.wsUrl, u.token);
      const b = await TestClient.connect(t.wsUrl, u.token);
      const replies = [];
      for (let i = 0; i < 4; i++) replies.push(await a.request({ type: 'rooms' }));
      for (let i = 0; i < 4; i++) replies.push(await b.request({ type: 'rooms' }));
      const limited = replies.filter((r) => r.type === 'error' && r.code === 'RATE_LIMITED');
      assert.ok(limited.length >= 2, `the user's 6th+ frames are limited, got ${limited.length}`);
      assert.ok(limited.every((r) => typeof r.retryAfterMs === 'number' && (r.retryAfterMs as number) > 0));
      // Another user is not affected.
      const other = await registerAndLogin(t.url);
      const c = await TestClient.connect(t.wsUrl, other.token);
      assert.equal((await c.request({ type: 'rooms' })).type, 'ok');
      for (const x of [a, b, c]) x.close();
    } finally {
      await t.close();
    }
  });
});

describe('rooms per connection (R10)', () => {
  it('joining more rooms than maxRoomsPerConnection is TOO_LARGE', async () => {
    const t = await startTestServer({ ...unlimited, maxRoomsPerConnection: 3 });
    try {
      const u = await registerAndLogin(t.url);
      const c = await TestClient.connect(t.wsUrl, u.token);
      for (let i = 0; i < 4; i++) await c.request({ type: 'create', room: `cap-${i}`, visibility: 'public' });
      for (let i = 0; i < 3; i++) assert.equal((await c.request({ type: 'join', room: `cap-${i}` })).type, 'ok');
      const over = await c.request({ type: 'join', room: 'cap-3' });
      assert.equal(over.code, 'TOO_LARGE');
      assert.equal((await c.request({ type: 'leave', room: 'cap-0' })).type, 'ok');
      assert.equal((await c.request({ type: 'join', room: 'cap-3' })).type, 'ok');
      c.close();
    } finally {
      await t.close();
    }
  });
});

describe('handler crash (I5)', () => {
  it('an exception in a handler closes that socket with 1011; the process and other clients live on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-crash-'));
    const store = SqliteStore.open(join(dir, 'rampart.db'));
    // A store that fails for one room stands in for any unexpected fault below the session.
    const failing = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'messagesBefore') {
          return async (room: string, before: number | undefined, limit: number) => {
            if (room === 'boom') throw new Error('disk on fire: SELECT * FROM secrets');
            return target.messagesBefore(room, before, limit);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const t = await startTestServer({}, { store: failing, dataDir: dir });
    try {
      const u = await registerAndLogin(t.url);
      const victim = await TestClient.connect(t.wsUrl, u.token);
      const bystander = await TestClient.connect(t.wsUrl, (await registerAndLogin(t.url)).token);
      await victim.request({ type: 'create', room: 'boom', visibility: 'public' });
      victim.send({ type: 'history', id: 'h', room: 'boom' });
      const { code, reason } = await victim.closed;
      assert.equal(code, 1011);
      assert.doesNotMatch(reason, /disk|SELECT|Error/);
      assert.ok(!victim.frames.some((f) => JSON.stringify(f).includes('SELECT')), 'no internals leak to the client');
      assert.equal((await bystander.request({ type: 'rooms' })).type, 'ok');
      await liveness(t.wsUrl, t.url);
      bystander.close();
    } finally {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('permessage-deflate (R2, R3)', () => {
  it('is off by default: no extension is negotiated', async () => {
    const t = await startTestServer();
    try {
      const u = await registerAndLogin(t.url);
      const ws = new WebSocket(t.wsUrl, 'rampart.v1', { headers: { authorization: `Bearer ${u.token}` }, perMessageDeflate: true });
      const extensions = await new Promise<string | undefined>((resolve, reject) => {
        ws.once('upgrade', (res) => resolve(res.headers['sec-websocket-extensions'] as string | undefined));
        ws.once('error', reject);
      });
      assert.equal(extensions, undefined);
      ws.close();
    } finally {
      await t.close();
    }
  });

  it('when enabled, a compression bomb is cut at the inflated limit with 1009', async () => {
    const t = await startTestServer({ permessageDeflate: true });
    try {
      const u = await registerAndLogin(t.url);
      const ws = new WebSocket(t.wsUrl, 'rampart.v1', { headers: { authorization: `Bearer ${u.token}` }, perMessageDeflate: true });
      ws.on('error', () => {});
      await new Promise((resolve) => ws.once('message', resolve)); // hello
      assert.match(String((ws as unknown as { extensions: string }).extensions), /permessage-deflate/);
      // 8 MiB of spaces deflate to a few KiB: the wire frame is small, the inflated one is not.
      const inflated = `{"type":"rooms","id":"${' '.repeat(8 * 1024 * 1024)}"}`;
      assert.ok(deflateRawSync(inflated).length < 16 * 1024, 'the compressed frame is under the limit');
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.send(inflated, { compress: true });
      assert.equal(await closed, 1009);
      await liveness(t.wsUrl, t.url);
    } finally {
      await t.close();
    }
  });
});

describe('tiny TCP chunks (F8)', () => {
  it('a message dribbled in more network chunks than maxBufferedChunks is closed 1008', async () => {
    const t = await startTestServer({ ...unlimited, maxBufferedChunks: 16 });
    try {
      const u = await registerAndLogin(t.url);
      const socket = await openRaw({ url: t.wsUrl, headers: { authorization: `Bearer ${u.token}` }, protocols: ['rampart.v1'], autoPong: true });
      try {
        const frame = buildFrame({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'rooms', id: 'x'.repeat(60) }) });
        // One byte per write, spaced out so that each reaches the server as its own chunk.
        for (const byte of frame) {
          if (!socket.write(Buffer.from([byte]))) break;
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
        const close = await socket.waitClose(3000);
        assert.equal(close.code, 1008);
      } finally {
        socket.destroy();
      }
      await liveness(t.wsUrl, t.url);
    } finally {
      await t.close();
    }
  });

  it('the same message in ordinary segments is answered', async () => {
    const t = await startTestServer({ ...unlimited, maxBufferedChunks: 16 });
    try {
      const u = await registerAndLogin(t.url);
      const socket = await openRaw({ url: t.wsUrl, headers: { authorization: `Bearer ${u.token}` }, protocols: ['rampart.v1'] });
      try {
        socket.write(buildFrame({ opcode: Opcode.TEXT, payload: JSON.stringify({ type: 'rooms', id: 'x'.repeat(60) }) }));
        const reply = await socket.waitFor((f) => f.opcode === Opcode.TEXT && f.payload.toString().includes('"ok"'), 3000);
        assert.ok(reply);
      } finally {
        socket.destroy();
      }
    } finally {
      await t.close();
    }
  });
});

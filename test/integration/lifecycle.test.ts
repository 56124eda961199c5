/** Sessions ending, bans, restarts and graceful shutdown, seen from real clients. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startTestServer } from '../helpers/server.js';
import { api, registerAndLogin, TestClient } from '../helpers/client.js';

describe('session lifecycle', () => {
  it('logout closes the live sockets of that session with 4001, and only those', async () => {
    const t = await startTestServer();
    try {
      const u = await registerAndLogin(t.url);
      const second = await api(t.url, '/api/login', { username: u.name, password: 'correct horse battery' });
      const a = await TestClient.connect(t.wsUrl, u.token);
      const b = await TestClient.connect(t.wsUrl, u.token);
      const other = await TestClient.connect(t.wsUrl, second.json.token);
      const res = await api(t.url, '/api/logout', {}, { authorization: `Bearer ${u.token}` });
      assert.equal(res.status, 204);
      assert.equal((await a.closed).code, 4001);
      assert.equal((await b.closed).code, 4001);
      assert.equal((await other.request({ type: 'rooms' })).type, 'ok', 'the other session lives on');
      await assert.rejects(TestClient.connect(t.wsUrl, u.token), /401/);
      other.close();
    } finally {
      await t.close();
    }
  });

  it('an expired session closes its sockets with 4001', async () => {
    const t = await startTestServer({ sessionTtlMs: 800 });
    try {
      const u = await registerAndLogin(t.url);
      const c = await TestClient.connect(t.wsUrl, u.token);
      const started = Date.now();
      const { code } = await c.closed;
      assert.equal(code, 4001);
      assert.ok(Date.now() - started < 3000);
      await assert.rejects(TestClient.connect(t.wsUrl, u.token), /401/);
    } finally {
      await t.close();
    }
  });

  it('a server-wide ban closes the user sockets with 4002 and refuses their login', async () => {
    const t = await startTestServer();
    try {
      const u = await registerAndLogin(t.url);
      const c = await TestClient.connect(t.wsUrl, u.token);
      await t.server.accounts.setBanned(u.name, true);
      assert.equal((await c.closed).code, 4002);
      const login = await api(t.url, '/api/login', { username: u.name, password: 'correct horse battery' });
      assert.equal(login.status, 401);
    } finally {
      await t.close();
    }
  });

  it('a ban made by another process (the CLI) is noticed at the next session re-check', async () => {
    const t = await startTestServer({ sessionRecheckMs: 200 });
    try {
      const u = await registerAndLogin(t.url);
      const c = await TestClient.connect(t.wsUrl, u.token);
      // Another process writes to the same database: the store, not the bus, carries the news.
      const user = await t.server.store.getUserByName(u.name);
      await t.server.store.setBanned(user!.id, true);
      await t.server.store.deleteUserSessions(user!.id);
      assert.equal((await c.closed).code, 4002);
    } finally {
      await t.close();
    }
  });

  it('a silent peer that never answers pings is terminated', async () => {
    const t = await startTestServer({ heartbeatIntervalMs: 200, heartbeatTimeoutMs: 300 });
    try {
      const u = await registerAndLogin(t.url);
      const ws = new WebSocket(t.wsUrl, 'rampart.v1', { headers: { authorization: `Bearer ${u.token}` }, autoPong: false });
      ws.on('error', () => {});
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise((resolve) => ws.once('open', resolve));
      const started = Date.now();
      const code = await closed;
      assert.equal(code, 1006, 'cut without a close frame');
      assert.ok(Date.now() - started < 2000);
      // A peer that answers pings stays.
      const alive = await TestClient.connect(t.wsUrl, u.token);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal((await alive.request({ type: 'rooms' })).type, 'ok');
      alive.close();
    } finally {
      await t.close();
    }
  });
});

describe('restart and shutdown', () => {
  it('a restart of the server keeps users, rooms and messages, and resume returns exactly what was missed', async () => {
    const first = await startTestServer();
    const u = await registerAndLogin(first.url);
    const w = await registerAndLogin(first.url);
    const reader = await TestClient.connect(first.wsUrl, u.token);
    const writer = await TestClient.connect(first.wsUrl, w.token);
    await writer.request({ type: 'create', room: 'keep', visibility: 'private' });
    await writer.request({ type: 'invite', room: 'keep', user: u.name });
    await writer.request({ type: 'join', room: 'keep' });
    await reader.request({ type: 'join', room: 'keep' });
    await writer.request({ type: 'send', room: 'keep', text: 'before', nonce: 'b1' });
    const seen = await reader.waitFor((f) => f.type === 'message');
    reader.close();
    await writer.request({ type: 'send', room: 'keep', text: 'missed 1', nonce: 'b2' });
    await writer.request({ type: 'send', room: 'keep', text: 'missed 2', nonce: 'b3' });
    writer.close();
    await first.stop();

    const second = await startTestServer({}, { dataDir: first.dataDir });
    try {
      const again = await TestClient.connect(second.wsUrl, u.token); // the session survived too
      const join = await again.request({ type: 'join', room: 'keep', since: seen.seq });
      assert.equal(join.type, 'ok');
      assert.deepEqual(again.messages('keep').map((m) => m.text), ['missed 1', 'missed 2']);
      const login = await api(second.url, '/api/login', { username: w.name, password: 'correct horse battery' });
      assert.equal(login.status, 200);
      again.close();
    } finally {
      await second.close();
    }
  });

  it('graceful shutdown: readiness false, new upgrades 503, sockets get 1001, every acknowledged message is stored', async () => {
    const t = await startTestServer({ messagesPerSecond: 1000, messageBurst: 1000, userMessagesPerSecond: 1000, userMessageBurst: 1000 });
    const u = await registerAndLogin(t.url);
    const c = await TestClient.connect(t.wsUrl, u.token);
    await c.request({ type: 'join', room: 'general' });
    // Fire many sends and shut down while they are in flight.
    for (let i = 0; i < 200; i++) c.send({ type: 'send', id: `s${i}`, room: 'general', text: `m${i}`, nonce: `n${i}` });
    await c.waitFor((f) => f.type === 'ok' && f.id === 's0');
    const closing = t.server.close();
    const { code } = await c.closed;
    await closing;
    assert.equal(code, 1001);
    const acked = c.frames.filter((f) => f.type === 'ok' && typeof f.id === 'string' && f.id.startsWith('s'));
    assert.ok(acked.length > 0);

    const reopened = await startTestServer({}, { dataDir: t.dataDir });
    try {
      const stored = await reopened.server.store.messagesAfter('general', 0, 1000);
      const storedSeqs = new Set(stored.map((m) => m.seq));
      for (const ack of acked) assert.ok(storedSeqs.has(ack.seq as number), `acknowledged seq ${String(ack.seq)} is stored`);
    } finally {
      await reopened.close();
    }
  });

  it('while draining, new upgrades get 503 and /readyz fails', async () => {
    const t = await startTestServer({ shutdownTimeoutMs: 1500 });
    try {
      const u = await registerAndLogin(t.url);
      const c = await TestClient.connect(t.wsUrl, u.token);
      // Keep the drain busy: the client ignores the close, so the server waits for closeTimeout.
      c.ws.pause();
      const closing = t.server.close();
      await assert.rejects(TestClient.connect(t.wsUrl, u.token), /503/);
      const ready = await fetch(`${t.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
      await closing;
    } finally {
      await t.close();
    }
  });
});

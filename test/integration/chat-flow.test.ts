import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { registerAndLogin, TestClient } from '../helpers/client.js';

describe('two users chat in the default room', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.close());

  it('hello, join, send, fan-out to both, history', async () => {
    const alice = await registerAndLogin(t.url);
    const bob = await registerAndLogin(t.url);
    const a = await TestClient.connect(t.wsUrl, alice.token);
    const b = await TestClient.connect(t.wsUrl, bob.token);
    const hello = a.frames[0]!;
    assert.equal(hello.type, 'hello');
    assert.equal(hello.protocol, 'rampart.v1');
    assert.deepEqual(hello.user, alice.user);

    const ja = await a.request({ type: 'join', room: 'general' });
    assert.equal(ja.type, 'ok');
    assert.equal(ja.room, 'general');
    const jb = await b.request({ type: 'join', room: 'general' });
    assert.equal(jb.type, 'ok');
    assert.deepEqual(
      (jb.members as Array<{ name: string }>).map((m) => m.name).sort(),
      [alice.name, bob.name].sort(),
    );
    const presence = await a.waitFor((f) => f.type === 'presence' && (f.user as any).name === bob.name);
    assert.equal(presence.state, 'join');

    const sent = await a.request({ type: 'send', room: 'general', text: 'hi bob', nonce: 'n1' });
    assert.equal(sent.type, 'ok');
    assert.equal(typeof sent.seq, 'number');
    const got = await b.waitFor((f) => f.type === 'message');
    assert.equal(got.text, 'hi bob');
    assert.deepEqual(got.from, alice.user);
    assert.equal(got.seq, sent.seq);
    const own = await a.waitFor((f) => f.type === 'message');
    assert.equal(own.seq, sent.seq);

    const hist = await b.request({ type: 'history', room: 'general' });
    assert.equal(hist.type, 'ok');
    assert.deepEqual((hist.messages as any[]).map((m) => m.text), ['hi bob']);
    a.close();
    b.close();
  });
});

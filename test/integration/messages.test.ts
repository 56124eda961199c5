/** Every client → server message type of protocol v1, with its success and failure replies. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { registerAndLogin, TestClient, type Frame } from '../helpers/client.js';

let roomCounter = 0;
const newRoom = (): string => `room-${process.pid}-${++roomCounter}`;

async function connectUser(t: TestServer): Promise<{ c: TestClient; name: string; user: { id: string; name: string }; token: string }> {
  const u = await registerAndLogin(t.url);
  return { c: await TestClient.connect(t.wsUrl, u.token), ...u };
}

function codeOf(f: Frame): string {
  return f.type === 'error' ? String(f.code) : f.type;
}

describe('protocol v1 messages', () => {
  let t: TestServer;
  const clients: TestClient[] = [];
  const user = async () => {
    const u = await connectUser(t);
    clients.push(u.c);
    return u;
  };
  before(async () => {
    t = await startTestServer({ replayLimit: 5, messagesPerSecond: 1000, messageBurst: 1000, userMessagesPerSecond: 1000, userMessageBurst: 1000 });
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.close();
  });

  it('create: ok, CONFLICT on an existing name, BAD_REQUEST on a bad name', async () => {
    const { c } = await user();
    const room = newRoom();
    const ok = await c.request({ type: 'create', room, visibility: 'public' });
    assert.equal(ok.type, 'ok');
    assert.equal(codeOf(await c.request({ type: 'create', room, visibility: 'private' })), 'CONFLICT');
    assert.equal(codeOf(await c.request({ type: 'create', room: 'Bad Name', visibility: 'public' })), 'BAD_REQUEST');
    assert.equal(codeOf(await c.request({ type: 'create', room: 'x'.repeat(65), visibility: 'public' })), 'BAD_REQUEST');
    assert.equal(codeOf(await c.request({ type: 'create', room: newRoom(), visibility: 'secret' })), 'BAD_REQUEST');
  });

  it('join of a missing room is NOT_FOUND; send without join is FORBIDDEN', async () => {
    const { c } = await user();
    assert.equal(codeOf(await c.request({ type: 'join', room: 'no-such-room' })), 'NOT_FOUND');
    assert.equal(codeOf(await c.request({ type: 'send', room: 'general', text: 'x', nonce: 'a' })), 'FORBIDDEN');
  });

  it('send: seq increases by one, a repeated nonce returns the first seq and stores nothing', async () => {
    const { c } = await user();
    const room = newRoom();
    await c.request({ type: 'create', room, visibility: 'public' });
    await c.request({ type: 'join', room });
    const first = await c.request({ type: 'send', room, text: 'one', nonce: 'n-1' });
    const second = await c.request({ type: 'send', room, text: 'two', nonce: 'n-2' });
    assert.equal(second.seq, (first.seq as number) + 1);
    const again = await c.request({ type: 'send', room, text: 'different text', nonce: 'n-1' });
    assert.equal(again.type, 'ok');
    assert.equal(again.seq, first.seq);
    assert.equal(again.ts, first.ts);
    const hist = await c.request({ type: 'history', room });
    assert.deepEqual((hist.messages as Frame[]).map((m) => m.text), ['one', 'two']);
    // The repeat was not fanned out a second time.
    await c.request({ type: 'rooms' });
    assert.equal(c.messages(room).length, 2);
  });

  it('send: text is NFC-normalised; controls refused; too long is TOO_LARGE; identity fields are refused', async () => {
    const { c, user: me } = await user();
    const room = newRoom();
    await c.request({ type: 'create', room, visibility: 'public' });
    await c.request({ type: 'join', room });
    const ok = await c.request({ type: 'send', room, text: 'cafe\u0301\nline\ttab', nonce: 'nfc' });
    assert.equal(ok.type, 'ok');
    const msg = await c.waitFor((f) => f.type === 'message' && f.seq === ok.seq);
    assert.equal(msg.text, 'caf\u00e9\nline\ttab');
    assert.deepEqual(msg.from, me);
    for (const text of ['a\rb', 'a\u0000b', 'a\u007fb', 'a\u0085b', '']) {
      assert.equal(codeOf(await c.request({ type: 'send', room, text, nonce: 'bad' })), 'BAD_REQUEST', JSON.stringify(text));
    }
    assert.equal(codeOf(await c.request({ type: 'send', room, text: 'x'.repeat(4001), nonce: 'big' })), 'TOO_LARGE');
    assert.equal(codeOf(await c.request({ type: 'send', room, text: 'spoof', nonce: 'sp', from: 'admin' })), 'BAD_REQUEST');
  });

  it('the XSS payload is stored and delivered verbatim as a JSON string', async () => {
    const { c } = await user();
    const { c: other } = await user();
    const room = newRoom();
    await c.request({ type: 'create', room, visibility: 'public' });
    await c.request({ type: 'join', room });
    await other.request({ type: 'join', room });
    const payload = '<img src=x onerror="window.__xss=1">';
    await c.request({ type: 'send', room, text: payload, nonce: 'xss' });
    const got = await other.waitFor((f) => f.type === 'message' && f.room === room);
    assert.equal(got.text, payload);
  });

  it('join with since replays exactly the missed messages in order; a bigger gap says truncated', async () => {
    const { c: writer } = await user();
    const { c: reader } = await user();
    const room = newRoom();
    await writer.request({ type: 'create', room, visibility: 'public' });
    await writer.request({ type: 'join', room });
    for (let i = 1; i <= 3; i++) await writer.request({ type: 'send', room, text: `m${i}`, nonce: `a${i}` });
    const join = await reader.request({ type: 'join', room, since: 1 });
    assert.equal(join.type, 'ok');
    assert.equal(join.seq, 3);
    assert.equal(join.truncated, undefined);
    const replayed = reader.messages(room).map((m) => m.text);
    assert.deepEqual(replayed, ['m2', 'm3']);
    // Live messages continue after the replay, each exactly once.
    await writer.request({ type: 'send', room, text: 'm4', nonce: 'a4' });
    await reader.waitFor((f) => f.type === 'message' && f.text === 'm4');
    assert.deepEqual(reader.messages(room).map((m) => m.seq), [2, 3, 4]);

    for (let i = 5; i <= 12; i++) await writer.request({ type: 'send', room, text: `m${i}`, nonce: `a${i}` });
    const { c: late } = await user();
    const lateJoin = await late.request({ type: 'join', room, since: 0 });
    assert.equal(lateJoin.truncated, true);
    assert.deepEqual(late.messages(room).map((m) => m.seq), [1, 2, 3, 4, 5]); // replayLimit 5
    const without = await (await user()).c.request({ type: 'join', room });
    assert.equal(without.seq, 12);
  });

  it('history pages backwards with before and limit; limit above 100 is BAD_REQUEST', async () => {
    const { c } = await user();
    const room = newRoom();
    await c.request({ type: 'create', room, visibility: 'public' });
    await c.request({ type: 'join', room });
    for (let i = 1; i <= 7; i++) await c.request({ type: 'send', room, text: `h${i}`, nonce: `h${i}` });
    const latest = await c.request({ type: 'history', room, limit: 3 });
    assert.deepEqual((latest.messages as Frame[]).map((m) => m.seq), [5, 6, 7]);
    const older = await c.request({ type: 'history', room, before: 5, limit: 3 });
    assert.deepEqual((older.messages as Frame[]).map((m) => m.seq), [2, 3, 4]);
    const oldest = await c.request({ type: 'history', room, before: 2, limit: 3 });
    assert.deepEqual((oldest.messages as Frame[]).map((m) => m.seq), [1]);
    assert.equal(codeOf(await c.request({ type: 'history', room, limit: 101 })), 'BAD_REQUEST');
    assert.equal(codeOf(await c.request({ type: 'history', room: 'nope-nope' })), 'NOT_FOUND');
  });

  it('private rooms: non-members get FORBIDDEN for join, send, history and invite; invite lets them in', async () => {
    const owner = await user();
    const outsider = await user();
    const room = newRoom();
    assert.equal((await owner.c.request({ type: 'create', room, visibility: 'private' })).type, 'ok');
    assert.equal(codeOf(await outsider.c.request({ type: 'join', room })), 'FORBIDDEN');
    assert.equal(codeOf(await outsider.c.request({ type: 'history', room })), 'FORBIDDEN');
    assert.equal(codeOf(await outsider.c.request({ type: 'send', room, text: 'x', nonce: 'x' })), 'FORBIDDEN');
    assert.equal(codeOf(await outsider.c.request({ type: 'invite', room, user: outsider.name })), 'FORBIDDEN');
    const roomsBefore = await outsider.c.request({ type: 'rooms' });
    assert.ok(!(roomsBefore.rooms as Frame[]).some((r) => r.room === room), 'private room hidden from non-members');

    assert.equal(codeOf(await owner.c.request({ type: 'invite', room, user: 'nobody_here_x' })), 'NOT_FOUND');
    assert.equal((await owner.c.request({ type: 'invite', room, user: outsider.name })).type, 'ok');
    assert.equal((await outsider.c.request({ type: 'join', room })).type, 'ok');
    const roomsAfter = await outsider.c.request({ type: 'rooms' });
    const listed = (roomsAfter.rooms as Frame[]).find((r) => r.room === room);
    assert.deepEqual(listed, { room, visibility: 'private', members: 2, lastSeq: 0, owner: owner.user.id });
  });

  it('kick and ban: only the owner; the target gets kicked; a banned user cannot rejoin', async () => {
    const owner = await user();
    const member = await user();
    const third = await user();
    const room = newRoom();
    await owner.c.request({ type: 'create', room, visibility: 'public' });
    await owner.c.request({ type: 'join', room });
    await member.c.request({ type: 'join', room });
    await third.c.request({ type: 'join', room });

    assert.equal(codeOf(await third.c.request({ type: 'kick', room, user: member.name })), 'FORBIDDEN');
    assert.equal(codeOf(await third.c.request({ type: 'ban', room, user: member.name })), 'FORBIDDEN');
    assert.equal(codeOf(await member.c.request({ type: 'kick', room, user: owner.name })), 'FORBIDDEN');

    assert.equal((await owner.c.request({ type: 'kick', room, user: member.name })).type, 'ok');
    const kicked = await member.c.waitFor((f) => f.type === 'kicked');
    assert.deepEqual(kicked, { type: 'kicked', room, reason: 'kicked' });
    assert.equal(codeOf(await member.c.request({ type: 'send', room, text: 'x', nonce: 'k1' })), 'FORBIDDEN');
    // A kicked member of a public room may join again.
    assert.equal((await member.c.request({ type: 'join', room })).type, 'ok');

    assert.equal((await owner.c.request({ type: 'ban', room, user: member.name })).type, 'ok');
    const banned = await member.c.waitFor((f) => f.type === 'kicked' && f.reason === 'banned');
    assert.equal(banned.room, room);
    assert.equal(codeOf(await member.c.request({ type: 'join', room })), 'FORBIDDEN');
    assert.equal(codeOf(await member.c.request({ type: 'history', room })), 'FORBIDDEN');
    const leave = await third.c.waitFor((f) => f.type === 'presence' && f.state === 'leave' && (f.user as Frame).name === member.name);
    assert.equal(leave.room, room);
  });

  it('leave ends the subscription and announces presence leave', async () => {
    const a = await user();
    const b = await user();
    const room = newRoom();
    await a.c.request({ type: 'create', room, visibility: 'public' });
    await a.c.request({ type: 'join', room });
    await b.c.request({ type: 'join', room });
    assert.equal((await b.c.request({ type: 'leave', room })).type, 'ok');
    const left = await a.c.waitFor((f) => f.type === 'presence' && f.state === 'leave');
    assert.equal((left.user as Frame).name, b.name);
    await a.c.request({ type: 'send', room, text: 'after leave', nonce: 'l1' });
    await a.c.waitFor((f) => f.type === 'message' && f.text === 'after leave');
    await b.c.request({ type: 'rooms' });
    assert.equal(b.c.messages(room).length, 0);
  });

  it('typing reaches the other members, not the typist, and gets no reply', async () => {
    const a = await user();
    const b = await user();
    const room = newRoom();
    await a.c.request({ type: 'create', room, visibility: 'public' });
    await a.c.request({ type: 'join', room });
    await b.c.request({ type: 'join', room });
    a.c.send({ type: 'typing', room });
    const typing = await b.c.waitFor((f) => f.type === 'typing');
    assert.deepEqual(typing, { type: 'typing', room, user: a.user });
    await a.c.request({ type: 'rooms' });
    assert.ok(!a.c.frames.some((f) => f.type === 'typing' || (f.type === 'error' && f.id === undefined)));
  });

  it('rooms lists public rooms with member counts and lastSeq', async () => {
    const { c } = await user();
    const res = await c.request({ type: 'rooms' });
    const general = (res.rooms as Frame[]).find((r) => r.room === 'general');
    assert.ok(general);
    assert.equal(general.visibility, 'public');
  });

  it('bad frames get error replies with the request id, the connection stays', async () => {
    const { c } = await user();
    c.ws.send('not json');
    assert.equal(codeOf(await c.waitFor((f) => f.type === 'error')), 'BAD_REQUEST');
    c.ws.send('{"type":"fly","id":"q1"}');
    const unknown = await c.waitFor((f) => f.type === 'error' && f.id === 'q1');
    assert.equal(unknown.code, 'UNKNOWN_TYPE');
    c.ws.send('{"type":"join","id":"q2","room":"general","__proto__":{"admin":true}}');
    const proto = await c.waitFor((f) => f.type === 'error' && f.id === 'q2');
    assert.equal(proto.code, 'BAD_REQUEST');
    assert.equal((await c.request({ type: 'join', room: 'general' })).type, 'ok');
  });
});

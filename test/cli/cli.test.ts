/** The rampart command as an operator uses it: config, user management, serve and shutdown. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { runCli, spawnServe } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';
import { api, registerAndLogin, TestClient } from '../helpers/client.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'rampart-cli-'));
}

describe('rampart config', () => {
  it('print shows the defaults, and env vars and flags override them in that order', async () => {
    const dir = await tempDir();
    try {
      const defaults = JSON.parse((await runCli(['config', 'print'], { cwd: dir })).stdout);
      assert.equal(defaults.port, 8080);
      assert.equal(defaults.maxMessageBytes, 16384);
      assert.equal(defaults.permessageDeflate, false);
      const env = JSON.parse((await runCli(['config', 'print'], { cwd: dir, env: { RAMPART_PORT: '9001' } })).stdout);
      assert.equal(env.port, 9001);
      const flag = JSON.parse((await runCli(['config', 'print', '--port', '9002'], { cwd: dir, env: { RAMPART_PORT: '9001' } })).stdout);
      assert.equal(flag.port, 9002);
      await writeFile(join(dir, 'rampart.config.json'), JSON.stringify({ port: 9003, metricsToken: 'x'.repeat(40) }));
      const file = JSON.parse((await runCli(['config', 'print'], { cwd: dir })).stdout);
      assert.equal(file.port, 9003);
      assert.equal(file.metricsToken, '[redacted]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('unknown keys, env vars and flags are errors, not ignored', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir, 'bad.json'), JSON.stringify({ maxMesageBytes: 1 }));
      const check = await runCli(['config', 'check', 'bad.json'], { cwd: dir });
      assert.notEqual(check.code, 0);
      assert.match(check.stderr, /maxMesageBytes/);
      const env = await runCli(['config', 'print'], { cwd: dir, env: { RAMPART_MAX_MESAGE_BYTES: '1' } });
      assert.notEqual(env.code, 0);
      assert.match(env.stderr, /RAMPART_MAX_MESAGE_BYTES/);
      const flag = await runCli(['serve', '--max-mesage-bytes', '1'], { cwd: dir });
      assert.equal(flag.code, 2);
      await writeFile(join(dir, 'good.json'), JSON.stringify({ maxMessageBytes: 32768 }));
      const ok = await runCli(['config', 'check', 'good.json'], { cwd: dir });
      assert.equal(ok.code, 0, ok.stderr);
      const star = await runCli(['config', 'print', '--allowed-origins', '*'], { cwd: dir });
      assert.notEqual(star.code, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('rampart user, on the database of a running server', () => {
  it('add, list, passwd, ban, unban and delete act on the live server', async () => {
    const t = await startTestServer({ sessionRecheckMs: 200 });
    const db = ['--data-dir', t.dataDir];
    try {
      const add = await runCli(['user', 'add', 'carol', '--password-stdin', ...db], { input: 'carol-password-1\n' });
      assert.equal(add.code, 0, add.stderr);
      const login = await api(t.url, '/api/login', { username: 'carol', password: 'carol-password-1' });
      assert.equal(login.status, 200, 'the running server sees the user added by the CLI');
      assert.match((await runCli(['user', 'list', ...db])).stdout, /^carol\t/m);
      const dup = await runCli(['user', 'add', 'CAROL', '--password-stdin', ...db], { input: 'whatever-password\n' });
      assert.equal(dup.code, 1);

      const socket = await TestClient.connect(t.wsUrl, login.json.token);
      const passwd = await runCli(['user', 'passwd', 'carol', '--password-stdin', ...db], { input: 'carol-password-2\n' });
      assert.equal(passwd.code, 0, passwd.stderr);
      assert.equal((await socket.closed).code, 4001, 'a password change ends live sessions');
      assert.equal((await api(t.url, '/api/login', { username: 'carol', password: 'carol-password-1' })).status, 401);
      const relogin = await api(t.url, '/api/login', { username: 'carol', password: 'carol-password-2' });
      assert.equal(relogin.status, 200);

      const live = await TestClient.connect(t.wsUrl, relogin.json.token);
      assert.equal((await runCli(['user', 'ban', 'carol', ...db])).code, 0);
      assert.equal((await live.closed).code, 4002);
      assert.equal((await api(t.url, '/api/login', { username: 'carol', password: 'carol-password-2' })).status, 401);
      assert.equal((await runCli(['user', 'unban', 'carol', ...db])).code, 0);
      assert.equal((await api(t.url, '/api/login', { username: 'carol', password: 'carol-password-2' })).status, 200);

      assert.equal((await runCli(['user', 'delete', 'carol', ...db])).code, 0);
      assert.equal((await api(t.url, '/api/login', { username: 'carol', password: 'carol-password-2' })).status, 401);
      assert.doesNotMatch((await runCli(['user', 'list', ...db])).stdout, /carol/);
      const short = await runCli(['user', 'add', 'dave', '--password-stdin', ...db], { input: 'short\n' });
      assert.equal(short.code, 1);
      assert.match(short.stderr, /8\.\.1024/);
    } finally {
      await t.close();
    }
  });
});

describe('rampart serve', () => {
  it('serves, logs JSON without secrets, and drains on SIGTERM: clients get 1001, exit code 0', async () => {
    const dir = await tempDir();
    try {
      const { child, url, output } = await spawnServe(['--port', '0', '--data-dir', dir]);
      const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
      const alice = await registerAndLogin(url);
      await api(url, '/api/login', { username: alice.name, password: 'a wrong password' });
      const c = await TestClient.connect(wsUrl, alice.token);
      await c.request({ type: 'join', room: 'general' });
      const secretText = 'the secret body of a message 7f3a';
      await c.request({ type: 'send', room: 'general', text: secretText, nonce: 'secret' });

      // Refusals and violations leave audit lines (reason, IP, user), never the secret itself.
      const refused = new WebSocket(wsUrl, 'rampart.v1', { headers: { cookie: `rampart_session=${alice.token}`, origin: 'https://evil.example' } });
      await new Promise((resolve) => refused.once('unexpected-response', resolve));
      const binary = await TestClient.connect(wsUrl, alice.token);
      binary.ws.send(Buffer.from([1, 2, 3]));
      assert.equal((await binary.closed).code, 1003);

      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal((await c.closed).code, 1001);
      assert.equal(await exited, 0);

      const logs = output();
      const lines = logs.trim().split('\n');
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `log line is JSON: ${line}`);
      for (const event of ['server.listening', 'auth.register', 'auth.login', 'auth.login_failed', 'conn.open', 'server.draining', 'server.stopped']) {
        assert.ok(logs.includes(`"event":"${event}"`), `logs ${event}`);
      }
      const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(events.some((e) => e.event === 'gate.reject' && e.reason === 'origin' && e.status === 403 && e.ip === '127.0.0.1'), 'origin refusal audited');
      assert.ok(events.some((e) => e.event === 'conn.violation' && e.reason === 'BINARY_FRAME' && e.user === alice.user.id && e.ip === '127.0.0.1'), 'violation audited');
      assert.ok(!logs.includes(alice.token), 'no token in logs');
      assert.ok(!logs.includes('correct horse battery') && !logs.includes('a wrong password'), 'no password in logs');
      assert.ok(!logs.includes(secretText), 'no message body in logs');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to listen beyond loopback without publicUrl or allowedHosts', async () => {
    const dir = await tempDir();
    try {
      const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dir]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr + result.stdout, /publicUrl or allowedHosts/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('rampart chat', () => {
  it('logs in with the first stdin line, joins general and sends the other lines; the password is never sent', async () => {
    const t = await startTestServer();
    try {
      const watcher = await registerAndLogin(t.url);
      const w = await TestClient.connect(t.wsUrl, watcher.token);
      await w.request({ type: 'join', room: 'general' });
      const password = 'terminal-password-1';
      // Lines arrive before the join completes: the client must still send them only after joining.
      const result = await runCli(['chat', '--url', t.url, '--user', 'term_user', '--register', '--password-stdin'], {
        input: `${password}\nhello from a terminal\nsecond line\n`,
      });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.match(result.stdout, /joined #general/);
      await w.waitFor((f) => f.type === 'message' && f.text === 'second line');
      const texts = w.messages('general').map((m) => m.text);
      assert.deepEqual(texts, ['hello from a terminal', 'second line']);
      assert.ok(!texts.includes(password));
      w.close();
    } finally {
      await t.close();
    }
  });
});

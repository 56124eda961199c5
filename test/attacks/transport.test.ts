/** Catalogue T1/T2: `rampart serve --tls-cert --tls-key` serves https/wss, TLS 1.2+ only, with HSTS. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeSelfSigned, opensslMissing, type SelfSigned } from '../helpers/self-signed.js';

const missing = opensslMissing();
if (missing && process.env.RAMPART_REQUIRE_SERVICES === '1') throw new Error(`TLS tests need openssl: ${missing}`);
if (missing) console.warn(`SKIPPING TLS tests: ${missing}`);

function httpsJson(url: string, path: string, body: unknown, ca: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('TLS transport', { skip: missing }, () => {
  let cert: SelfSigned;
  let t: TestServer;
  before(async () => {
    cert = await makeSelfSigned();
    t = await startTestServer({ tlsCert: cert.certFile, tlsKey: cert.keyFile });
  });
  after(async () => {
    await t.close();
    await rm(cert.dir, { recursive: true, force: true });
  });

  it('serves https with HSTS and a Secure session cookie', async () => {
    assert.match(t.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const reg = await httpsJson(t.url, '/api/register', { username: 'tls_user', password: 'tls-password-1' }, cert.cert);
    assert.equal(reg.status, 201);
    assert.match(String(reg.headers['strict-transport-security']), /max-age=\d+/);
    const login = await httpsJson(t.url, '/api/login', { username: 'tls_user', password: 'tls-password-1' }, cert.cert);
    assert.equal(login.status, 200);
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /HttpOnly/);

    // wss with the certificate verified (no rejectUnauthorized: false).
    const ws = new WebSocket(`${t.wsUrl}`, 'rampart.v1', { ca: cert.cert, headers: { authorization: `Bearer ${login.json.token}` } });
    const hello = await new Promise<any>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString())));
      ws.once('error', reject);
    });
    assert.equal(hello.type, 'hello');
    ws.send(JSON.stringify({ type: 'join', id: 'j', room: 'general' }));
    const ok = await new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    assert.equal(ok.type, 'ok');
    ws.close();
  });

  it('refuses TLS 1.1 and below', async () => {
    const result = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: t.server.port, ca: cert.cert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
      socket.once('secureConnect', () => {
        resolve(`connected with ${String(socket.getProtocol())}`);
        socket.destroy();
      });
      socket.once('error', (err) => resolve(`refused: ${err.message}`));
    });
    assert.match(result, /^refused/);
  });

  it('negotiates TLS 1.2 or newer', async () => {
    const protocol = await new Promise<string | null>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: t.server.port, ca: cert.cert });
      socket.once('secureConnect', () => {
        resolve(socket.getProtocol());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    assert.ok(protocol === 'TLSv1.2' || protocol === 'TLSv1.3', String(protocol));
  });

  it('a cleartext request on the TLS port gets no HTTP answer', async () => {
    const data = await new Promise<string>((resolve) => {
      const socket = netConnect(t.server.port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
      setTimeout(() => socket.destroy(), 2000).unref();
    });
    assert.doesNotMatch(data, /HTTP\/1\.1 200/);
  });
});

/** Catalogue H1/H2: the origin allowlist from config, and the one loud way to open it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { loadConfig, ConfigError } from '../../src/config/load.js';
import { startTestServer } from '../helpers/server.js';
import { api, registerAndLogin } from '../helpers/client.js';

function upgradeStatus(wsUrl: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'rampart.v1', { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', reject);
  });
}

describe('origin configuration', () => {
  it('a wildcard or null origin in allowedOrigins is refused when the config loads', () => {
    for (const origin of ['*', 'null', 'https://*.example.com', 'https://example.com/path']) {
      assert.throws(() => loadConfig({ env: {}, flags: { 'allowed-origins': origin } }), ConfigError, origin);
    }
  });

  it('a configured extra origin is allowed with a cookie; others are not', async () => {
    const t = await startTestServer({ allowedOrigins: ['https://chat.example.com'] });
    try {
      const u = await registerAndLogin(t.url);
      const cookie = `rampart_session=${u.token}`;
      assert.equal(await upgradeStatus(t.wsUrl, { cookie, origin: 'https://chat.example.com' }), 101);
      assert.equal(await upgradeStatus(t.wsUrl, { cookie, origin: 'https://chat.example.com.evil.com' }), 403);
      assert.equal(await upgradeStatus(t.wsUrl, { cookie, origin: 'http://chat.example.com' }), 403);
      assert.equal(await upgradeStatus(t.wsUrl, { cookie, origin: 'https://evil.chat.example.com' }), 403);
      const login = await api(t.url, '/api/login', { username: u.name, password: 'correct horse battery' }, { origin: 'https://chat.example.com' });
      assert.equal(login.status, 200);
    } finally {
      await t.close();
    }
  });

  it('dangerouslyAllowAnyOrigin opens every real origin, never `null`', async () => {
    const t = await startTestServer({ dangerouslyAllowAnyOrigin: true });
    try {
      const u = await registerAndLogin(t.url);
      const cookie = `rampart_session=${u.token}`;
      assert.equal(await upgradeStatus(t.wsUrl, { cookie, origin: 'https://evil.example' }), 101);
      assert.equal(await upgradeStatus(t.wsUrl, { cookie, origin: 'null' }), 403);
      assert.equal(await upgradeStatus(t.wsUrl, { cookie }), 403, 'a cookie still needs an Origin');
    } finally {
      await t.close();
    }
  });
});

/**
 * The WebSocket handshake gate (DESIGN.md, "WebSocket handshake: GET /ws"), attacked over raw TCP:
 * every request is written byte by byte with node:net, and every refusal must be the exact
 * status, carry `Connection: close`, be the only response on the socket (never a 101) and be
 * followed by the server closing the TCP connection.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { registerAndLogin, TestClient } from '../helpers/client.js';
import {
  RawConnection,
  buildRequest,
  countStatusLines,
  parseResponse,
  rawExchange,
  rawRequestHead,
  wsAccept,
  wsKey,
  type RawResponse,
} from '../helpers/raw-http.js';

/** How long a refusal may take to arrive and the connection to be closed. */
const REFUSAL_TIMEOUT_MS = 2000;

interface UpgradeOptions {
  method?: string;
  path?: string;
  httpVersion?: string;
  /** Header overrides by name (case-insensitive); `undefined` removes the header. */
  headers?: Record<string, string | undefined>;
  key?: string;
}

/** A valid upgrade request for `port` (bearer auth when `token` is given), with overrides. */
function upgradeRequest(port: number, token: string | undefined, options: UpgradeOptions = {}): string {
  const base: Array<[string, string | undefined]> = [
    ['Host', `127.0.0.1:${port}`],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', options.key ?? wsKey()],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Protocol', 'rampart.v1'],
    ['Authorization', token === undefined ? undefined : `Bearer ${token}`],
  ];
  const overrides = Object.entries(options.headers ?? {});
  const headers: Array<[string, string | undefined]> = base.map(([name, value]) => {
    const override = overrides.find(([k]) => k.toLowerCase() === name.toLowerCase());
    return override ? [name, override[1]] : [name, value];
  });
  for (const [name, value] of overrides) {
    if (!base.some(([k]) => k.toLowerCase() === name.toLowerCase())) headers.push([name, value]);
  }
  const line = `${options.method ?? 'GET'} ${options.path ?? '/ws'} HTTP/${options.httpVersion ?? '1.1'}`;
  return buildRequest(line, headers);
}

/**
 * Sends `request` on a fresh connection and asserts a refusal with `status`: the only response
 * on the socket, `Connection: close`, no banner, a short body, and the server closes the TCP
 * connection. Returns the parsed response.
 */
async function expectRefused(port: number, request: string | Array<string | number>, status: number): Promise<RawResponse> {
  const chunks = Array.isArray(request) ? request : [request];
  const conn = await RawConnection.open(port, REFUSAL_TIMEOUT_MS);
  try {
    void (async () => {
      for (const chunk of chunks) {
        if (conn.closed) return;
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else conn.write(chunk);
      }
    })();
    const res = await conn.waitForHead(REFUSAL_TIMEOUT_MS);
    const head = () => JSON.stringify(conn.data.toString('latin1').slice(0, 400));
    assert.equal(res.status, status, `expected ${status}, got: ${head()}`);
    assert.equal(res.headers['connection']?.toLowerCase(), 'close', `Connection: close missing in ${head()}`);
    assert.ok(await conn.waitForClose(REFUSAL_TIMEOUT_MS), `the server did not close the TCP connection within ${REFUSAL_TIMEOUT_MS} ms`);
    // Let a packet that raced the FIN land, then look at everything the socket ever received.
    await new Promise((r) => setImmediate(r));
    const text = conn.data.toString('latin1');
    assert.equal(countStatusLines(conn.data), 1, `more than one response on the socket: ${JSON.stringify(text)}`);
    assert.ok(!/HTTP\/1\.[01] 101/.test(text), 'a 101 was sent');
    assert.equal(res.headers['server'], undefined, 'Server banner');
    assert.equal(res.headers['x-powered-by'], undefined, 'X-Powered-By banner');
    assert.equal(res.headers['sec-websocket-accept'], undefined, 'Sec-WebSocket-Accept on a refusal');
    const full = parseResponse(conn.data);
    const length = full.headers['content-length'];
    if (length !== undefined) {
      assert.equal(full.body.length, Number(length), 'body length differs from Content-Length (extra bytes after the response)');
      assert.ok(full.body.length < 200, 'refusal body is not short');
    }
    return full;
  } finally {
    conn.destroy();
  }
}

/** Decodes the first unmasked server frame in `data` (text frames only); null when incomplete. */
function firstServerFrame(data: Buffer): { opcode: number; payload: string } | null {
  if (data.length < 2) return null;
  const opcode = data[0]! & 0x0f;
  assert.equal(data[1]! & 0x80, 0, 'server frames must not be masked');
  let length = data[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return null;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return null;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  if (data.length < offset + length) return null;
  return { opcode, payload: data.subarray(offset, offset + length).toString('utf8') };
}

/** Asserts a 101 with the right accept and subprotocol; returns the open connection for the caller to destroy. */
async function expectAccepted(port: number, request: string, key: string): Promise<{ conn: RawConnection; response: RawResponse }> {
  const { conn, response } = await rawRequestHead(port, request, 3000);
  try {
    assert.equal(response.status, 101, `expected 101, got ${response.statusLine}`);
    assert.equal(response.headers['upgrade']?.toLowerCase(), 'websocket');
    assert.equal(response.headers['connection']?.toLowerCase(), 'upgrade');
    assert.equal(response.headers['sec-websocket-accept'], wsAccept(key));
    assert.equal(response.headers['sec-websocket-protocol'], 'rampart.v1');
    assert.equal(response.headers['server'], undefined, 'Server banner');
    assert.equal(response.headers['x-powered-by'], undefined, 'X-Powered-By banner');
  } catch (err) {
    conn.destroy();
    throw err;
  }
  return { conn, response };
}

/** Waits for the `hello` frame after a raw 101 and returns it parsed. */
async function readHello(conn: RawConnection): Promise<Record<string, unknown>> {
  const data = await conn.waitForData((d) => {
    const end = d.indexOf('\r\n\r\n');
    return end >= 0 && firstServerFrame(d.subarray(end + 4)) !== null;
  }, 3000);
  const frame = firstServerFrame(data.subarray(data.indexOf('\r\n\r\n') + 4))!;
  assert.equal(frame.opcode, 1, 'first frame is a text frame');
  return JSON.parse(frame.payload) as Record<string, unknown>;
}

describe('handshake gate: request shape, version, subprotocol, auth, host and origin', () => {
  let t: TestServer;
  let port: number;
  let token: string;
  let userName: string;

  before(async () => {
    t = await startTestServer({ handshakeTimeoutMs: 1000 });
    port = t.server.port;
    const alice = await registerAndLogin(t.url);
    token = alice.token;
    userName = alice.name;
  });
  after(async () => t.close());

  describe('404 for other paths', () => {
    for (const path of ['/wss', '/ws/x', '/', '/api/ws', '/WS']) {
      it(`404 for ${path}`, async () => {
        await expectRefused(port, upgradeRequest(port, token, { path }), 404);
      });
    }
  });

  describe('400 malformed requests', () => {
    it('400 for POST /ws', async () => {
      await expectRefused(port, upgradeRequest(port, token, { method: 'POST', headers: { 'Content-Length': '0' } }), 400);
    });
    it('400 for HTTP/1.0', async () => {
      await expectRefused(port, upgradeRequest(port, token, { httpVersion: '1.0' }), 400);
    });
    it('400 for Upgrade: h2c', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Upgrade: 'h2c' } }), 400);
    });
    it('400 for Upgrade: websocketa', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Upgrade: 'websocketa' } }), 400);
    });
    it('400 without Connection: Upgrade', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Connection: undefined } }), 400);
    });
    it('400 with Connection: keep-alive (no upgrade token)', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Connection: 'keep-alive' } }), 400);
    });
    it('400 without an Upgrade header', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Upgrade: undefined } }), 400);
    });
    it('400 without Sec-WebSocket-Key', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { 'Sec-WebSocket-Key': undefined } }), 400);
    });
    it('400 for a Sec-WebSocket-Key of 15 bytes', async () => {
      const key = Buffer.alloc(15, 7).toString('base64');
      await expectRefused(port, upgradeRequest(port, token, { key }), 400);
    });
    it('400 for a Sec-WebSocket-Key that is not base64', async () => {
      await expectRefused(port, upgradeRequest(port, token, { key: '!!!!!!!!!!!!!!!!!!!!!!==' }), 400);
    });
    it('400 without a Host header (HTTP/1.1)', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Host: undefined } }), 400);
    });
  });

  describe('426 for every version but 13', () => {
    for (const version of ['', '8', '7', '13,14', '14']) {
      it(`426 + Sec-WebSocket-Version: 13 for Sec-WebSocket-Version: ${JSON.stringify(version)}`, async () => {
        const res = await expectRefused(port, upgradeRequest(port, token, { headers: { 'Sec-WebSocket-Version': version } }), 426);
        assert.equal(res.headers['sec-websocket-version'], '13');
      });
    }
    it('426 + Sec-WebSocket-Version: 13 when the version header is missing', async () => {
      const res = await expectRefused(port, upgradeRequest(port, token, { headers: { 'Sec-WebSocket-Version': undefined } }), 426);
      assert.equal(res.headers['sec-websocket-version'], '13');
    });
  });

  describe('400 when no known subprotocol is offered', () => {
    it('400 without Sec-WebSocket-Protocol', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { 'Sec-WebSocket-Protocol': undefined } }), 400);
    });
    it('400 when only an unknown subprotocol (chat) is offered', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { 'Sec-WebSocket-Protocol': 'chat' } }), 400);
    });
  });

  describe('401 credentials', () => {
    it('401 without credentials', async () => {
      await expectRefused(port, upgradeRequest(port, undefined), 401);
    });
    it('401 with a bad bearer token', async () => {
      await expectRefused(port, upgradeRequest(port, 'A'.repeat(43)), 401);
    });
    it('401 with a malformed Authorization header', async () => {
      await expectRefused(port, upgradeRequest(port, undefined, { headers: { Authorization: `Basic ${token}` } }), 401);
    });
    it('401 with a valid token in the URL (?token=) and no header: a URL token is never accepted', async () => {
      await expectRefused(port, upgradeRequest(port, undefined, { path: `/ws?token=${encodeURIComponent(token)}` }), 401);
      await expectRefused(port, upgradeRequest(port, undefined, { path: `/ws?access_token=${encodeURIComponent(token)}` }), 401);
    });
    it('401 with an unknown session cookie and an allowed Origin', async () => {
      await expectRefused(
        port,
        upgradeRequest(port, undefined, { headers: { Cookie: `rampart_session=${'B'.repeat(43)}`, Origin: `http://127.0.0.1:${port}` } }),
        401,
      );
    });
  });

  describe('403 host and origin', () => {
    it('403 for a wrong Host (DNS rebinding) even with a valid bearer', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Host: `evil.example:${port}` } }), 403);
    });
    it('403 for a foreign Origin even with a valid bearer', async () => {
      await expectRefused(port, upgradeRequest(port, token, { headers: { Origin: 'https://evil.example' } }), 403);
    });

    const bypasses: Array<[string, (p: number) => string]> = [
      ['null', () => 'null'],
      ['scheme swap https://127.0.0.1:PORT', (p) => `https://127.0.0.1:${p}`],
      ['suffix host http://127.0.0.1:PORT.evil.com', (p) => `http://127.0.0.1:${p}.evil.com`],
      ['wrong port http://127.0.0.1:PORT1', (p) => `http://127.0.0.1:${p}1`],
      ['next port http://127.0.0.1:PORT+1', (p) => `http://127.0.0.1:${p + 1}`],
      ['subdomain http://sub.localhost:PORT', (p) => `http://sub.localhost:${p}`],
      ['with a path http://127.0.0.1:PORT/', (p) => `http://127.0.0.1:${p}/`],
      ['foreign https://evil.example', () => 'https://evil.example'],
    ];
    for (const [label, origin] of bypasses) {
      it(`403 for a valid cookie with Origin ${label}`, async () => {
        await expectRefused(port, upgradeRequest(port, undefined, { headers: { Cookie: `rampart_session=${token}`, Origin: origin(port) } }), 403);
      });
    }
    it('403 for a valid cookie with NO Origin', async () => {
      await expectRefused(port, upgradeRequest(port, undefined, { headers: { Cookie: `rampart_session=${token}` } }), 403);
    });
  });

  describe('101 accepted handshakes', () => {
    it('101 for a valid cookie + allowed Origin http://127.0.0.1:PORT, rampart.v1 selected, correct accept', async () => {
      const key = wsKey();
      const request = upgradeRequest(port, undefined, {
        key,
        headers: { Cookie: `rampart_session=${token}`, Origin: `http://127.0.0.1:${port}` },
      });
      const { conn } = await expectAccepted(port, request, key);
      try {
        const hello = await readHello(conn);
        assert.equal(hello.type, 'hello');
        assert.equal((hello.user as { name: string }).name, userName);
      } finally {
        conn.destroy();
      }
    });
    it('101 for a valid cookie + allowed Origin http://localhost:PORT', async () => {
      const key = wsKey();
      const request = upgradeRequest(port, undefined, {
        key,
        headers: { Cookie: `rampart_session=${token}`, Origin: `http://localhost:${port}` },
      });
      const { conn } = await expectAccepted(port, request, key);
      conn.destroy();
    });
    it('101 with a bearer and no Origin', async () => {
      const key = wsKey();
      const { conn } = await expectAccepted(port, upgradeRequest(port, token, { key }), key);
      try {
        const hello = await readHello(conn);
        assert.equal(hello.type, 'hello');
        assert.equal(hello.protocol, 'rampart.v1');
      } finally {
        conn.destroy();
      }
    });
    it('selects rampart.v1 when the client offers "foo, rampart.v1"', async () => {
      const key = wsKey();
      const request = upgradeRequest(port, token, { key, headers: { 'Sec-WebSocket-Protocol': 'foo, rampart.v1' } });
      const { conn, response } = await expectAccepted(port, request, key);
      conn.destroy();
      assert.equal(response.headers['sec-websocket-protocol'], 'rampart.v1');
    });
  });

  describe('smuggling, oversized headers and slowloris', () => {
    it('a request written right behind a refused upgrade (same write) gets no response', async () => {
      const refused = upgradeRequest(port, token, { headers: { 'Sec-WebSocket-Version': '8' } });
      const smuggledHttp = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
      const smuggledUpgrade = upgradeRequest(port, token);
      const res = await expectRefused(port, refused + smuggledHttp + smuggledUpgrade, 426);
      assert.equal(res.headers['sec-websocket-version'], '13');
    });
    it('a request written right after a refused upgrade (next write) gets no response', async () => {
      const refused = upgradeRequest(port, token, { headers: { 'Sec-WebSocket-Version': '8' } });
      const smuggled = upgradeRequest(port, token);
      await expectRefused(port, [refused, 5, smuggled, 5, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`], 426);
    });
    it('431 for a header block over 16 KiB (answered by Node)', async () => {
      const request = upgradeRequest(port, token, { headers: { 'X-Pad': 'a'.repeat(17 * 1024) } });
      await expectRefused(port, request, 431);
    });
    it('a slowloris upgrade (headers never finished) is closed within handshakeTimeoutMs + 1.5 s', async () => {
      const limit = t.config.handshakeTimeoutMs + 1500;
      const exchange = await rawExchange(port, [`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`], limit + 500);
      assert.ok(exchange.closedByServer, `not closed within ${limit + 500} ms`);
      assert.ok(exchange.elapsedMs <= limit, `closed after ${exchange.elapsedMs} ms (limit ${limit})`);
      assert.ok(exchange.elapsedMs >= t.config.handshakeTimeoutMs - 200, `closed too early (${exchange.elapsedMs} ms): not the timeout`);
      assert.ok(!/HTTP\/1\.[01] 101/.test(exchange.data.toString('latin1')), 'a 101 was sent');
    });
    it('a slowloris trickling one header line every 200 ms is closed within handshakeTimeoutMs + 1.5 s', async () => {
      const limit = t.config.handshakeTimeoutMs + 1500;
      const chunks: Array<string | number> = [`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`];
      for (let i = 0; i < 20; i++) chunks.push(200, `X-Trickle-${i}: ${i}\r\n`);
      const exchange = await rawExchange(port, chunks, limit + 500);
      assert.ok(exchange.closedByServer, `not closed within ${limit + 500} ms`);
      assert.ok(exchange.elapsedMs <= limit, `closed after ${exchange.elapsedMs} ms (limit ${limit})`);
      assert.ok(!/HTTP\/1\.[01] 101/.test(exchange.data.toString('latin1')), 'a 101 was sent');
    });
  });

  it('liveness: after all of the above a fresh client still connects and gets hello', async () => {
    const fresh = await registerAndLogin(t.url);
    const client = await TestClient.connect(t.wsUrl, fresh.token);
    try {
      assert.equal(client.frames[0]?.type, 'hello');
      const joined = await client.request({ type: 'join', room: 'general' });
      assert.equal(joined.type, 'ok');
    } finally {
      client.close();
      await withTimeout(client.closed, 2000, 'client close');
    }
  });
});

describe('handshake gate: per-IP cap (maxConnectionsPerIp: 2)', () => {
  let t: TestServer;
  let port: number;
  const clients: TestClient[] = [];
  let thirdToken: string;

  before(async () => {
    t = await startTestServer({ maxConnectionsPerIp: 2 });
    port = t.server.port;
    const a = await registerAndLogin(t.url);
    const b = await registerAndLogin(t.url);
    thirdToken = (await registerAndLogin(t.url)).token;
    clients.push(await TestClient.connect(t.wsUrl, a.token), await TestClient.connect(t.wsUrl, b.token));
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.close();
  });

  it('429 for a third connection from the same IP (another user)', async () => {
    await expectRefused(port, upgradeRequest(port, thirdToken), 429);
  });
  it('a spoofed X-Forwarded-For does not bypass the per-IP cap (no trusted proxies)', async () => {
    await expectRefused(port, upgradeRequest(port, thirdToken, { headers: { 'X-Forwarded-For': '1.2.3.4' } }), 429);
    await expectRefused(port, upgradeRequest(port, thirdToken, { headers: { 'X-Forwarded-For': '1.2.3.4, 5.6.7.8', 'X-Real-IP': '9.9.9.9' } }), 429);
  });
  it('the slot frees when a connection closes (a new one is then accepted)', async () => {
    const leaving = clients.shift()!;
    leaving.close();
    await withTimeout(leaving.closed, 2000, 'client close');
    const client = await retryUntil(() => TestClient.connect(t.wsUrl, thirdToken), 2000);
    clients.push(client);
  });
});

describe('handshake gate: per-user cap (maxConnectionsPerUser: 2, maxConnectionsPerIp: 10)', () => {
  let t: TestServer;
  let port: number;
  const clients: TestClient[] = [];
  let aliceToken: string;
  let bobToken: string;

  before(async () => {
    t = await startTestServer({ maxConnectionsPerUser: 2, maxConnectionsPerIp: 10 });
    port = t.server.port;
    aliceToken = (await registerAndLogin(t.url)).token;
    bobToken = (await registerAndLogin(t.url)).token;
    clients.push(await TestClient.connect(t.wsUrl, aliceToken), await TestClient.connect(t.wsUrl, aliceToken));
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.close();
  });

  it('429 for the same user\'s third connection', async () => {
    await expectRefused(port, upgradeRequest(port, aliceToken), 429);
  });
  it('another user from the same IP is still accepted', async () => {
    const key = wsKey();
    const { conn } = await expectAccepted(port, upgradeRequest(port, bobToken, { key }), key);
    conn.destroy();
  });
});

describe('handshake gate: total cap (maxConnections: 1)', () => {
  let t: TestServer;
  let port: number;
  let client: TestClient | undefined;
  let bobToken: string;

  before(async () => {
    t = await startTestServer({ maxConnections: 1 });
    port = t.server.port;
    const alice = await registerAndLogin(t.url);
    bobToken = (await registerAndLogin(t.url)).token;
    client = await TestClient.connect(t.wsUrl, alice.token);
  });
  after(async () => {
    client?.close();
    await t.close();
  });

  it('503 with Retry-After when the server is full', async () => {
    const res = await expectRefused(port, upgradeRequest(port, bobToken), 503);
    const retryAfter = res.headers['retry-after'];
    assert.ok(retryAfter !== undefined && /^\d+$/.test(retryAfter) && Number(retryAfter) > 0, `Retry-After: ${retryAfter}`);
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

/** Retries `attempt` every 50 ms until it succeeds or `ms` passed (then rethrows the last error). */
async function retryUntil<T>(attempt: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

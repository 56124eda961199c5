/**
 * The HTTP API of DESIGN.md ("Protocol v1 → HTTP" and "Contract details") against a real server:
 * every route, its failure replies, login throttling, the Origin rule for state-changing
 * requests, readiness while draining, /metrics, and the headers every response carries.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { PASSWORD, TestClient, registerAndLogin, uniqueName } from '../helpers/client.js';
import { RawConnection, buildRequest, wsKey } from '../helpers/raw-http.js';

const CSP = "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";
const REQUEST_TIMEOUT_MS = 5000;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One HTTP request with fetch; every call has a timeout. */
async function call(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | undefined } = {},
): Promise<Reply> {
  const res = await fetch(base + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.headers ?? {},
    body: init.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  const reply = { status: res.status, headers: res.headers, text, json };
  assertCommonHeaders(reply, `${init.method ?? 'GET'} ${path}`);
  if (reply.status >= 400) assertCleanError(reply, `${init.method ?? 'GET'} ${path}`);
  return reply;
}

/** POST a JSON body (Content-Type: application/json unless overridden). */
function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return call(base, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The headers DESIGN.md puts on every HTTP response, and no banners. */
function assertCommonHeaders(reply: Reply, what: string): void {
  assert.equal(reply.headers.get('content-security-policy'), CSP, `${what}: Content-Security-Policy`);
  assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(reply.headers.get('referrer-policy'), `${what}: Referrer-Policy missing`);
  assert.equal(reply.headers.get('server'), null, `${what}: Server banner`);
  assert.equal(reply.headers.get('x-powered-by'), null, `${what}: X-Powered-By banner`);
}

/** Error replies: JSON {error:{code,message}}, never a stack trace, SQL or library names. */
function assertCleanError(reply: Reply, what: string): void {
  assert.ok(!/\bat \S*[/\\]\S+/.test(reply.text), `${what}: stack trace in ${reply.text}`);
  assert.ok(!/\.(?:ts|js|mjs|cjs):\d+/.test(reply.text), `${what}: source location in ${reply.text}`);
  assert.ok(!/node_modules/.test(reply.text), `${what}: node_modules in ${reply.text}`);
  assert.ok(!/sqlite/i.test(reply.text), `${what}: "sqlite" in ${reply.text}`);
  assert.ok(!/SQL/.test(reply.text), `${what}: "SQL" in ${reply.text}`);
  assert.ok(!/zod/i.test(reply.text), `${what}: "zod" in ${reply.text}`);
  assert.equal(typeof reply.json?.error?.code, 'string', `${what}: error body ${reply.text}`);
  assert.equal(typeof reply.json?.error?.message, 'string', `${what}: error body ${reply.text}`);
}

function assertRetryAfter(reply: Reply, maxSeconds: number): number {
  const value = reply.headers.get('retry-after');
  assert.ok(value !== null && /^\d+$/.test(value), `Retry-After: ${value}`);
  const seconds = Number(value);
  assert.ok(seconds >= 1 && seconds <= maxSeconds, `Retry-After ${seconds} not in 1..${maxSeconds}`);
  return seconds;
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function cookie(token: string): Record<string, string> {
  return { cookie: `rampart_session=${token}` };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

async function register(base: string, name = uniqueName(), password = PASSWORD): Promise<{ id: string; name: string }> {
  const reply = await post(base, '/api/register', { username: name, password });
  assert.equal(reply.status, 201, `register ${name}: ${reply.status} ${reply.text}`);
  return reply.json.user;
}

describe('HTTP API (registration and login limits raised so tests do not trip them)', () => {
  let t: TestServer;
  let base: string;
  let origin: string;

  before(async () => {
    t = await startTestServer({ registrationsPerIpPerHour: 10_000, loginMaxFailuresPerIp: 10_000 });
    base = t.url;
    origin = `http://127.0.0.1:${t.server.port}`;
  });
  after(async () => t.close());

  describe('POST /api/register', () => {
    it('201 {user: {id, name}} and nothing else', async () => {
      const name = uniqueName('reg');
      const reply = await post(base, '/api/register', { username: name, password: PASSWORD });
      assert.equal(reply.status, 201);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(Object.keys(reply.json), ['user']);
      assert.deepEqual(Object.keys(reply.json.user).sort(), ['id', 'name']);
      assert.equal(reply.json.user.name, name);
      assert.equal(typeof reply.json.user.id, 'string');
      assert.ok(reply.json.user.id.length > 0);
      assert.ok(!reply.text.includes(PASSWORD), 'password echoed');
      assert.ok(!/scrypt/i.test(reply.text), 'hash leaked');
    });

    it('accepts the boundaries: 3- and 32-char usernames, 8- and 1024-char passwords', async () => {
      const short = `u${String(Date.now() % 100).padStart(2, '0')}`;
      const r1 = await post(base, '/api/register', { username: short, password: 'p'.repeat(8) });
      assert.equal(r1.status, 201, r1.text);
      const long = `L${Date.now()}`.padEnd(32, '_');
      const r2 = await post(base, '/api/register', { username: long, password: 'p'.repeat(1024) });
      assert.equal(r2.status, 201, r2.text);
    });

    it('409 when the name is taken', async () => {
      const name = uniqueName('taken');
      await register(base, name);
      const reply = await post(base, '/api/register', { username: name, password: PASSWORD });
      assert.equal(reply.status, 409);
      assert.equal(reply.json.error.code, 'CONFLICT');
    });

    it('409 when the name is taken in another case', async () => {
      const name = `Case_${process.pid}_${Date.now() % 100000}`;
      await register(base, name);
      for (const variant of [name.toLowerCase(), name.toUpperCase()]) {
        const reply = await post(base, '/api/register', { username: variant, password: PASSWORD });
        assert.equal(reply.status, 409, `${variant}: ${reply.text}`);
      }
    });

    const invalid: Array<[string, unknown]> = [
      ['a 7-char password', { username: 'valid_name_a', password: 'p'.repeat(7) }],
      ['a 1025-char password', { username: 'valid_name_b', password: 'p'.repeat(1025) }],
      ['an empty password', { username: 'valid_name_c', password: '' }],
      ['a username with a hyphen', { username: 'bad-name', password: PASSWORD }],
      ['a username with a space', { username: 'bad name', password: PASSWORD }],
      ['a username with non-ASCII letters', { username: 'bädname', password: PASSWORD }],
      ['a username with markup', { username: '<script>', password: PASSWORD }],
      ['a 2-char username', { username: 'ab', password: PASSWORD }],
      ['a 33-char username', { username: 'a'.repeat(33), password: PASSWORD }],
      ['a numeric username', { username: 12345, password: PASSWORD }],
      ['a missing password', { username: 'valid_name_d' }],
      ['a missing username', { password: PASSWORD }],
      ['a password that is an array', { username: 'valid_name_e', password: ['x'.repeat(10)] }],
    ];
    for (const [label, body] of invalid) {
      it(`400 for ${label}`, async () => {
        const reply = await post(base, '/api/register', body);
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.json.error.code, 'BAD_REQUEST');
      });
    }

    it('415 without Content-Type: application/json', async () => {
      const body = JSON.stringify({ username: uniqueName(), password: PASSWORD });
      for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, {}] as Array<Record<string, string>>) {
        const reply = await call(base, '/api/register', { method: 'POST', headers, body });
        assert.equal(reply.status, 415, `${JSON.stringify(headers)}: ${reply.text}`);
      }
    });

    it('accepts Content-Type: application/json; charset=utf-8', async () => {
      const reply = await post(base, '/api/register', { username: uniqueName(), password: PASSWORD }, { 'content-type': 'application/json; charset=utf-8' });
      assert.equal(reply.status, 201, reply.text);
    });

    it('413 for a body over 4 KiB (declared length and chunked)', async () => {
      const big = JSON.stringify({ username: uniqueName(), password: 'x'.repeat(5000) });
      const declared = await post(base, '/api/register', big);
      assert.equal(declared.status, 413, declared.text);
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(big.slice(0, 2000)));
          setTimeout(() => {
            controller.enqueue(encoder.encode(big.slice(2000)));
            controller.close();
          }, 20);
        },
      });
      const res = await fetch(`${base}/api/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      } as RequestInit & { duplex: 'half' });
      const text = await res.text();
      assert.equal(res.status, 413, text);
    });

    for (const [label, body] of [
      ['an array', '[1,2]'],
      ['a string', '"alice"'],
      ['null', 'null'],
      ['a number', '42'],
      ['invalid JSON', '{"username":'],
      ['an empty body', ''],
    ] as Array<[string, string]>) {
      it(`400 for a body that is ${label}`, async () => {
        const reply = await post(base, '/api/register', body);
        assert.equal(reply.status, 400, reply.text);
      });
    }
  });

  describe('POST /api/login', () => {
    let name: string;
    before(async () => {
      name = uniqueName('login');
      await register(base, name);
    });

    it('200 {token, expiresAt (ISO UTC), user} and the session cookie (HttpOnly; SameSite=Strict; Path=/; no Secure over http)', async () => {
      const before = Date.now();
      const reply = await post(base, '/api/login', { username: name, password: PASSWORD });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(Object.keys(reply.json).sort(), ['expiresAt', 'token', 'user']);
      assert.equal(typeof reply.json.token, 'string');
      assert.ok(reply.json.token.length >= 20);
      assert.match(reply.json.expiresAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/);
      const expires = Date.parse(reply.json.expiresAt);
      const ttl = t.config.sessionTtlMs;
      assert.ok(expires >= before + ttl - 5000 && expires <= Date.now() + ttl + 5000, `expiresAt ${reply.json.expiresAt}`);
      assert.deepEqual(Object.keys(reply.json.user).sort(), ['id', 'name']);
      assert.equal(reply.json.user.name, name);

      const cookies = reply.headers.getSetCookie();
      assert.equal(cookies.length, 1, JSON.stringify(cookies));
      const setCookie = cookies[0]!;
      assert.ok(setCookie.startsWith(`rampart_session=${reply.json.token};`), setCookie);
      const attributes = setCookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
      assert.ok(attributes.includes('httponly'), setCookie);
      assert.ok(attributes.includes('samesite=strict'), setCookie);
      assert.ok(attributes.includes('path=/'), setCookie);
      assert.ok(!attributes.includes('secure'), `Secure over plain http: ${setCookie}`);
      assert.ok(!attributes.some((a) => a.startsWith('domain=')), `Domain attribute widens the cookie: ${setCookie}`);
      assert.equal(reply.headers.get('cache-control'), 'no-store');
    });

    it('the username is matched case-insensitively', async () => {
      const reply = await post(base, '/api/login', { username: name.toUpperCase(), password: PASSWORD });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.user.name, name);
    });

    it('401 with the SAME body for an unknown user and for a wrong password', async () => {
      const unknown = await post(base, '/api/login', { username: uniqueName('nobody'), password: PASSWORD });
      const wrong = await post(base, '/api/login', { username: name, password: 'wrong password!' });
      assert.equal(unknown.status, 401);
      assert.equal(wrong.status, 401);
      assert.equal(unknown.text, wrong.text);
      assert.equal(unknown.json.error.code, wrong.json.error.code);
      assert.equal(unknown.headers.getSetCookie().length, 0);
      assert.equal(wrong.headers.getSetCookie().length, 0);
      // An invalid-shaped pair gets the same generic reply, not a validation hint.
      const shaped = await post(base, '/api/login', { username: 'x', password: 'y' });
      assert.equal(shaped.status, 401);
      assert.equal(shaped.text, wrong.text);
    });

    it('415 / 413 / 400 for bad bodies', async () => {
      const body = JSON.stringify({ username: name, password: PASSWORD });
      assert.equal((await call(base, '/api/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body })).status, 415);
      assert.equal((await post(base, '/api/login', JSON.stringify({ username: name, password: 'x'.repeat(5000) }))).status, 413);
      assert.equal((await post(base, '/api/login', '[]')).status, 400);
    });
  });

  describe('login throttling per username (loginMaxFailuresPerUsername: 5)', () => {
    it('after 5 failures → 429 with Retry-After, and even the right password is refused', async () => {
      const name = uniqueName('throttle');
      await register(base, name);
      const failures = await Promise.all(
        Array.from({ length: 5 }, () => post(base, '/api/login', { username: name, password: 'wrong password!' })),
      );
      assert.deepEqual(failures.map((r) => r.status), [401, 401, 401, 401, 401]);

      const sixth = await post(base, '/api/login', { username: name, password: 'wrong password!' });
      assert.equal(sixth.status, 429, sixth.text);
      assert.equal(sixth.json.error.code, 'RATE_LIMITED');
      assertRetryAfter(sixth, Math.ceil(t.config.loginWindowMs / 1000));

      const right = await post(base, '/api/login', { username: name, password: PASSWORD });
      assert.equal(right.status, 429, `right password while blocked: ${right.text}`);
      assertRetryAfter(right, Math.ceil(t.config.loginWindowMs / 1000));
      assert.equal(right.headers.getSetCookie().length, 0);

      const otherCase = await post(base, '/api/login', { username: name.toUpperCase(), password: PASSWORD });
      assert.equal(otherCase.status, 429, `the block is per account, whatever the case: ${otherCase.text}`);
    });

    it('a success resets the username counter (4 failures, success, 4 failures → not blocked)', async () => {
      const name = uniqueName('reset');
      await register(base, name);
      const fail4 = () =>
        Promise.all(Array.from({ length: 4 }, () => post(base, '/api/login', { username: name, password: 'wrong password!' })));
      assert.deepEqual((await fail4()).map((r) => r.status), [401, 401, 401, 401]);
      assert.equal((await post(base, '/api/login', { username: name, password: PASSWORD })).status, 200);
      assert.deepEqual((await fail4()).map((r) => r.status), [401, 401, 401, 401]);
      const after = await post(base, '/api/login', { username: name, password: PASSWORD });
      assert.equal(after.status, 200, `blocked although a success reset the counter: ${after.text}`);
    });

    it('another username is not affected by a blocked one', async () => {
      const victim = uniqueName('victim');
      const other = uniqueName('other');
      await register(base, victim);
      await register(base, other);
      await Promise.all(Array.from({ length: 5 }, () => post(base, '/api/login', { username: victim, password: 'wrong password!' })));
      assert.equal((await post(base, '/api/login', { username: victim, password: PASSWORD })).status, 429);
      assert.equal((await post(base, '/api/login', { username: other, password: PASSWORD })).status, 200);
    });
  });

  describe('POST /api/logout and GET /api/session', () => {
    it('GET /api/session: 200 {user} with a bearer or the cookie; 401 without or with a bad token', async () => {
      const alice = await registerAndLogin(base);
      const viaBearer = await call(base, '/api/session', { headers: bearer(alice.token) });
      assert.equal(viaBearer.status, 200, viaBearer.text);
      assert.deepEqual(viaBearer.json.user, alice.user);
      const viaCookie = await call(base, '/api/session', { headers: cookie(alice.token) });
      assert.equal(viaCookie.status, 200, viaCookie.text);
      assert.deepEqual(viaCookie.json.user, alice.user);
      assert.equal((await call(base, '/api/session')).status, 401);
      assert.equal((await call(base, '/api/session', { headers: bearer('A'.repeat(43)) })).status, 401);
      assert.equal((await call(base, `/api/session?token=${alice.token}`)).status, 401, 'a token in the URL is never accepted');
    });

    it('logout with the bearer → 204; the token no longer authenticates; its live socket closes 4001', async () => {
      const alice = await registerAndLogin(base);
      const client = await TestClient.connect(t.wsUrl, alice.token);
      const reply = await post(base, '/api/logout', {}, bearer(alice.token));
      assert.equal(reply.status, 204, reply.text);
      assert.equal(reply.text, '');
      const session = await call(base, '/api/session', { headers: bearer(alice.token) });
      assert.equal(session.status, 401);
      const closed = await withTimeout(client.closed, 3000, 'socket close after logout');
      assert.equal(closed.code, 4001);
      // A second logout of the same token is no longer a session.
      assert.equal((await post(base, '/api/logout', {}, bearer(alice.token))).status, 401);
    });

    it('logout with the cookie → 204, the cookie is cleared, and the session is gone', async () => {
      const alice = await registerAndLogin(base);
      const reply = await post(base, '/api/logout', {}, { ...cookie(alice.token), origin });
      assert.equal(reply.status, 204, reply.text);
      const cleared = reply.headers.getSetCookie();
      assert.equal(cleared.length, 1, JSON.stringify(cleared));
      assert.match(cleared[0]!, /^rampart_session=;/);
      assert.match(cleared[0]!, /Max-Age=0|Expires=Thu, 01 Jan 1970/i);
      assert.equal((await call(base, '/api/session', { headers: cookie(alice.token) })).status, 401);
      assert.equal((await call(base, '/api/session', { headers: bearer(alice.token) })).status, 401);
    });

    it('logout without credentials → 401', async () => {
      const reply = await post(base, '/api/logout', {});
      assert.equal(reply.status, 401);
      assert.equal((await post(base, '/api/logout', {}, bearer('A'.repeat(43)))).status, 401);
    });

    it('logout, a state-changing request, needs Content-Type: application/json (415 otherwise) and keeps the session', async () => {
      const alice = await registerAndLogin(base);
      const reply = await call(base, '/api/logout', { method: 'POST', headers: { ...bearer(alice.token), 'content-type': 'text/plain' }, body: 'x' });
      assert.equal(reply.status, 415, `logout with text/plain: ${reply.status} ${reply.text}`);
      assert.equal((await call(base, '/api/session', { headers: bearer(alice.token) })).status, 200);
    });
  });

  describe('Origin rule for state-changing requests', () => {
    const foreign = ['https://evil.example', 'null', 'http://127.0.0.1:1', 'https://127.0.0.1'];

    it('register with a foreign Origin → 403, and no account is created', async () => {
      for (const bad of foreign) {
        const name = uniqueName('csrf');
        const reply = await post(base, '/api/register', { username: name, password: PASSWORD }, { origin: bad });
        assert.equal(reply.status, 403, `Origin ${bad}: ${reply.text}`);
        assert.equal((await post(base, '/api/register', { username: name, password: PASSWORD })).status, 201, 'the refused request created the account');
      }
    });

    it('login with a foreign Origin → 403 and no cookie (login CSRF)', async () => {
      const name = uniqueName('csrf_login');
      await register(base, name);
      for (const bad of foreign) {
        const reply = await post(base, '/api/login', { username: name, password: PASSWORD }, { origin: bad });
        assert.equal(reply.status, 403, `Origin ${bad}: ${reply.text}`);
        assert.equal(reply.headers.getSetCookie().length, 0);
        assert.equal(reply.json.token, undefined);
      }
    });

    it('logout with a foreign Origin → 403 and the session survives', async () => {
      const alice = await registerAndLogin(base);
      const reply = await post(base, '/api/logout', {}, { ...cookie(alice.token), origin: 'https://evil.example' });
      assert.equal(reply.status, 403, reply.text);
      assert.equal((await call(base, '/api/session', { headers: cookie(alice.token) })).status, 200);
    });

    it('the server\'s own origins (http://127.0.0.1:PORT, http://localhost:PORT) are allowed for register, login and logout', async () => {
      for (const own of [origin, `http://localhost:${t.server.port}`]) {
        const name = uniqueName('own');
        const reg = await post(base, '/api/register', { username: name, password: PASSWORD }, { origin: own });
        assert.equal(reg.status, 201, `${own}: ${reg.text}`);
        const login = await post(base, '/api/login', { username: name, password: PASSWORD }, { origin: own });
        assert.equal(login.status, 200, `${own}: ${login.text}`);
        const logout = await post(base, '/api/logout', {}, { ...cookie(login.json.token), origin: own });
        assert.equal(logout.status, 204, `${own}: ${logout.text}`);
      }
    });
  });

  describe('health, readiness, metrics, 404, 405', () => {
    it('GET /healthz → 200', async () => {
      const reply = await call(base, '/healthz');
      assert.equal(reply.status, 200);
    });

    it('GET /readyz → 200 while running', async () => {
      const reply = await call(base, '/readyz');
      assert.equal(reply.status, 200);
    });

    it('GET /metrics from loopback → 200 Prometheus text with rampart_connections (a spoofed X-Forwarded-For changes nothing)', async () => {
      const reply = await call(base, '/metrics');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(reply.text, /^rampart_connections(?:\{[^}]*\})? \d+/m);
      const spoofed = await call(base, '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(spoofed.status, 200);
    });

    it('unknown path → 404 JSON', async () => {
      for (const path of ['/nope', '/api/nope', '/api/register/extra', '/api/__proto__', '/api/constructor', '/api/toString']) {
        const reply = await call(base, path);
        assert.equal(reply.status, 404, `${path}: ${reply.text}`);
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(reply.json.error.code, 'NOT_FOUND');
      }
    });

    it('wrong method → 405 with Allow', async () => {
      const cases: Array<[string, string, string]> = [
        ['GET', '/api/register', 'POST'],
        ['GET', '/api/login', 'POST'],
        ['GET', '/api/logout', 'POST'],
        ['PUT', '/api/login', 'POST'],
        ['DELETE', '/api/session', 'GET'],
        ['POST', '/api/session', 'GET'],
        ['POST', '/healthz', 'GET'],
        ['POST', '/readyz', 'GET'],
        ['POST', '/metrics', 'GET'],
      ];
      for (const [method, path, allow] of cases) {
        const reply = await call(base, path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
        assert.equal(reply.status, 405, `${method} ${path}: ${reply.text}`);
        assert.equal(reply.headers.get('allow'), allow, `${method} ${path}: Allow`);
      }
    });

    it('every kind of response carries the security headers and no banner (checked on each call above too)', async () => {
      // call() asserts the headers; this sweeps one request per status class once more.
      const alice = await registerAndLogin(base);
      const replies = [
        await call(base, '/healthz'),
        await call(base, '/readyz'),
        await call(base, '/metrics'),
        await call(base, '/api/session', { headers: bearer(alice.token) }),
        await call(base, '/'),
        await call(base, '/missing'),
        await call(base, '/api/login'),
        await post(base, '/api/login', '[]'),
        await call(base, '/api/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }),
        await post(base, '/api/login', 'x'.repeat(5000)),
        await post(base, '/api/login', { username: alice.name, password: 'nope nope' }),
        await post(base, '/api/login', { username: alice.name, password: PASSWORD }, { origin: 'https://evil.example' }),
        await post(base, '/api/register', { username: alice.name, password: PASSWORD }),
        await post(base, '/api/logout', {}, bearer(alice.token)),
      ];
      for (const reply of replies) assert.equal(reply.headers.get('content-security-policy'), CSP);
    });
  });
});

describe('HTTP API: per-IP login throttle (loginMaxFailuresPerIp: 3)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ loginMaxFailuresPerIp: 3 });
  });
  after(async () => t.close());

  it('3 failures with different usernames → 429 for any username, even with the right password', async () => {
    const real = uniqueName('ipreal');
    await register(t.url, real);
    const failures = await Promise.all(
      [1, 2, 3].map(() => post(t.url, '/api/login', { username: uniqueName('ghost'), password: 'wrong password!' })),
    );
    assert.deepEqual(failures.map((r) => r.status), [401, 401, 401]);
    const fourth = await post(t.url, '/api/login', { username: uniqueName('ghost'), password: 'wrong password!' });
    assert.equal(fourth.status, 429, fourth.text);
    assertRetryAfter(fourth, Math.ceil(t.config.loginWindowMs / 1000));
    const right = await post(t.url, '/api/login', { username: real, password: PASSWORD });
    assert.equal(right.status, 429, `right password while the IP is blocked: ${right.text}`);
    assertRetryAfter(right, Math.ceil(t.config.loginWindowMs / 1000));
  });
});

describe('HTTP API: the login block expires (loginWindowMs: 300, loginMaxFailuresPerUsername: 1)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ loginWindowMs: 300, loginMaxFailuresPerUsername: 1 });
  });
  after(async () => t.close());

  it('blocked right after the failure, allowed again once the window has passed', async () => {
    const name = uniqueName('expire');
    await register(t.url, name);
    assert.equal((await post(t.url, '/api/login', { username: name, password: 'wrong password!' })).status, 401);
    const blocked = await post(t.url, '/api/login', { username: name, password: PASSWORD });
    assert.equal(blocked.status, 429, blocked.text);
    assertRetryAfter(blocked, 1);
    await sleep(400);
    const again = await post(t.url, '/api/login', { username: name, password: PASSWORD });
    assert.equal(again.status, 200, `still blocked after the window: ${again.text}`);
  });
});

describe('HTTP API: registration closed (registrationOpen: false)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ registrationOpen: false });
  });
  after(async () => t.close());

  it('register → 403; a user added by the operator can still log in', async () => {
    const reply = await post(t.url, '/api/register', { username: uniqueName('closed'), password: PASSWORD });
    assert.equal(reply.status, 403, reply.text);
    assert.equal(reply.json.error.code, 'FORBIDDEN');
    const name = uniqueName('operator');
    await t.server.accounts.addUser(name, PASSWORD);
    const login = await post(t.url, '/api/login', { username: name, password: PASSWORD });
    assert.equal(login.status, 200, login.text);
  });
});

describe('HTTP API: registrations per IP (registrationsPerIpPerHour: 2)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ registrationsPerIpPerHour: 2 });
  });
  after(async () => t.close());

  it('the third registration from one IP within the hour → 429 with Retry-After', async () => {
    await register(t.url);
    await register(t.url);
    const third = await post(t.url, '/api/register', { username: uniqueName('third'), password: PASSWORD });
    assert.equal(third.status, 429, third.text);
    assert.equal(third.json.error.code, 'RATE_LIMITED');
    assertRetryAfter(third, 3600);
  });
});

describe('HTTP API: /metrics behind a trusted proxy (trustedProxies: [127.0.0.1], metricsToken set)', () => {
  let t: TestServer;
  const metricsToken = 'm'.repeat(40);
  before(async () => {
    t = await startTestServer({ trustedProxies: ['127.0.0.1'], metricsToken });
  });
  after(async () => t.close());

  it('a non-loopback client (per the trusted proxy) → 403; with the admin token → 200; wrong token → 403', async () => {
    const remote = { 'x-forwarded-for': '203.0.113.9' };
    assert.equal((await call(t.url, '/metrics', { headers: remote })).status, 403);
    assert.equal((await call(t.url, '/metrics', { headers: { ...remote, ...bearer('x'.repeat(40)) } })).status, 403);
    const ok = await call(t.url, '/metrics', { headers: { ...remote, ...bearer(metricsToken) } });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /rampart_connections/);
  });
});

describe('HTTP API: readiness while draining (shutdownTimeoutMs: 3000)', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer({ shutdownTimeoutMs: 3000 });
    token = (await registerAndLogin(t.url)).token;
  });
  after(async () => t.close());

  it('/readyz → 503 (Retry-After) and a new upgrade → 503 once close() started; /readyz was 200 before', async () => {
    const port = t.server.port;
    assert.equal((await call(t.url, '/readyz')).status, 200);

    // A WebSocket that never answers the server's close frame keeps the drain going.
    const holdKey = wsKey();
    const hold = await RawConnection.open(port);
    const upgrade = (key: string) =>
      buildRequest('GET /ws HTTP/1.1', [
        ['Host', `127.0.0.1:${port}`],
        ['Upgrade', 'websocket'],
        ['Connection', 'Upgrade'],
        ['Sec-WebSocket-Key', key],
        ['Sec-WebSocket-Version', '13'],
        ['Sec-WebSocket-Protocol', 'rampart.v1'],
        ['Authorization', `Bearer ${token}`],
      ]);
    hold.write(upgrade(holdKey));
    assert.equal((await hold.waitForHead(3000)).status, 101);

    // Requests already being received (not idle) when close() starts, finished afterwards.
    const readyz = await RawConnection.open(port);
    readyz.write(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const lateUpgrade = await RawConnection.open(port);
    const full = upgrade(wsKey());
    lateUpgrade.write(full.slice(0, -2));
    await sleep(50);

    const closing = t.server.close();
    try {
      await sleep(20);
      readyz.write('\r\n');
      lateUpgrade.write('\r\n');
      const ready = await readyz.waitForHead(2000);
      assert.equal(ready.status, 503, ready.statusLine);
      assert.ok(ready.headers['retry-after'], 'Retry-After on /readyz while draining');
      const refused = await lateUpgrade.waitForHead(2000);
      assert.equal(refused.status, 503, refused.statusLine);
      assert.equal(refused.headers['connection']?.toLowerCase(), 'close');
      assert.ok(refused.headers['retry-after'], 'Retry-After on the refused upgrade');
      assert.ok(await lateUpgrade.waitForClose(2000), 'the refused upgrade was not closed');
    } finally {
      hold.destroy();
      readyz.destroy();
      lateUpgrade.destroy();
      await withTimeout(closing, 5000, 'server close');
    }
  });
});

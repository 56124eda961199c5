/**
 * The HTTP side: /api/register, /api/login, /api/logout, /api/session, /healthz, /readyz and
 * /metrics. Every response carries the security headers; every state-changing request must be
 * JSON and, when it carries an Origin, an allowed one (login CSRF, catalogue A7).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Accounts } from '../auth/accounts.js';
import type { OriginPolicy } from '../gate/origin-policy.js';
import { clientIp, isLoopback } from '../net/client-ip.js';
import { safeEqual } from '../security/tokens.js';
import { clearedSessionCookie, readBearer, readSessionCookie, sessionCookie } from './cookies.js';
import { readJsonObject, sendError, sendJson } from './json-io.js';
import type { Metrics } from './metrics.js';
import { applySecurityHeaders } from './security-headers.js';

export interface HttpDeps {
  accounts: Accounts;
  metrics: Metrics;
  log: Logger;
  tls: boolean;
  trustedProxies: ReadonlySet<string>;
  metricsToken: string | undefined;
  originPolicy: () => OriginPolicy;
  isDraining: () => boolean;
  /** Serves other GET paths (the web client), or returns false. */
  serveStatic?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse, ip: string) => Promise<void> | void;

export function createHttpHandler(deps: HttpDeps) {
  const { accounts, log } = deps;

  const register: Handler = async (req, res, ip) => {
    const body = await readJsonObject(req);
    if (!body.ok) return bodyError(res, body.status);
    const result = await accounts.register(body.value.username, body.value.password, ip);
    if (result.ok) {
      log.info({ event: 'auth.register', user: result.user.id, ip });
      return sendJson(res, 201, { user: result.user });
    }
    log.info({ event: 'auth.register_refused', reason: result.reason, ip });
    switch (result.reason) {
      case 'invalid':
        return sendError(res, 400, 'BAD_REQUEST', 'Username must match ^[A-Za-z0-9_]{3,32}$ and password be 8..1024 characters.');
      case 'taken':
        return sendError(res, 409, 'CONFLICT', 'That username is taken.');
      case 'closed':
        return sendError(res, 403, 'FORBIDDEN', 'Registration is closed.');
      case 'throttled':
        return tooMany(res, result.retryAfterMs ?? 1000);
    }
  };

  const login: Handler = async (req, res, ip) => {
    const body = await readJsonObject(req);
    if (!body.ok) return bodyError(res, body.status);
    const result = await accounts.login(body.value.username, body.value.password, ip);
    if (!result.ok) {
      deps.metrics.logins.inc({ result: result.reason });
      log.info({ event: 'auth.login_failed', reason: result.reason, ip });
      if (result.reason === 'throttled') return tooMany(res, result.retryAfterMs ?? 1000);
      return sendError(res, 401, 'UNAUTHORIZED', 'Wrong username or password.');
    }
    deps.metrics.logins.inc({ result: 'ok' });
    log.info({ event: 'auth.login', user: result.user.id, ip });
    sendJson(
      res,
      200,
      { token: result.token, expiresAt: new Date(result.expiresAt).toISOString(), user: result.user },
      { 'Set-Cookie': sessionCookie(result.token, result.expiresAt - Date.now(), deps.tls) },
    );
  };

  const logout: Handler = async (req, res, ip) => {
    req.resume();
    const token = readBearer(req) ?? readSessionCookie(req);
    const removed = token !== undefined && (await accounts.logout(token));
    const cleared = { 'Set-Cookie': clearedSessionCookie(deps.tls) };
    if (!removed) return sendError(res, 401, 'UNAUTHORIZED', 'Not logged in.', cleared);
    log.info({ event: 'auth.logout', ip });
    res.writeHead(204, { 'Cache-Control': 'no-store', ...cleared });
    res.end();
  };

  /** Who am I: lets the web client (cookie only, no token in script) know its session. */
  const session: Handler = async (req, res) => {
    const token = readBearer(req) ?? readSessionCookie(req);
    const current = token === undefined ? null : await accounts.authenticate(token);
    if (!current) return sendError(res, 401, 'UNAUTHORIZED', 'Not logged in.');
    sendJson(res, 200, { user: current.user, expiresAt: new Date(current.expiresAt).toISOString() });
  };

  const metrics: Handler = async (req, res, ip) => {
    const bearer = readBearer(req);
    const allowed = isLoopback(ip) || (deps.metricsToken !== undefined && bearer !== undefined && safeEqual(bearer, deps.metricsToken));
    if (!allowed) return sendError(res, 403, 'FORBIDDEN', 'Metrics are served to loopback or with the admin token.');
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType, 'Cache-Control': 'no-store' });
    res.end(text);
  };

  const routes: Record<string, { method: 'GET' | 'POST'; handler: Handler; stateChanging?: true }> = {
    '/api/register': { method: 'POST', handler: register, stateChanging: true },
    '/api/login': { method: 'POST', handler: login, stateChanging: true },
    '/api/logout': { method: 'POST', handler: logout, stateChanging: true },
    '/api/session': { method: 'GET', handler: session },
    '/healthz': { method: 'GET', handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    '/readyz': {
      method: 'GET',
      handler: (_req, res) =>
        deps.isDraining() ? sendJson(res, 503, { status: 'draining' }, { 'Retry-After': '5' }) : sendJson(res, 200, { status: 'ready' }),
    },
    '/metrics': { method: 'GET', handler: metrics },
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    applySecurityHeaders(res, deps.tls);
    const ip = clientIp(req, deps.trustedProxies);
    const path = (req.url ?? '/').split('?')[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (path === '/ws') {
      // Node hands a request to the upgrade gate only with both Upgrade and Connection: upgrade;
      // anything else aimed at the socket endpoint is a malformed upgrade, refused and closed.
      req.resume();
      res.shouldKeepAlive = false;
      return sendError(res, 400, 'BAD_REQUEST', 'Not a WebSocket upgrade.', { Connection: 'close' });
    }
    if (!route) {
      if ((req.method === 'GET' || req.method === 'HEAD') && deps.serveStatic?.(req, res)) return;
      req.resume();
      return sendError(res, 404, 'NOT_FOUND', 'Not found.');
    }
    if (req.method !== route.method) {
      req.resume();
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Method not allowed.', { Allow: route.method });
    }
    if (route.stateChanging) {
      if (!isJson(req)) {
        req.resume();
        return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json.');
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !deps.originPolicy().isAllowedOrigin(origin)) {
        req.resume();
        log.info({ event: 'http.origin_refused', path, ip });
        return sendError(res, 403, 'FORBIDDEN', 'Origin not allowed.');
      }
    }
    Promise.resolve(route.handler(req, res, ip)).catch((err: unknown) => {
      log.error({ event: 'http.handler_failed', path, err });
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'Internal error.');
      else res.destroy();
    });
  };
}

/** State-changing requests must be JSON: a plain HTML form cannot send that cross-site. */
function isJson(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function bodyError(res: ServerResponse, status: 400 | 413 | 415): void {
  const code = status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'TOO_LARGE' : 'BAD_REQUEST';
  const message =
    status === 415 ? 'Send Content-Type: application/json.' : status === 413 ? 'Body too large.' : 'Body must be a JSON object.';
  sendError(res, status, code, message);
}

function tooMany(res: ServerResponse, retryAfterMs: number): void {
  sendError(res, 429, 'RATE_LIMITED', 'Too many attempts; try again later.', {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });
}

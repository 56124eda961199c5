/**
 * The handshake gate, run in the HTTP server's `upgrade` event (ws runs with `noServer`; no
 * `verifyClient`). Every check happens before any 101, cheapest first, and every refusal is an
 * HTTP status with `Connection: close` (DESIGN.md, "WebSocket handshake"):
 *   404 other path · 503 draining or full · 400 malformed · 426 version · 403 host/origin ·
 *   401 credentials · 429 per-IP / per-user cap.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Accounts, AuthenticatedSession } from '../auth/accounts.js';
import type { Config } from '../config/schema.js';
import { readBearer, readSessionCookie } from '../http/cookies.js';
import { clientIp } from '../net/client-ip.js';
import type { ConnectionRegistry } from '../session/connection-registry.js';
import type { OriginPolicy } from './origin-policy.js';
import { rejectUpgrade } from './reject.js';
import { selectSubprotocol } from './subprotocols.js';

/** RFC 6455 §4.2.1: the key is base64 of exactly 16 bytes. */
const KEY_RE = /^[+/0-9A-Za-z]{22}==$/;

export interface GateDeps {
  config: Config;
  accounts: Accounts;
  registry: ConnectionRegistry;
  wss: WebSocketServer;
  log: Logger;
  trustedProxies: ReadonlySet<string>;
  originPolicy: () => OriginPolicy;
  isDraining: () => boolean;
  /** Counts a refusal (metrics + audit log). */
  onReject: (reason: string, status: number, ip: string) => void;
  /** Called with the accepted socket; `release` frees the IP slot when it closes. */
  onAccept: (ws: WebSocket, session: AuthenticatedSession, ip: string, release: () => void) => void;
}

export function createUpgradeHandler(deps: GateDeps) {
  const { config, accounts, registry, wss } = deps;

  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A socket error before the 101 (peer reset) must not crash the process.
    socket.on('error', () => socket.destroy());
    const ip = clientIp(req, deps.trustedProxies);
    const refuse = (status: number, reason: string, headers?: Record<string, string>): void => {
      deps.onReject(reason, status, ip);
      rejectUpgrade(socket, status, headers);
    };

    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws') return refuse(404, 'path');
    if (deps.isDraining()) return refuse(503, 'draining', { 'Retry-After': '5' });
    if (req.method !== 'GET' || req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) {
      return refuse(400, 'malformed_request_line');
    }
    const upgrade = req.headers.upgrade;
    if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') return refuse(400, 'bad_upgrade');
    const connection = req.headers.connection;
    if (typeof connection !== 'string' || !connection.toLowerCase().split(',').some((t) => t.trim() === 'upgrade')) {
      return refuse(400, 'bad_connection');
    }
    if (req.headers['sec-websocket-version'] !== '13') {
      return refuse(426, 'version', { 'Sec-WebSocket-Version': '13' });
    }
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || !KEY_RE.test(key)) return refuse(400, 'bad_key');
    const host = req.headers.host;
    if (!host) return refuse(400, 'no_host');
    const policy = deps.originPolicy();
    if (!policy.isAllowedHost(host)) return refuse(403, 'host');
    const protocol = selectSubprotocol(req.headers['sec-websocket-protocol']);
    if (!protocol) return refuse(400, 'subprotocol');

    // Origin: browsers always send it. When present it must be ours; a cookie without it is
    // not a browser and not allowed to ride on a browser session (CSWSH, catalogue H1–H3).
    const origin = req.headers.origin;
    if (origin !== undefined && !policy.isAllowedOrigin(origin)) return refuse(403, 'origin');
    const bearer = readBearer(req);
    const cookie = bearer === undefined ? readSessionCookie(req) : undefined;
    if (bearer === undefined && cookie !== undefined && origin === undefined) return refuse(403, 'cookie_without_origin');
    const token = bearer ?? cookie;
    if (token === undefined) return refuse(401, 'no_credentials');

    const release = registry.reserveIp(ip);
    if (!release) return refuse(429, 'ip_cap');

    accounts.authenticate(token).then(
      (session) => {
        if (socket.destroyed) return release();
        if (!session) {
          release();
          return refuse(401, 'bad_credentials');
        }
        if (deps.isDraining()) {
          release();
          return refuse(503, 'draining', { 'Retry-After': '5' });
        }
        const cap = registry.checkCaps(session.user.id);
        if (cap) {
          release();
          return cap === 'total' ? refuse(503, 'total_cap', { 'Retry-After': '5' }) : refuse(429, 'user_cap');
        }
        socket.removeAllListeners('error');
        // The IP slot lives as long as the TCP connection, whatever ends it: ws may still refuse
        // the upgrade (wsClientError) without ever calling back.
        socket.once('close', release);
        wss.handleUpgrade(req, socket, head, (ws) => deps.onAccept(ws, session, ip, release));
      },
      (err: unknown) => {
        release();
        deps.log.error({ event: 'gate.auth_failed', err });
        refuse(503, 'store_unavailable', { 'Retry-After': '5' });
      },
    );
  };
}

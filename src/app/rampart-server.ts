/**
 * Wires the parts into one server: config → store, bus, accounts, chat, registry, HTTP, gate.
 * `startServer` is what the CLI and every integration test run, on a real port.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions as HttpServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { LocalBus } from '../bus/local-bus.js';
import type { Bus } from '../bus/bus.js';
import { Accounts, REVOKE_SESSION_TOPIC, REVOKE_USER_TOPIC, type AuthenticatedSession, type UserRevocation } from '../auth/accounts.js';
import { ChatService } from '../chat/chat-service.js';
import { ConnectionRegistry } from '../session/connection-registry.js';
import { Connection } from '../session/connection.js';
import { CloseCode } from '../protocol/codes.js';
import { buildOriginPolicy, type OriginPolicy } from '../gate/origin-policy.js';
import { createUpgradeHandler } from '../gate/upgrade-gate.js';
import { rejectUpgrade } from '../gate/reject.js';
import { clientIp } from '../net/client-ip.js';
import { SUPPORTED_PROTOCOLS } from '../gate/subprotocols.js';
import { createHttpHandler } from '../http/http-handler.js';
import { createStaticFiles } from '../http/static-files.js';
import { Metrics } from '../http/metrics.js';
import { silentLogger } from '../log/logger.js';

export interface RunningServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly accounts: Accounts;
  /** Graceful stop: readiness false, new upgrades 503, sockets get 1001 after their pending replies, store closed. */
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Use this store instead of opening SQLite under dataDir (contract tests of other backends). */
  store?: Store;
  bus?: Bus;
}

/** The database file inside dataDir. */
export function databasePath(config: Config): string {
  return join(config.dataDir, 'rampart.db');
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? silentLogger();
  // Refuse a host/origin setup that cannot be made safe before opening anything (the real
  // policy is built once the port is known).
  buildOriginPolicy(config, config.port, config.tlsCert ? 'https' : 'http');
  const store = options.store ?? SqliteStore.open(databasePath(config));
  const bus = options.bus ?? new LocalBus();
  const accounts = new Accounts(store, bus, config);
  const chat = new ChatService({ store, bus, config, log });
  await chat.start();
  const registry = new ConnectionRegistry(config);
  const metrics = new Metrics();
  const trustedProxies = new Set(config.trustedProxies);
  let draining = false;
  let policy: OriginPolicy | null = null;
  const originPolicy = (): OriginPolicy => {
    if (!policy) throw new Error('origin policy used before listen');
    return policy;
  };

  // closeTimeout, maxFragments and maxBufferedChunks exist since ws 8.19/8.21 but not yet in @types/ws.
  const wsOptions: ServerOptions & { closeTimeout: number; maxFragments: number; maxBufferedChunks: number } = {
    noServer: true,
    clientTracking: false,
    maxPayload: config.maxMessageBytes,
    perMessageDeflate: config.permessageDeflate ? { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true } : false,
    maxFragments: config.maxFragmentsPerMessage,
    maxBufferedChunks: config.maxBufferedChunks,
    closeTimeout: config.closeTimeoutMs,
    skipUTF8Validation: false,
    handleProtocols: (offered) => SUPPORTED_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  };
  const wss = new WebSocketServer(wsOptions);

  // ws's own handshake checks (a malformed Sec-WebSocket-Extensions when deflate is on, say)
  // answer through here, so they get the same generic refusal, audit line and metric as the gate's.
  wss.on('wsClientError', (_err: Error, socket: Duplex, req: IncomingMessage) => {
    const ip = clientIp(req, trustedProxies);
    metrics.handshakeRejections.inc({ reason: 'ws_refused', status: '400' });
    log.info({ event: 'gate.reject', reason: 'ws_refused', status: 400, ip });
    rejectUpgrade(socket, 400);
  });

  const onViolation = (conn: Connection, reason: string): void => {
    metrics.violations.inc({ reason });
    log.info({ event: 'conn.violation', reason, ip: conn.ip, user: conn.user.id, conn: conn.connectionId });
  };

  const onAccept = (ws: WebSocket, session: AuthenticatedSession, ip: string, release: () => void): void => {
    const conn = new Connection({
      ws,
      session,
      ip,
      connectionId: randomUUID(),
      chat,
      config,
      log,
      userBucket: registry.userBucket(session.user.id),
      onViolation,
      onClosed: (closed) => {
        registry.remove(closed);
        release();
        metrics.connections.set(registry.size);
        log.info({ event: 'conn.close', user: closed.user.id, ip, conn: closed.connectionId });
      },
    });
    registry.add(conn);
    metrics.connections.set(registry.size);
    log.info({ event: 'conn.open', user: session.user.id, ip, conn: conn.connectionId });
  };

  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  const scheme = tls ? 'https' : 'http';
  const httpOptions: HttpServerOptions = {
    maxHeaderSize: config.maxHeaderBytes,
    headersTimeout: config.handshakeTimeoutMs,
    requestTimeout: Math.max(config.handshakeTimeoutMs, 30_000),
    // Node checks the header timeout only this often (default 30 s); check often enough that a
    // slowloris is cut close to handshakeTimeoutMs.
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(config.handshakeTimeoutMs / 4))),
  };
  const server: Server = tls
    ? createTlsServer({
        ...httpOptions,
        cert: readFileSync(config.tlsCert!),
        key: readFileSync(config.tlsKey!),
        // TLS 1.2+ only (catalogue T2); Node's default cipher list already excludes RC4, 3DES and export suites.
        minVersion: 'TLSv1.2',
      })
    : createServer(httpOptions);
  server.on(
    'request',
    createHttpHandler({
      accounts,
      metrics,
      log,
      tls,
      trustedProxies,
      metricsToken: config.metricsToken,
      originPolicy,
      isDraining: () => draining,
      serveStatic: createStaticFiles({ log }),
    }),
  );
  server.on(
    'upgrade',
    createUpgradeHandler({
      config,
      accounts,
      registry,
      wss,
      log,
      trustedProxies,
      originPolicy,
      isDraining: () => draining,
      onReject: (reason, status, ip) => {
        metrics.handshakeRejections.inc({ reason, status: String(status) });
        log.info({ event: 'gate.reject', reason, status, ip });
      },
      onAccept,
    }),
  );

  const unsubscribers = [
    await bus.subscribe(REVOKE_SESSION_TOPIC, (tokenHash) => {
      registry.closeSession(tokenHash, CloseCode.SESSION_ENDED);
    }),
    await bus.subscribe(REVOKE_USER_TOPIC, (payload) => {
      const revocation = JSON.parse(payload) as UserRevocation;
      registry.closeUser(revocation.userId, revocation.banned ? CloseCode.BANNED : CloseCode.SESSION_ENDED);
    }),
  ];

  // One timer for all connections: heartbeat, session expiry and the periodic session re-check.
  const shortestDeadline = Math.min(config.heartbeatIntervalMs, config.heartbeatTimeoutMs, config.messageCompletionTimeoutMs);
  const tickMs = Math.min(1000, Math.max(20, Math.floor(shortestDeadline / 4)));
  const sweeper = setInterval(() => {
    for (const conn of registry.sweep(Date.now())) {
      accounts.checkSession(conn.tokenHash, conn.user.id).then(
        (state) => {
          if (state === 'ended') conn.close(CloseCode.SESSION_ENDED);
          else if (state === 'banned') conn.close(CloseCode.BANNED);
        },
        (err: unknown) => log.warn({ event: 'session.recheck_failed', err }),
      );
    }
  }, tickMs);
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy = buildOriginPolicy(config, port, scheme);
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${scheme}://${hostForUrl}:${port}`;
  if (config.dangerouslyAllowAnyOrigin) {
    log.warn({ event: 'config.dangerous', key: 'dangerouslyAllowAnyOrigin', risk: 'cross-site WebSocket hijacking' });
  }
  log.info({ event: 'server.listening', url, ws: `${url.replace(/^http/, 'ws')}/ws`, database: options.store ? 'external' : databasePath(config) });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      log.info({ event: 'server.draining' });
      // The listener stays open while draining, so load balancers see /readyz fail and new
      // upgrades get 503 with Retry-After instead of a refused connection.
      await registry.drainAll(config.shutdownTimeoutMs);
      clearInterval(sweeper);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      for (const off of unsubscribers) await off();
      wss.close();
      await bus.close();
      await store.close();
      log.info({ event: 'server.stopped' });
    })();
    return closing;
  };

  return { url, port, store, accounts, close };
}

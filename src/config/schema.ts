/**
 * The one configuration schema. Every key has a secure default, a unit in its name and a
 * description saying why the limit exists. Unknown keys are an error: a typo in a security option
 * must never silently turn it off.
 *
 * Descriptions are attached with `.describe()` (last in each chain, so `shape[key].description`
 * finds them) rather than written as comments: scripts/gen-config-docs.ts renders them into
 * docs/configuration.md and test/config/config-docs.test.ts fails when the two drift apart.
 */
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);

/** An origin as browsers serialize it: scheme://host[:port], no path, no trailing slash. */
const serializedOrigin = z
  .string()
  .regex(/^https?:\/\/[^/\s*]+$/, 'must be a serialized origin like https://chat.example.com (no path, no wildcard)');

export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1')
      .describe('Address to listen on. Default loopback: exposing the server is an explicit choice.'),
    port: port.default(8080)
      .describe('TCP port; 0 picks a free one (tests). Default 8080.'),
    publicUrl: z.string().url().optional()
      .describe('The URL users reach the server at (behind a proxy); its origin is the allowed Origin.'),
    allowedOrigins: z.array(serializedOrigin).default([])
      .describe('Further allowed Origins for cookie-authenticated WebSocket and state-changing API requests.'),
    dangerouslyAllowAnyOrigin: z.boolean().default(false)
      .describe('Accepts every Origin (but never `null`) on cookie-authenticated upgrades and API calls: re-opens cross-site WebSocket hijacking. For local experiments only; `*` in allowedOrigins is refused instead.'),
    allowedHosts: z.array(z.string().min(1)).default([])
      .describe('Host header values served (DNS-rebinding defence); empty = the listen/public host names.'),
    dataDir: z.string().min(1).default('./data')
      .describe('Directory of the embedded SQLite database (created on first start).'),
    store: z.enum(['sqlite']).default('sqlite')
      .describe('Storage backend.'),
    bus: z.enum(['local']).default('local')
      .describe('Fan-out backend.'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
      .describe('pino log level.'),

    // ── messages ──
    maxMessageBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024)
      .describe('Largest accepted WebSocket message in bytes, after decompression (close 1009). 16 KiB.'),
    maxTextChars: z.number().int().min(1).max(100_000).default(4000)
      .describe('Largest chat text in Unicode code points after NFC. 4000.'),
    permessageDeflate: z.boolean().default(false)
      .describe('permessage-deflate; off by default (CRIME-style leaks, zlib memory). When on, inflated size is capped by maxMessageBytes.'),
    replayLimit: z.number().int().min(1).max(5000).default(500)
      .describe('Messages replayed by a `join` with `since` before `truncated: true`. 500.'),
    presenceMaxMembers: positiveInt.default(1000)
      .describe('Rooms larger than this get no per-user presence events. 1000 members.'),

    // ── connections ──
    maxConnectionsPerIp: positiveInt.default(32)
      .describe('Open WebSocket connections per client IP (HTTP 429 beyond). 32.'),
    maxConnectionsPerUser: positiveInt.default(8)
      .describe('Open WebSocket connections per user (HTTP 429 beyond). 8.'),
    maxConnections: positiveInt.default(20_000)
      .describe('Open WebSocket connections on this process (HTTP 503 beyond). 20 000.'),
    handshakeTimeoutMs: positiveInt.default(10_000)
      .describe('Time for a client to send its complete HTTP request headers, in ms (slowloris). 10 s.'),
    maxHeaderBytes: z.number().int().min(1024).max(64 * 1024).default(16 * 1024)
      .describe('Largest HTTP request header block in bytes (431 beyond). 16 KiB.'),
    heartbeatIntervalMs: positiveInt.default(25_000)
      .describe('Interval between server pings in ms. 25 s.'),
    heartbeatTimeoutMs: positiveInt.default(10_000)
      .describe('A peer that has not answered a ping within this many ms is terminated. 10 s.'),
    closeTimeoutMs: positiveInt.default(5_000)
      .describe('A peer that ignores our close frame is cut after this many ms. 5 s.'),
    maxQueuedBytes: z.number().int().min(16 * 1024).default(1024 * 1024)
      .describe('Bytes queued for one connection before it is closed 4100 (slow consumer). 1 MiB.'),
    slowConsumerCutMs: positiveInt.default(5_000)
      .describe('After the 4100 close frame is queued, a reader that still has not drained is cut after this many ms. 5 s.'),
    maxFragmentsPerMessage: positiveInt.default(128)
      .describe('Fragments one message may have (close 1008 beyond). 128.'),
    maxBufferedChunks: positiveInt.default(8192)
      .describe('Network chunks one connection may have buffered while a message is still incomplete (close 1008 beyond): a message dribbled in tiny TCP segments costs bookkeeping per chunk, not per byte. 8192.'),
    messageCompletionTimeoutMs: positiveInt.default(30_000)
      .describe('Time to finish a fragmented message in ms (close 1008 beyond). 30 s.'),
    maxControlFramesPerSecond: positiveInt.default(50)
      .describe('Control frames (pings) per second a peer may send (close 1008 beyond). 50.'),
    maxRoomsPerConnection: positiveInt.default(64)
      .describe('Rooms one connection may have joined at once (TOO_LARGE beyond). 64.'),
    maxInvalidFramesInRow: positiveInt.default(10)
      .describe('Frames answered BAD_REQUEST / UNKNOWN_TYPE / TOO_LARGE in a row before close 1008. 10.'),

    // ── rate limits ──
    messagesPerSecond: positiveInt.default(20)
      .describe('Sustained frames per second per connection (token bucket). 20.'),
    messageBurst: positiveInt.default(40)
      .describe('Burst size of the per-connection bucket. 40.'),
    userMessagesPerSecond: positiveInt.default(40)
      .describe('Sustained frames per second per user across all their connections. 40.'),
    userMessageBurst: positiveInt.default(80)
      .describe('Burst size of the per-user bucket. 80.'),
    rateViolationsToClose: positiveInt.default(5)
      .describe('RATE_LIMITED replies within rateViolationWindowMs before close 1008. 5.'),
    rateViolationWindowMs: positiveInt.default(10_000)
      .describe('Window of rateViolationsToClose in ms. 10 s.'),

    // ── auth ──
    sessionTtlMs: positiveInt.default(24 * 60 * 60 * 1000)
      .describe('Session lifetime in ms; sockets of an expired session close 4001. 24 h.'),
    sessionRecheckMs: positiveInt.default(30_000)
      .describe('How often live connections re-check their session and bans in the store, in ms. 30 s.'),
    loginMaxFailuresPerUsername: positiveInt.default(5)
      .describe('Failed logins per username per window before 429. 5.'),
    loginMaxFailuresPerIp: positiveInt.default(20)
      .describe('Failed logins per client IP per window before 429. 20.'),
    loginWindowMs: positiveInt.default(60_000)
      .describe('Window of the login counters in ms. 1 min.'),
    registrationOpen: z.boolean().default(true)
      .describe('Whether anyone may register over HTTP; operators can always add users with the CLI.'),
    registrationsPerIpPerHour: positiveInt.default(10)
      .describe('Registrations per client IP per hour. 10.'),
    trustedProxies: z.array(z.string().min(1)).default([])
      .describe('Peers (exact IPs) whose X-Forwarded-For is believed; nobody by default.'),
    metricsToken: z.string().min(32).optional()
      .describe('Bearer token that unlocks /metrics for non-loopback clients; unset = loopback only.'),

    // ── transport ──
    tlsCert: z.string().min(1).optional()
      .describe('PEM certificate (chain) file: serve https/wss with TLS 1.2+ and HSTS. Needs tlsKey.'),
    tlsKey: z.string().min(1).optional()
      .describe('PEM private key file of tlsCert.'),

    // ── lifecycle ──
    shutdownTimeoutMs: nonNegativeInt.default(10_000)
      .describe('Time to drain on SIGTERM before remaining sockets are cut, in ms. 10 s.'),
  })
  .strict()
  .refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
    message: 'tlsCert and tlsKey go together',
    path: ['tlsKey'],
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ConfigKey = keyof Config;

/**
 * The one configuration schema. Every key has a secure default, a unit in its name and a
 * comment saying why the limit exists. Unknown keys are an error: a typo in a security option
 * must never silently turn it off.
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
    /** Address to listen on. Default loopback: exposing the server is an explicit choice. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one (tests). Default 8080. */
    port: port.default(8080),
    /** The URL users reach the server at (behind a proxy); its origin is the allowed Origin. */
    publicUrl: z.string().url().optional(),
    /** Further allowed Origins for cookie-authenticated WebSocket and state-changing API requests. */
    allowedOrigins: z.array(serializedOrigin).default([]),
    /** Host header values served (DNS-rebinding defence); empty = the listen/public host names. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Directory of the embedded SQLite database (created on first start). */
    dataDir: z.string().min(1).default('./data'),
    /** Storage backend. */
    store: z.enum(['sqlite']).default('sqlite'),
    /** Fan-out backend. */
    bus: z.enum(['local']).default('local'),
    /** pino log level. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    // ── messages ──
    /** Largest accepted WebSocket message in bytes, after decompression (close 1009). 16 KiB. */
    maxMessageBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
    /** Largest chat text in Unicode code points after NFC. 4000. */
    maxTextChars: z.number().int().min(1).max(100_000).default(4000),
    /** permessage-deflate; off by default (CRIME-style leaks, zlib memory). When on, inflated size is capped by maxMessageBytes. */
    permessageDeflate: z.boolean().default(false),
    /** Messages replayed by a `join` with `since` before `truncated: true`. 500. */
    replayLimit: z.number().int().min(1).max(5000).default(500),
    /** Rooms larger than this get no per-user presence events. 1000 members. */
    presenceMaxMembers: positiveInt.default(1000),

    // ── connections ──
    /** Open WebSocket connections per client IP (HTTP 429 beyond). 32. */
    maxConnectionsPerIp: positiveInt.default(32),
    /** Open WebSocket connections per user (HTTP 429 beyond). 8. */
    maxConnectionsPerUser: positiveInt.default(8),
    /** Open WebSocket connections on this process (HTTP 503 beyond). 20 000. */
    maxConnections: positiveInt.default(20_000),
    /** Time for a client to send its complete HTTP request headers, in ms (slowloris). 10 s. */
    handshakeTimeoutMs: positiveInt.default(10_000),
    /** Largest HTTP request header block in bytes (431 beyond). 16 KiB. */
    maxHeaderBytes: z.number().int().min(1024).max(64 * 1024).default(16 * 1024),
    /** Interval between server pings in ms. 25 s. */
    heartbeatIntervalMs: positiveInt.default(25_000),
    /** A peer that has not answered a ping within this many ms is terminated. 10 s. */
    heartbeatTimeoutMs: positiveInt.default(10_000),
    /** A peer that ignores our close frame is cut after this many ms. 5 s. */
    closeTimeoutMs: positiveInt.default(5_000),
    /** Bytes queued for one connection before it is closed 4100 (slow consumer). 1 MiB. */
    maxQueuedBytes: z.number().int().min(16 * 1024).default(1024 * 1024),
    /** After the 4100 close frame is queued, a reader that still has not drained is cut after this many ms. 5 s. */
    slowConsumerCutMs: positiveInt.default(5_000),
    /** Fragments one message may have (close 1008 beyond). 128. */
    maxFragmentsPerMessage: positiveInt.default(128),
    /** Time to finish a fragmented message in ms (close 1008 beyond). 30 s. */
    messageCompletionTimeoutMs: positiveInt.default(30_000),
    /** Control frames (pings) per second a peer may send (close 1008 beyond). 50. */
    maxControlFramesPerSecond: positiveInt.default(50),
    /** Rooms one connection may have joined at once (TOO_LARGE beyond). 64. */
    maxRoomsPerConnection: positiveInt.default(64),
    /** Frames answered BAD_REQUEST / UNKNOWN_TYPE / TOO_LARGE in a row before close 1008. 10. */
    maxInvalidFramesInRow: positiveInt.default(10),

    // ── rate limits ──
    /** Sustained frames per second per connection (token bucket). 20. */
    messagesPerSecond: positiveInt.default(20),
    /** Burst size of the per-connection bucket. 40. */
    messageBurst: positiveInt.default(40),
    /** Sustained frames per second per user across all their connections. 40. */
    userMessagesPerSecond: positiveInt.default(40),
    /** Burst size of the per-user bucket. 80. */
    userMessageBurst: positiveInt.default(80),
    /** RATE_LIMITED replies within rateViolationWindowMs before close 1008. 5. */
    rateViolationsToClose: positiveInt.default(5),
    /** Window of rateViolationsToClose in ms. 10 s. */
    rateViolationWindowMs: positiveInt.default(10_000),

    // ── auth ──
    /** Session lifetime in ms; sockets of an expired session close 4001. 24 h. */
    sessionTtlMs: positiveInt.default(24 * 60 * 60 * 1000),
    /** How often live connections re-check their session and bans in the store, in ms. 30 s. */
    sessionRecheckMs: positiveInt.default(30_000),
    /** Failed logins per username per window before 429. 5. */
    loginMaxFailuresPerUsername: positiveInt.default(5),
    /** Failed logins per client IP per window before 429. 20. */
    loginMaxFailuresPerIp: positiveInt.default(20),
    /** Window of the login counters in ms. 1 min. */
    loginWindowMs: positiveInt.default(60_000),
    /** Whether anyone may register over HTTP; operators can always add users with the CLI. */
    registrationOpen: z.boolean().default(true),
    /** Registrations per client IP per hour. 10. */
    registrationsPerIpPerHour: positiveInt.default(10),
    /** Peers (exact IPs) whose X-Forwarded-For is believed; nobody by default. */
    trustedProxies: z.array(z.string().min(1)).default([]),
    /** Bearer token that unlocks /metrics for non-loopback clients; unset = loopback only. */
    metricsToken: z.string().min(32).optional(),

    // ── lifecycle ──
    /** Time to drain on SIGTERM before remaining sockets are cut, in ms. 10 s. */
    shutdownTimeoutMs: nonNegativeInt.default(10_000),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ConfigKey = keyof Config;

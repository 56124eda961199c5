/**
 * The registry of every error code and close code Rampart puts on the wire.
 *
 * Clients key their behaviour on these values (retry or not, back to login or not), and
 * docs/protocol.md documents each one; test/protocol/codes-doc.test.ts fails when the two disagree.
 * A retired code is never reused for another meaning.
 */

/** Error codes carried by `error` replies; the connection stays open after each one. */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  TOO_LARGE: 'TOO_LARGE',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What each error code means, in the words sent as `message` (generic: never internals). */
export const errorMessages: Readonly<Record<ErrorCode, string>> = {
  BAD_REQUEST: 'The frame is not a valid request.',
  UNKNOWN_TYPE: 'Unknown message type.',
  NOT_FOUND: 'No such room or user.',
  FORBIDDEN: 'Not allowed.',
  CONFLICT: 'Already exists.',
  RATE_LIMITED: 'Too many messages; slow down.',
  TOO_LARGE: 'Too large.',
  INTERNAL: 'Internal error.',
  UNAVAILABLE: 'Temporarily unavailable; try again.',
};

/** Error codes that count towards the "invalid frames in a row" limit (DESIGN.md). */
export const invalidFrameCodes: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.BAD_REQUEST,
  ErrorCode.UNKNOWN_TYPE,
  ErrorCode.TOO_LARGE,
]);

/** WebSocket close codes; the code alone tells a client whether to reconnect. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
  SESSION_ENDED: 4001,
  BANNED: 4002,
  TOO_SLOW: 4100,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close reasons: short, generic and free of library names (a reason that names the library
 * lets a scanner fingerprint the server). At most 123 bytes by RFC 6455.
 */
export const closeReasons: Readonly<Record<CloseCode, string>> = {
  1000: 'bye',
  1001: 'server shutting down',
  1002: 'protocol error',
  1003: 'binary frames not accepted',
  1007: 'invalid payload',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'internal error',
  1013: 'try again later',
  4001: 'session ended',
  4002: 'banned',
  4100: 'too slow to read',
};

/** How a client should react to each close code. */
export type CloseAdvice = 'done' | 'reconnect' | 'reconnect-with-backoff' | 'fix-client' | 'login-again';
export const closeAdvice: Readonly<Record<CloseCode, CloseAdvice>> = {
  1000: 'done',
  1001: 'reconnect',
  1002: 'fix-client',
  1003: 'fix-client',
  1007: 'fix-client',
  1008: 'fix-client',
  1009: 'fix-client',
  1011: 'reconnect-with-backoff',
  1013: 'reconnect-with-backoff',
  4001: 'login-again',
  4002: 'login-again',
  4100: 'reconnect-with-backoff',
};

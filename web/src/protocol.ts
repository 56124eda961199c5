/**
 * The wire types the client speaks, taken from the server's own definitions (type-only imports:
 * nothing of the server ends up in the bundle), so a change of the protocol breaks this build
 * instead of breaking users. Plus the client's reading of close codes and its input rules.
 */
export type {
  ChatMessage,
  ErrorFrame,
  HelloFrame,
  HelloLimits,
  HistoryOk,
  JoinOk,
  KickedFrame,
  MessageFrame,
  PresenceFrame,
  RoomListing,
  RoomsOk,
  SendOk,
  ServerMessage,
  TypingFrame,
  WireUser,
} from '../../src/protocol/server-messages.js';
export type { ErrorCode } from '../../src/protocol/codes.js';

export const SUBPROTOCOL = 'rampart.v1';

/** Same rules as the server (src/protocol/client-messages.ts); checked here to give early, readable errors. */
export const ROOM_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const USERNAME_RE = /^[A-Za-z0-9_]{3,32}$/;
export const MAX_HISTORY_LIMIT = 100;

/** Client → server requests (each gets exactly one `ok` or `error` with the same id). */
export type ClientRequest =
  | { type: 'join'; room: string; since?: number }
  | { type: 'leave'; room: string }
  | { type: 'send'; room: string; text: string; nonce: string }
  | { type: 'history'; room: string; before?: number; limit?: number }
  | { type: 'create'; room: string; visibility: 'public' | 'private' }
  | { type: 'invite' | 'kick' | 'ban'; room: string; user: string }
  | { type: 'rooms' };


/**
 * What a close code tells the client to do (docs/protocol.md, "Close codes"):
 * - `login`: terminal, 4000–4099 — back to the login screen with the reason, never reconnect on our own.
 * - `reconnect`: 1001/1013/1011/4100–4199 and abnormal closes (1005/1006: network, server gone).
 * - `stop`: the server says the client is at fault (1002, 1003, 1007, 1008, 1009) or closed normally
 *   (1000); reconnecting in a loop would end the same way, so the user decides.
 */
export type CloseAction = 'login' | 'reconnect' | 'stop';

export function closeAction(code: number): CloseAction {
  if (code >= 4000 && code <= 4099) return 'login';
  if (code >= 4100 && code <= 4199) return 'reconnect';
  switch (code) {
    case 1000:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
      return 'stop';
    default:
      // 1001, 1005, 1006, 1011, 1012, 1013, 1014 and codes added later outside the terminal range.
      return 'reconnect';
  }
}

/**
 * Makes text acceptable to the server: it refuses C0 controls other than \n and \t (so \r too),
 * DEL, C1 controls and lone surrogates. Pasted text can carry any of those; dropping them here
 * keeps a paste from costing an invalid-frame strike. NFC like the server, so lengths agree.
 */
export function cleanText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .normalize('NFC');
}

/** Length as the server counts it: Unicode code points. */
export function codePoints(text: string): number {
  return Array.from(text).length;
}

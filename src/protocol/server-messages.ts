/**
 * Every server → client frame of protocol v1, with builders that fix each frame's key order
 * (stable bytes help caching, tests and diffing) and `encode`.
 *
 * Builders copy only the fields the protocol names: passing a store record with extra properties
 * (password hash, admin flag) cannot leak them onto the wire.
 */
import { errorMessages, type ErrorCode } from './codes.js';

export const PROTOCOL = 'rampart.v1';

/** A user as the wire shows it; never more than id and name. */
export interface WireUser {
  id: string;
  name: string;
}

export interface HelloLimits {
  maxMessageBytes: number;
  maxTextChars: number;
  messagesPerSecond: number;
  burst: number;
}

export interface HelloFrame {
  type: 'hello';
  protocol: typeof PROTOCOL;
  user: WireUser;
  /** ISO-8601 UTC. */
  sessionExpiresAt: string;
  limits: HelloLimits;
  heartbeatMs: number;
}

/** A chat message as stored and replayed; `ts` is epoch ms set by the server. */
export interface ChatMessage {
  room: string;
  seq: number;
  from: WireUser;
  text: string;
  ts: number;
}

export interface MessageFrame extends ChatMessage {
  type: 'message';
}

export interface RoomListing {
  room: string;
  visibility: 'public' | 'private';
  members: number;
  lastSeq: number;
  /** User id of the room's owner (who may invite, kick and ban), null for server rooms. */
  owner: string | null;
}

/** The extra fields of each documented `ok` reply (leave, create, invite, kick, ban have none). */
export interface JoinOk {
  room: string;
  /** The room's highest seq when the join took effect. */
  seq: number;
  /** Users present in the room now (connected and joined), the joiner included; at most the presence bound. */
  members: WireUser[];
  /** Present when `since` was given and more messages were missed than the replay bound. */
  truncated?: true;
}
export interface SendOk {
  seq: number;
  ts: number;
}
export interface HistoryOk {
  messages: ChatMessage[];
}
export interface RoomsOk {
  rooms: RoomListing[];
}
/** Reply fields must not overwrite the frame's own `type` and `id`. */
export type OkFields = Record<string, unknown> & { type?: never; id?: never };

export interface OkFrame {
  type: 'ok';
  id: string;
  [field: string]: unknown;
}

export interface ErrorFrame {
  type: 'error';
  /** Absent when the request had no readable id. */
  id?: string;
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

export interface PresenceFrame {
  type: 'presence';
  room: string;
  user: WireUser;
  state: 'join' | 'leave';
}

export interface TypingFrame {
  type: 'typing';
  room: string;
  user: WireUser;
}

export interface KickedFrame {
  type: 'kicked';
  room: string;
  reason: 'kicked' | 'banned';
}

export type ServerMessage =
  | HelloFrame
  | OkFrame
  | ErrorFrame
  | MessageFrame
  | PresenceFrame
  | TypingFrame
  | KickedFrame;

/** Serialises a frame. Broadcasts should call this once and send the same string to every member. */
export function encode(msg: ServerMessage): string {
  return JSON.stringify(msg);
}

function wireUser(u: WireUser): WireUser {
  return { id: u.id, name: u.name };
}

export function helloFrame(input: {
  user: WireUser;
  sessionExpiresAt: number | Date;
  limits: HelloLimits;
  heartbeatMs: number;
}): HelloFrame {
  const { limits } = input;
  return {
    type: 'hello',
    protocol: PROTOCOL,
    user: wireUser(input.user),
    sessionExpiresAt: new Date(input.sessionExpiresAt).toISOString(),
    limits: {
      maxMessageBytes: limits.maxMessageBytes,
      maxTextChars: limits.maxTextChars,
      messagesPerSecond: limits.messagesPerSecond,
      burst: limits.burst,
    },
    heartbeatMs: input.heartbeatMs,
  };
}

export function okFrame(id: string, fields?: JoinOk | SendOk | HistoryOk | RoomsOk | OkFields): OkFrame {
  const frame: OkFrame = { type: 'ok', id, ...fields };
  // Reassigning keeps `type` and `id` first on the wire and undoes any stray copy in fields.
  frame.type = 'ok';
  frame.id = id;
  return frame;
}

/** The `message` text is always the registry's generic wording, never internals. */
export function errorFrame(code: ErrorCode, id?: string, retryAfterMs?: number): ErrorFrame {
  return {
    type: 'error',
    ...(id === undefined ? {} : { id }),
    code,
    message: errorMessages[code],
    ...(retryAfterMs === undefined ? {} : { retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) }),
  };
}

export function chatMessage(m: ChatMessage): ChatMessage {
  return { room: m.room, seq: m.seq, from: wireUser(m.from), text: m.text, ts: m.ts };
}

export function messageFrame(m: ChatMessage): MessageFrame {
  return { type: 'message', room: m.room, seq: m.seq, from: wireUser(m.from), text: m.text, ts: m.ts };
}

export function presenceFrame(room: string, user: WireUser, state: 'join' | 'leave'): PresenceFrame {
  return { type: 'presence', room, user: wireUser(user), state };
}

export function typingFrame(room: string, user: WireUser): TypingFrame {
  return { type: 'typing', room, user: wireUser(user) };
}

export function kickedFrame(room: string, reason: 'kicked' | 'banned'): KickedFrame {
  return { type: 'kicked', room, reason };
}

/**
 * Schemas of every client → server frame of protocol v1 (docs/protocol.md, DESIGN.md).
 *
 * Every object is `.strict()`: an unknown field is an error, never silently dropped, so a client
 * cannot smuggle `from`, `userId` or `admin` past us. The sender's identity always comes from the
 * session. Every field is a scalar, which also makes any nested object or array a schema error.
 * Parse frames with parseClientFrame (parse.ts), not with these schemas directly: it adds the
 * cheap structural checks, the UNKNOWN_TYPE / BAD_REQUEST split and text normalisation.
 */
import { z } from 'zod';

/**
 * A request id: 1..64 code points, no control characters (C0, DEL, C1) and no lone surrogates,
 * because the server echoes it back in replies and logs.
 */
export const ID_RE = /^(?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff]){1,64}$/;
/** Room names: lower-case, URL- and log-safe, 1..64 characters. */
export const ROOM_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Usernames, as accepted by /api/register. */
export const USERNAME_RE = /^[A-Za-z0-9_]{3,32}$/;
/** Idempotency keys of `send`. */
export const NONCE_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Largest `limit` of a `history` request; the default (50) is applied by the caller. */
export const MAX_HISTORY_LIMIT = 100;

const id = z.string().regex(ID_RE);
const room = z.string().regex(ROOM_RE);
const user = z.string().regex(USERNAME_RE);
const nonce = z.string().regex(NONCE_RE);
/** zod v4's .int() already restricts to safe integers, so seq values never lose precision. */
const seq = z.number().int().min(0);

export const joinSchema = z.object({ type: z.literal('join'), id, room, since: seq.optional() }).strict();
export const leaveSchema = z.object({ type: z.literal('leave'), id, room }).strict();
/** `text` is only type-checked here; parseClientFrame runs it through normalizeText. */
export const sendSchema = z.object({ type: z.literal('send'), id, room, text: z.string(), nonce }).strict();
export const historySchema = z
  .object({
    type: z.literal('history'),
    id,
    room,
    before: seq.optional(),
    limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).optional(),
  })
  .strict();
export const createSchema = z
  .object({ type: z.literal('create'), id, room, visibility: z.enum(['public', 'private']) })
  .strict();
export const inviteSchema = z.object({ type: z.literal('invite'), id, room, user }).strict();
export const kickSchema = z.object({ type: z.literal('kick'), id, room, user }).strict();
export const banSchema = z.object({ type: z.literal('ban'), id, room, user }).strict();
/** No id: typing is fire-and-forget and gets no reply. */
export const typingSchema = z.object({ type: z.literal('typing'), room }).strict();
export const roomsSchema = z.object({ type: z.literal('rooms'), id }).strict();

/** The schema of each message type, looked up by `type` (a Map, so `"constructor"` finds nothing). */
export const clientSchemas = new Map<string, z.ZodType>([
  ['join', joinSchema],
  ['leave', leaveSchema],
  ['send', sendSchema],
  ['history', historySchema],
  ['create', createSchema],
  ['invite', inviteSchema],
  ['kick', kickSchema],
  ['ban', banSchema],
  ['typing', typingSchema],
  ['rooms', roomsSchema],
]);

/** All client messages as one discriminated union (for tooling; parseClientFrame uses the map). */
export const clientMessageSchema = z.discriminatedUnion('type', [
  joinSchema,
  leaveSchema,
  sendSchema,
  historySchema,
  createSchema,
  inviteSchema,
  kickSchema,
  banSchema,
  typingSchema,
  roomsSchema,
]);

export type JoinMessage = z.infer<typeof joinSchema>;
export type LeaveMessage = z.infer<typeof leaveSchema>;
export type SendMessage = z.infer<typeof sendSchema>;
export type HistoryMessage = z.infer<typeof historySchema>;
export type CreateMessage = z.infer<typeof createSchema>;
export type InviteMessage = z.infer<typeof inviteSchema>;
export type KickMessage = z.infer<typeof kickSchema>;
export type BanMessage = z.infer<typeof banSchema>;
export type TypingMessage = z.infer<typeof typingSchema>;
export type RoomsMessage = z.infer<typeof roomsSchema>;

export type ClientMessage =
  | JoinMessage
  | LeaveMessage
  | SendMessage
  | HistoryMessage
  | CreateMessage
  | InviteMessage
  | KickMessage
  | BanMessage
  | TypingMessage
  | RoomsMessage;
export type ClientMessageType = ClientMessage['type'];
/** Messages that carry an `id` and get exactly one `ok` or `error` reply. */
export type ClientRequest = Exclude<ClientMessage, TypingMessage>;

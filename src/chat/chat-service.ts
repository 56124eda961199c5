/**
 * ChatService: rooms, membership, authorization, publish, history and presence — every rule of
 * protocol v1 that is not about bytes on a socket. Each request is authorized here, per message,
 * with the sender's identity taken from the connection, never from the frame.
 */
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import { ErrorCode } from '../protocol/codes.js';
import type {
  BanMessage,
  ClientRequest,
  CreateMessage,
  HistoryMessage,
  InviteMessage,
  JoinMessage,
  KickMessage,
  SendMessage,
  TypingMessage,
} from '../protocol/client-messages.js';
import {
  chatMessage,
  encode,
  kickedFrame,
  messageFrame,
  okFrame,
  presenceFrame,
  typingFrame,
  type OkFields,
} from '../protocol/server-messages.js';
import type { ChatClient } from './chat-client.js';
import { encodeRoomEvent, roomTopic, type RoomEvent } from './room-envelope.js';
import { RoomHub, type Subscription } from './room-hub.js';

/** The outcome of a request: reply fields for `ok`, an error code, or "already answered" (join). */
export type ChatReply = { ok: OkFields } | { error: ErrorCode } | { answered: true };

const HISTORY_DEFAULT_LIMIT = 50;
/** Typing events relayed per connection and room: at most one per this many ms; extras are dropped. */
const TYPING_MIN_INTERVAL_MS = 1000;
/** The room every fresh server has. */
export const DEFAULT_ROOM = 'general';

const fail = (error: ErrorCode): ChatReply => ({ error });
const ok = (fields: OkFields = {}): ChatReply => ({ ok: fields });

export class ChatService {
  readonly #store: Store;
  readonly #bus: Bus;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #hub: RoomHub;
  /** connectionId → rooms subscribed on that connection. */
  readonly #connections = new Map<string, Set<string>>();

  constructor(deps: { store: Store; bus: Bus; config: Config; log: Logger }) {
    this.#store = deps.store;
    this.#bus = deps.bus;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#hub = new RoomHub(this.#bus, { onKicked: (sub, reason) => this.#onKicked(sub, reason) });
  }

  /** Creates the default public room on a fresh store. */
  async start(): Promise<void> {
    if (!(await this.#store.getRoom(DEFAULT_ROOM))) {
      await this.#store.createRoom({ name: DEFAULT_ROOM, visibility: 'public', ownerId: null });
    }
  }

  connect(client: ChatClient): void {
    this.#connections.set(client.connectionId, new Set());
  }

  /** Leaves every room of the connection (presence `leave` where it was the user's last one). */
  disconnect(client: ChatClient): void {
    const rooms = this.#connections.get(client.connectionId);
    this.#connections.delete(client.connectionId);
    for (const room of rooms ?? []) this.#unsubscribe(client, room);
  }

  async handle(client: ChatClient, msg: ClientRequest): Promise<ChatReply> {
    switch (msg.type) {
      case 'join':
        return this.#join(client, msg);
      case 'leave':
        if (this.#connections.get(client.connectionId)?.has(msg.room)) this.#unsubscribe(client, msg.room);
        return ok();
      case 'send':
        return this.#send(client, msg);
      case 'history':
        return this.#history(client, msg);
      case 'create':
        return this.#create(client, msg);
      case 'invite':
        return this.#invite(client, msg);
      case 'kick':
      case 'ban':
        return this.#moderate(client, msg);
      case 'rooms':
        return ok({ rooms: await this.#store.listRoomsForUser(client.user.id) });
    }
  }

  /** Relays a typing notice to the room's other members; not stored, throttled, never answered. */
  async typing(client: ChatClient, msg: TypingMessage): Promise<void> {
    const sub = this.#hub.get(msg.room, client.connectionId);
    if (!sub || sub.pending) return;
    const now = Date.now();
    if (now - sub.lastTypingAt < TYPING_MIN_INTERVAL_MS) return;
    sub.lastTypingAt = now;
    const frame = encode(typingFrame(msg.room, client.user));
    await this.#publish(msg.room, { kind: 'frame-except', userId: client.user.id, frame });
  }

  async #join(client: ChatClient, msg: JoinMessage): Promise<ChatReply> {
    const rooms = this.#connections.get(client.connectionId);
    if (!rooms) return fail(ErrorCode.UNAVAILABLE);
    if (!rooms.has(msg.room) && rooms.size >= this.#config.maxRoomsPerConnection) return fail(ErrorCode.TOO_LARGE);
    const room = await this.#store.getRoom(msg.room);
    if (!room) return fail(ErrorCode.NOT_FOUND);
    if (await this.#store.isBannedFromRoom(room.name, client.user.id)) return fail(ErrorCode.FORBIDDEN);
    if (room.visibility === 'private') {
      if (!(client.admin || (await this.#store.isMember(room.name, client.user.id)))) return fail(ErrorCode.FORBIDDEN);
    } else {
      await this.#store.addMember(room.name, client.user.id);
    }
    // The connection may have closed while the store answered.
    if (this.#connections.get(client.connectionId) !== rooms) return fail(ErrorCode.UNAVAILABLE);

    // Subscribe first, then read: anything published from here on is buffered in the
    // subscription, anything committed before is in the reads below; goLive drops the overlap.
    rooms.add(msg.room);
    const sub = await this.#hub.subscribe(client, msg.room);
    const lastSeq = await this.#store.lastSeq(msg.room);
    let replay: Awaited<ReturnType<Store['messagesAfter']>> = [];
    let truncated = false;
    if (msg.since !== undefined) {
      const limit = this.#config.replayLimit;
      replay = await this.#store.messagesAfter(msg.room, msg.since, limit + 1);
      if (replay.length > limit) {
        truncated = true;
        replay = replay.slice(0, limit);
      }
    }
    if (this.#hub.get(msg.room, client.connectionId) !== sub) return fail(ErrorCode.UNAVAILABLE);
    const replayTop = replay.length > 0 ? replay[replay.length - 1]!.seq : 0;
    const seq = Math.max(lastSeq, replayTop);
    const members = this.#hub.presentUsers(msg.room, this.#config.presenceMaxMembers);
    if (!members.some((m) => m.id === client.user.id)) members.push({ id: client.user.id, name: client.user.name });

    const fields: OkFields = { room: msg.room, seq, members };
    if (truncated) fields.truncated = true;
    client.deliver(encode(okFrame(msg.id, fields)));
    for (const m of replay) client.deliver(encode(messageFrame(m)));
    // A truncated replay skips the gap on purpose: the client pages it with `history`.
    sub.deliveredSeq = Math.max(sub.deliveredSeq, seq);
    if (this.#hub.goLive(sub)) await this.#announcePresence(msg.room, client, 'join');
    return { answered: true };
  }

  async #send(client: ChatClient, msg: SendMessage): Promise<ChatReply> {
    const sub = this.#hub.get(msg.room, client.connectionId);
    if (!sub) return fail(ErrorCode.FORBIDDEN);
    const result = await this.#store.appendMessage({
      room: msg.room,
      userId: client.user.id,
      text: msg.text,
      nonce: msg.nonce,
      ts: Date.now(),
    });
    if (!result.duplicate) {
      const frame = encode(
        messageFrame({ room: msg.room, seq: result.seq, from: client.user, text: msg.text, ts: result.ts }),
      );
      await this.#publish(msg.room, { kind: 'frame', seq: result.seq, frame });
    }
    return ok({ seq: result.seq, ts: result.ts });
  }

  async #history(client: ChatClient, msg: HistoryMessage): Promise<ChatReply> {
    const denied = await this.#readDenied(client, msg.room);
    if (denied) return fail(denied);
    const limit = msg.limit ?? HISTORY_DEFAULT_LIMIT;
    const messages = await this.#store.messagesBefore(msg.room, msg.before, limit);
    return ok({ messages: messages.map(chatMessage) });
  }

  async #create(client: ChatClient, msg: CreateMessage): Promise<ChatReply> {
    const created = await this.#store.createRoom({ name: msg.room, visibility: msg.visibility, ownerId: client.user.id });
    if (!created) return fail(ErrorCode.CONFLICT);
    this.#log.info({ event: 'room.create', room: msg.room, visibility: msg.visibility, user: client.user.id });
    return ok({ room: created.name, visibility: created.visibility });
  }

  async #invite(client: ChatClient, msg: InviteMessage): Promise<ChatReply> {
    const denied = await this.#moderationDenied(client, msg.room);
    if (denied) return fail(denied);
    const target = await this.#store.getUserByName(msg.user);
    if (!target) return fail(ErrorCode.NOT_FOUND);
    await this.#store.addMember(msg.room, target.id);
    return ok();
  }

  async #moderate(client: ChatClient, msg: KickMessage | BanMessage): Promise<ChatReply> {
    const denied = await this.#moderationDenied(client, msg.room);
    if (denied) return fail(denied);
    const target = await this.#store.getUserByName(msg.user);
    if (!target) return fail(ErrorCode.NOT_FOUND);
    const room = await this.#store.getRoom(msg.room);
    // Nobody moderates the owner of a room, and nobody moderates themself out by accident.
    if (!room || room.ownerId === target.id || target.id === client.user.id) return fail(ErrorCode.FORBIDDEN);
    const reason = msg.type === 'ban' ? 'banned' : 'kicked';
    if (reason === 'banned') await this.#store.banFromRoom(msg.room, target.id);
    else await this.#store.removeMember(msg.room, target.id);
    this.#log.info({ event: `room.${msg.type}`, room: msg.room, user: client.user.id, target: target.id });
    await this.#publish(msg.room, { kind: 'kick', reason, userId: target.id });
    return ok();
  }

  /** Why `client` may not read a room (history), or null when it may. */
  async #readDenied(client: ChatClient, roomName: string): Promise<ErrorCode | null> {
    const room = await this.#store.getRoom(roomName);
    if (!room) return ErrorCode.NOT_FOUND;
    if (client.admin) return null;
    if (await this.#store.isBannedFromRoom(roomName, client.user.id)) return ErrorCode.FORBIDDEN;
    if (room.visibility === 'private' && !(await this.#store.isMember(roomName, client.user.id))) {
      return ErrorCode.FORBIDDEN;
    }
    return null;
  }

  /** Invite, kick and ban are for the room's owner and server admins only. */
  async #moderationDenied(client: ChatClient, roomName: string): Promise<ErrorCode | null> {
    const room = await this.#store.getRoom(roomName);
    if (!room) return ErrorCode.NOT_FOUND;
    if (client.admin || (room.ownerId !== null && room.ownerId === client.user.id)) return null;
    return ErrorCode.FORBIDDEN;
  }

  #onKicked(sub: Subscription, reason: 'kicked' | 'banned'): void {
    const { client, room } = sub;
    this.#connections.get(client.connectionId)?.delete(room);
    client.deliver(encode(kickedFrame(room, reason)));
    if (this.#hub.remove(room, client.connectionId)) void this.#announcePresence(room, client, 'leave');
  }

  #unsubscribe(client: ChatClient, room: string): void {
    this.#connections.get(client.connectionId)?.delete(room);
    if (this.#hub.remove(room, client.connectionId)) void this.#announcePresence(room, client, 'leave');
  }

  async #announcePresence(room: string, client: ChatClient, state: 'join' | 'leave'): Promise<void> {
    // Presence is O(members²) in traffic: beyond the bound, rooms only carry counts.
    if (this.#hub.presentCount(room) > this.#config.presenceMaxMembers) return;
    await this.#publish(room, { kind: 'frame', seq: 0, frame: encode(presenceFrame(room, client.user, state)) });
  }

  async #publish(room: string, event: RoomEvent): Promise<void> {
    try {
      await this.#bus.publish(roomTopic(room), encodeRoomEvent(event));
    } catch (err) {
      // Fan-out is at-most-once; the message is durable and reachable by seq, so log and go on.
      this.#log.warn({ event: 'bus.publish_failed', room, err: (err as Error).message });
    }
  }
}

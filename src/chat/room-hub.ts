/**
 * RoomHub: this node's live view of rooms — which connections are subscribed to which room,
 * who is present, and the per-room Bus subscription that feeds them. Subscriptions start
 * "catching up" (events are buffered while a join reads the store) and then go live, so a
 * joining client gets every message exactly once and in order.
 */
import type { Bus } from '../bus/bus.js';
import type { User } from '../store/store.js';
import type { ChatClient } from './chat-client.js';
import { decodeRoomEvent, roomTopic, type RoomEvent } from './room-envelope.js';

export interface Subscription {
  readonly client: ChatClient;
  readonly room: string;
  /** Highest seq this subscription has been handed; later message frames must be above it. */
  deliveredSeq: number;
  /** Buffered events while the join is reading the store; null once live. */
  pending: RoomEvent[] | null;
  /** Epoch ms of the last typing event relayed from this subscription (throttle). */
  lastTypingAt: number;
}

interface LocalRoom {
  readonly subs: Map<string, Subscription>;
  /** userId → number of this node's live subscriptions of that user. */
  readonly present: Map<string, { user: User; count: number }>;
  unsubscribe: (() => Promise<void>) | null;
  ready: Promise<void>;
}

export interface HubEvents {
  /** A user was kicked or banned: the hub already dropped the subscription. */
  onKicked(sub: Subscription, reason: 'kicked' | 'banned'): void;
}

export class RoomHub {
  readonly #bus: Bus;
  readonly #rooms = new Map<string, LocalRoom>();
  readonly #events: HubEvents;

  constructor(bus: Bus, events: HubEvents) {
    this.#bus = bus;
    this.#events = events;
  }

  get(room: string, connectionId: string): Subscription | undefined {
    return this.#rooms.get(room)?.subs.get(connectionId);
  }

  /** Adds a catching-up subscription; resolves once the room's Bus topic delivers to it. */
  async subscribe(client: ChatClient, room: string): Promise<Subscription> {
    let local = this.#rooms.get(room);
    if (!local) {
      const created: LocalRoom = { subs: new Map(), present: new Map(), unsubscribe: null, ready: Promise.resolve() };
      created.ready = this.#bus.subscribe(roomTopic(room), (payload) => this.#onEvent(room, payload)).then((off) => {
        created.unsubscribe = off;
      });
      this.#rooms.set(room, created);
      local = created;
    }
    let sub = local.subs.get(client.connectionId);
    if (sub) {
      sub.pending ??= [];
    } else {
      sub = { client, room, deliveredSeq: 0, pending: [], lastTypingAt: 0 };
      local.subs.set(client.connectionId, sub);
    }
    await local.ready;
    return sub;
  }

  /**
   * Ends catching up: hands the subscription the buffered events it has not seen (message frames
   * above `deliveredSeq`), then delivers live. Returns true when the user became present here.
   */
  goLive(sub: Subscription): boolean {
    const pending = sub.pending ?? [];
    sub.pending = null;
    for (const event of pending) this.#deliver(sub, event);
    const local = this.#rooms.get(sub.room);
    if (!local || local.subs.get(sub.client.connectionId) !== sub) return false;
    const entry = local.present.get(sub.client.user.id);
    if (entry) {
      entry.count++;
      return false;
    }
    local.present.set(sub.client.user.id, { user: sub.client.user, count: 1 });
    return true;
  }

  /** Drops a subscription; returns true when its user is no longer present on this node. */
  remove(room: string, connectionId: string): boolean {
    const local = this.#rooms.get(room);
    const sub = local?.subs.get(connectionId);
    if (!local || !sub) return false;
    local.subs.delete(connectionId);
    let left = false;
    if (sub.pending === null) {
      const entry = local.present.get(sub.client.user.id);
      if (entry && --entry.count === 0) {
        local.present.delete(sub.client.user.id);
        left = true;
      }
    }
    if (local.subs.size === 0) {
      this.#rooms.delete(room);
      void local.ready.then(() => local.unsubscribe?.());
    }
    return left;
  }

  presentUsers(room: string, limit: number): User[] {
    const local = this.#rooms.get(room);
    if (!local) return [];
    const users: User[] = [];
    for (const { user } of local.present.values()) {
      if (users.length >= limit) break;
      users.push({ id: user.id, name: user.name });
    }
    return users;
  }

  presentCount(room: string): number {
    return this.#rooms.get(room)?.present.size ?? 0;
  }

  #onEvent(room: string, payload: string): void {
    const local = this.#rooms.get(room);
    const event = decodeRoomEvent(payload);
    if (!local || !event) return;
    // Only a kick changes the subscriptions while we walk them; copy for that one case, not per message.
    const subs = event.kind === 'kick' ? [...local.subs.values()] : local.subs.values();
    for (const sub of subs) {
      if (sub.pending) sub.pending.push(event);
      else this.#deliver(sub, event);
    }
  }

  #deliver(sub: Subscription, event: RoomEvent): void {
    switch (event.kind) {
      case 'frame':
        if (event.seq > 0) {
          if (event.seq <= sub.deliveredSeq) return; // already handed over by the join's replay
          sub.deliveredSeq = event.seq;
        }
        sub.client.deliver(event.frame);
        return;
      case 'frame-except':
        if (sub.client.user.id !== event.userId) sub.client.deliver(event.frame);
        return;
      case 'kick':
        if (sub.client.user.id === event.userId) this.#events.onKicked(sub, event.reason);
        return;
    }
  }
}

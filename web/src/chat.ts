/**
 * The client's state and behaviour, with no DOM: rooms, their timelines, presence, typing,
 * unread counts and the outbox of messages not yet acknowledged. Views subscribe to `events`
 * and read the state; they never talk to the server themselves.
 *
 * Delivery guarantees, end to end:
 * - Every message typed gets a nonce once, when typed. It stays in the outbox until the server
 *   acknowledges it, and is re-sent with that same nonce after any reconnect: the server stores
 *   a repeated nonce once, so nothing is lost and nothing is duplicated.
 * - After a reconnect every open room is re-joined with `since` = the last seq received, so the
 *   gap is replayed; a truncated replay starts the room over from the latest page (the rest is
 *   reachable by scrolling back). Timeline dedupes by seq, so overlaps are never shown twice.
 */
import { Connection, RequestError, type ConnectionStatus } from './connection.js';
import { Emitter } from './emitter.js';
import { loadUserPrefs, saveUserPrefs, type UserPrefs } from './prefs.js';
import {
  cleanText,
  codePoints,
  ROOM_RE,
  type ChatMessage,
  type HelloLimits,
  type HistoryOk,
  type JoinOk,
  type RoomListing,
  type RoomsOk,
  type SendOk,
  type ServerMessage,
  type WireUser,
} from './protocol.js';
import { Timeline, type TimelineMessage } from './timeline.js';

export const HISTORY_PAGE = 50;
/** Messages kept per room while the reader is at the bottom; older ones are paged back in on demand. */
export const KEEP_MESSAGES = 600;
/** How long "x is typing" shows after the last typing event. */
const TYPING_SHOWN_MS = 5000;
/** We send a typing notice at most this often (the server relays at most one per second). */
const TYPING_SEND_EVERY_MS = 3000;
/** `rooms` is refreshed this often; it doubles as a liveness probe of the socket. */
const ROOMS_REFRESH_MS = 30_000;
const PROBE_TIMEOUT_MS = 10_000;
const DEFAULT_ROOM = 'general';

export type OutboxState = 'queued' | 'sending' | 'acked' | 'failed';

export interface OutboxItem {
  readonly nonce: string;
  readonly room: string;
  readonly text: string;
  readonly createdAt: number;
  state: OutboxState;
  /** Set once acknowledged. */
  seq?: number;
  /** Do not send before this time (rate limited or server busy). */
  retryAt: number;
  tries: number;
  /** Why it failed for good (too large, forbidden…). */
  error?: string;
  /** Our own `message` already arrived for this text: hide the placeholder while the ack is in flight. */
  shadowed: boolean;
}

export interface RoomState {
  readonly name: string;
  readonly timeline: Timeline;
  /** Users present now, by id. */
  readonly members: Map<string, WireUser>;
  /** Users typing now: id → user and until when. */
  readonly typing: Map<string, { user: WireUser; until: number }>;
  /** Joined on the current socket (so `send` may go out). */
  live: boolean;
  /** Joined at least once since the page loaded (then resumes use `since`). */
  joinedOnce: boolean;
  loadingOlder: boolean;
  /** The last join failed for good (no such room, forbidden). */
  error: string | null;
}

export type AppEvents = {
  status: ConnectionStatus;
  /** The room list, the active room, unread counts or a listing changed. */
  rooms: undefined;
  /** New messages at the end of a room. */
  appended: { room: string; messages: TimelineMessage[] };
  /** Older messages at the start of a room (history page). */
  prepended: { room: string; messages: TimelineMessage[] };
  /** A room's timeline started over (first join, truncated resume, trim). */
  reset: { room: string };
  /** Older messages dropped from a room's start. */
  trimmed: { room: string; count: number };
  /** Whether a room is loading older messages, or reached its start. */
  olderState: { room: string };
  members: { room: string };
  typing: { room: string };
  outbox: { room: string };
  /** Something for the user to read (an error, a moderation result). */
  notice: Notice;
  /** The send rate limit: when the user may send again (epoch ms), 0 when free. */
  rateLimit: number;
  /** The session ended (close 4000–4099, logout elsewhere, expiry): back to login. Code 0: the cookie now belongs to another user. */
  ended: { code: number };
};

export interface Notice {
  kind: 'error' | 'info';
  /** i18n key and parameters; the view translates. */
  key: string;
  params?: Record<string, string | number>;
}

export class ChatApp {
  readonly me: WireUser;
  readonly events = new Emitter<AppEvents>();
  readonly rooms = new Map<string, RoomState>();
  /** The server's `rooms` listing: public rooms and my private ones. */
  listing = new Map<string, RoomListing>();
  activeRoom: string | null = null;
  readonly outbox: OutboxItem[] = [];
  limits: HelloLimits | null = null;
  rateLimitedUntil = 0;
  readonly #conn: Connection;
  readonly #prefs: UserPrefs;
  #lastTypingSent = new Map<string, number>();
  #timers = new Set<number>();
  #refreshTimer = 0;
  #typingTimer = 0;
  #savePending = 0;
  #disposed = false;
  readonly #onVisibility = (): void => {
    if (document.visibilityState === 'visible') {
      this.markRead();
      if (this.#conn.isOpen) void this.refreshRooms();
    }
  };

  constructor(me: WireUser, sessionValid: () => Promise<boolean>) {
    this.me = me;
    this.#prefs = loadUserPrefs(me.id);
    this.#conn = new Connection({
      status: (s) => this.#onStatus(s),
      hello: (f) => this.#onHello(f.user, f.limits),
      frame: (f) => this.#onFrame(f),
      sessionValid,
    });
  }

  get status(): ConnectionStatus {
    return this.#conn.status;
  }

  start(): void {
    const names = this.#prefs.rooms.length > 0 ? this.#prefs.rooms : [DEFAULT_ROOM];
    for (const name of names) this.#addRoom(name);
    this.activeRoom = this.#prefs.active ?? names[0] ?? null;
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#typingTimer = window.setInterval(() => this.#expireTyping(), 1000);
    this.#conn.start();
    this.events.emit('rooms', undefined);
  }

  dispose(): void {
    this.#disposed = true;
    this.#flushPrefs();
    document.removeEventListener('visibilitychange', this.#onVisibility);
    clearInterval(this.#typingTimer);
    clearInterval(this.#refreshTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.#conn.close();
    this.events.clear();
  }

  retryNow(): void {
    this.#conn.retryNow();
  }

  // ── rooms ──

  /** Rooms shown as open, in sidebar order. */
  get openRooms(): RoomState[] {
    return [...this.rooms.values()];
  }

  /** Listed rooms the user has not opened: public ones and private ones they were invited to. */
  get otherRooms(): RoomListing[] {
    return [...this.listing.values()].filter((r) => !this.rooms.has(r.room)).sort((a, b) => a.room.localeCompare(b.room));
  }

  /** Whether this user owns the room (only owners and server admins may invite, kick and ban). */
  owns(room: string): boolean {
    return this.listing.get(room)?.owner === this.me.id;
  }

  visibilityOf(room: string): 'public' | 'private' | undefined {
    return this.listing.get(room)?.visibility;
  }

  unread(room: string): number {
    const state = this.rooms.get(room);
    const last = Math.max(this.listing.get(room)?.lastSeq ?? 0, state?.timeline.resumeSeq ?? 0);
    const read = this.#prefs.lastRead[room];
    if (read === undefined) return 0;
    return Math.max(0, last - read);
  }

  get totalUnread(): number {
    let n = 0;
    for (const room of this.rooms.keys()) n += this.unread(room);
    return n;
  }

  select(room: string): void {
    if (!this.rooms.has(room) || this.activeRoom === room) return;
    this.activeRoom = room;
    this.#prefs.active = room;
    this.markRead();
    this.events.emit('rooms', undefined);
  }

  /** The active room is on screen and the page visible: everything in it counts as read. */
  markRead(): void {
    const room = this.activeRoom;
    if (!room || document.visibilityState !== 'visible') return;
    const last = Math.max(this.listing.get(room)?.lastSeq ?? 0, this.rooms.get(room)?.timeline.resumeSeq ?? 0);
    if ((this.#prefs.lastRead[room] ?? -1) < last) {
      this.#prefs.lastRead[room] = last;
      this.#savePrefs();
      this.events.emit('rooms', undefined);
    }
  }

  /** Opens a room (public, or private and invited) and makes it active. */
  open(room: string): void {
    if (!this.rooms.has(room)) {
      this.#addRoom(room);
      if (this.#conn.isOpen) void this.#join(this.rooms.get(room)!);
    }
    this.select(room);
    this.#savePrefs();
  }

  async create(room: string, visibility: 'public' | 'private'): Promise<boolean> {
    if (!ROOM_RE.test(room)) {
      this.#notice('error', 'error.roomName');
      return false;
    }
    try {
      await this.#conn.request({ type: 'create', room, visibility });
    } catch (err) {
      this.#requestFailed(err, { room });
      return false;
    }
    this.listing.set(room, { room, visibility, members: 1, lastSeq: 0, owner: this.me.id });
    this.open(room);
    return true;
  }

  async leave(room: string): Promise<void> {
    const state = this.rooms.get(room);
    if (!state) return;
    this.rooms.delete(room);
    this.#dropOutbox(room);
    if (this.activeRoom === room) this.activeRoom = this.rooms.keys().next().value ?? null;
    this.#prefs.active = this.activeRoom;
    this.#savePrefs();
    this.events.emit('rooms', undefined);
    if (state.live && this.#conn.isOpen) {
      try {
        await this.#conn.request({ type: 'leave', room });
      } catch {
        /* leaving is best-effort: a closed socket has left every room anyway */
      }
    }
  }

  async moderate(action: 'invite' | 'kick' | 'ban', room: string, user: string): Promise<boolean> {
    try {
      await this.#conn.request({ type: action, room, user });
    } catch (err) {
      this.#requestFailed(err, { room, user });
      return false;
    }
    this.#notice('info', `moderation.done.${action}`, { room, user });
    return true;
  }

  async refreshRooms(): Promise<void> {
    try {
      const ok = await this.#conn.request<RoomsOk>({ type: 'rooms' }, PROBE_TIMEOUT_MS);
      this.listing = new Map(ok.rooms.filter((r) => ROOM_RE.test(r.room)).map((r) => [r.room, r]));
      this.markRead();
      this.events.emit('rooms', undefined);
    } catch (err) {
      // The socket looks open but did not answer: it is dead (a half-open TCP connection).
      if (err instanceof RequestError && err.code === 'TIMEOUT') this.#conn.recycle();
    }
  }

  // ── messages ──

  /** Queues a message for the active room; it goes out now or as soon as the room is joined again. */
  send(rawText: string): 'queued' | 'empty' | 'too-long' {
    const room = this.activeRoom;
    const text = cleanText(rawText).replace(/^\n+|\s+$/g, '');
    if (!room || text.trim() === '') return 'empty';
    if (codePoints(text) > (this.limits?.maxTextChars ?? 4000)) return 'too-long';
    this.outbox.push({
      nonce: newNonce(),
      room,
      text,
      createdAt: Date.now(),
      state: 'queued',
      retryAt: 0,
      tries: 0,
      shadowed: false,
    });
    this.events.emit('outbox', { room });
    this.#flushOutbox(room);
    return 'queued';
  }

  outboxOf(room: string): OutboxItem[] {
    return this.outbox.filter((o) => o.room === room && !o.shadowed && o.state !== 'acked');
  }

  discard(nonce: string): void {
    const i = this.outbox.findIndex((o) => o.nonce === nonce);
    if (i < 0) return;
    const [item] = this.outbox.splice(i, 1);
    this.events.emit('outbox', { room: item!.room });
  }

  /** Re-queues a message that failed for good (after the user fixed the cause, e.g. an invite). */
  retry(nonce: string): void {
    const item = this.outbox.find((o) => o.nonce === nonce);
    if (!item || item.state !== 'failed') return;
    item.state = 'queued';
    item.retryAt = 0;
    delete item.error;
    this.events.emit('outbox', { room: item.room });
    this.#flushOutbox(item.room);
  }

  /** Loads the page of messages before the oldest one held. */
  async loadOlder(room: string): Promise<void> {
    const state = this.rooms.get(room);
    if (!state || state.loadingOlder || !state.timeline.hasOlder || !this.#conn.isOpen) return;
    state.loadingOlder = true;
    this.events.emit('olderState', { room });
    const before = state.timeline.oldestSeq ?? state.timeline.resumeSeq + 1;
    try {
      const ok = await this.#conn.request<HistoryOk>({ type: 'history', room, before, limit: HISTORY_PAGE });
      if (this.rooms.get(room) !== state) return;
      const fresh = state.timeline.addOlder(ok.messages.filter((m) => m.room === room && validMessage(m)), HISTORY_PAGE);
      if (fresh.length > 0) this.events.emit('prepended', { room, messages: fresh });
    } catch (err) {
      if (err instanceof RequestError && err.code !== 'DISCONNECTED' && err.code !== 'TIMEOUT') this.#requestFailed(err, { room });
    } finally {
      state.loadingOlder = false;
      this.events.emit('olderState', { room });
    }
  }

  /** Forgets old messages of a room the reader is not scrolled into (bounded memory and DOM). */
  trim(room: string): void {
    const state = this.rooms.get(room);
    if (!state || state.timeline.size <= KEEP_MESSAGES + HISTORY_PAGE) return;
    const count = state.timeline.trimOldest(KEEP_MESSAGES);
    if (count > 0) this.events.emit('trimmed', { room, count });
  }

  /** Called while the user types: tells the room, at most every few seconds. */
  typing(): void {
    const room = this.activeRoom;
    if (!room || !this.rooms.get(room)?.live) return;
    const now = Date.now();
    if (now - (this.#lastTypingSent.get(room) ?? 0) < TYPING_SEND_EVERY_MS) return;
    this.#lastTypingSent.set(room, now);
    this.#conn.notify({ type: 'typing', room });
  }

  /** Names of who is typing in a room, me excluded. */
  typingIn(room: string): string[] {
    const state = this.rooms.get(room);
    if (!state) return [];
    const now = Date.now();
    return [...state.typing.values()].filter((t) => t.until > now && t.user.id !== this.me.id).map((t) => t.user.name);
  }

  // ── connection events ──

  #onStatus(status: ConnectionStatus): void {
    if (status.kind !== 'open') {
      clearInterval(this.#refreshTimer);
      for (const state of this.rooms.values()) {
        state.live = false;
        if (state.members.size > 0 || state.typing.size > 0) {
          // Presence is only known while connected; stale names would mislead.
          state.members.clear();
          state.typing.clear();
          this.events.emit('members', { room: state.name });
          this.events.emit('typing', { room: state.name });
        }
      }
      for (const item of this.outbox) if (item.state === 'sending') item.state = 'queued';
    }
    this.events.emit('status', status);
    if (status.kind === 'ended') this.events.emit('ended', { code: status.code });
  }

  #onHello(user: WireUser, limits: HelloLimits): void {
    if (user.id !== this.me.id) {
      // Another tab signed in as someone else (the cookie is shared): this page's state belongs
      // to the old user. Code 0 tells the page to start over from /api/session.
      this.events.emit('ended', { code: 0 });
      return;
    }
    this.limits = limits;
    // Resume: re-join every open room (with `since` where we have a position), then refresh the listing.
    for (const state of this.rooms.values()) void this.#join(state);
    void this.refreshRooms();
    clearInterval(this.#refreshTimer);
    this.#refreshTimer = window.setInterval(() => void this.refreshRooms(), ROOMS_REFRESH_MS);
  }

  async #join(state: RoomState): Promise<void> {
    const room = state.name;
    const since = state.joinedOnce ? state.timeline.resumeSeq : undefined;
    let ok: JoinOk;
    try {
      ok = await this.#conn.request<JoinOk>(since === undefined ? { type: 'join', room } : { type: 'join', room, since });
    } catch (err) {
      if (this.rooms.get(room) !== state || !(err instanceof RequestError)) return;
      switch (err.code) {
        case 'NOT_FOUND':
        case 'FORBIDDEN':
          state.error = err.code;
          this.events.emit('rooms', undefined);
          this.#notice('error', err.code === 'NOT_FOUND' ? 'error.roomMissing' : 'error.roomForbidden', { room });
          return;
        case 'DISCONNECTED':
          return; // the next hello re-joins
        case 'TOO_LARGE':
          this.#notice('error', 'error.tooManyRooms', { room });
          return;
        default:
          // RATE_LIMITED, UNAVAILABLE, INTERNAL, TIMEOUT: try again shortly.
          this.#later(() => {
            if (this.rooms.get(room) === state && this.#conn.isOpen && !state.live) void this.#join(state);
          }, err.retryAfterMs ?? 1000 + Math.random() * 1000);
          return;
      }
    }
    if (this.rooms.get(room) !== state) return;
    state.error = null;
    state.members.clear();
    for (const m of ok.members) state.members.set(m.id, { id: m.id, name: m.name });
    this.events.emit('members', { room });
    const fresh = !state.joinedOnce || ok.truncated === true;
    state.joinedOnce = true;
    state.live = true;
    if (fresh) {
      // First join, or more was missed than the server replays: start over from the latest
      // page. Nothing is lost (scrolling back pages through it) and nothing is shown twice.
      state.timeline.reset(ok.seq);
      this.events.emit('reset', { room });
    }
    if (this.#prefs.lastRead[room] === undefined) {
      // A room opened for the first time starts read: its backlog is history, not news.
      this.#prefs.lastRead[room] = ok.seq;
      this.#savePrefs();
    }
    const listed = this.listing.get(room);
    if (listed && listed.lastSeq < ok.seq) listed.lastSeq = ok.seq;
    // A room we could join but did not know (created or shared since the last listing): refresh
    // so its visibility shows, and other new rooms appear in Browse.
    else if (!listed && this.#conn.isOpen) void this.refreshRooms();
    this.markRead();
    this.events.emit('rooms', undefined);
    if (fresh) void this.loadOlder(room);
    this.#flushOutbox(room);
  }

  #onFrame(frame: ServerMessage): void {
    switch (frame.type) {
      case 'message':
        return this.#onMessage(frame);
      case 'presence': {
        const state = this.rooms.get(frame.room);
        if (!state || !frame.user) return;
        if (frame.state === 'join') state.members.set(frame.user.id, { id: frame.user.id, name: frame.user.name });
        else {
          state.members.delete(frame.user.id);
          state.typing.delete(frame.user.id);
          this.events.emit('typing', { room: frame.room });
        }
        this.events.emit('members', { room: frame.room });
        return;
      }
      case 'typing': {
        const state = this.rooms.get(frame.room);
        if (!state || !frame.user || frame.user.id === this.me.id) return;
        state.typing.set(frame.user.id, { user: { id: frame.user.id, name: frame.user.name }, until: Date.now() + TYPING_SHOWN_MS });
        this.events.emit('typing', { room: frame.room });
        return;
      }
      case 'kicked': {
        if (!this.rooms.has(frame.room)) return;
        this.#notice('error', frame.reason === 'banned' ? 'moderation.youWereBanned' : 'moderation.youWereKicked', { room: frame.room });
        const state = this.rooms.get(frame.room)!;
        state.live = false;
        // Banned, or kicked from a private room: it is no longer ours to browse either.
        if (frame.reason === 'banned' || this.visibilityOf(frame.room) === 'private') this.listing.delete(frame.room);
        void this.leave(frame.room);
        void this.refreshRooms();
        return;
      }
      default:
        return;
    }
  }

  #onMessage(m: ChatMessage): void {
    const state = this.rooms.get(m.room);
    if (!state || !validMessage(m)) return;
    const msg: TimelineMessage = { room: m.room, seq: m.seq, from: { id: m.from.id, name: m.from.name }, text: m.text, ts: m.ts };
    if (!state.timeline.addLive(msg)) return;
    const listed = this.listing.get(m.room);
    if (listed && listed.lastSeq < m.seq) listed.lastSeq = m.seq;
    if (state.typing.delete(m.from.id)) this.events.emit('typing', { room: m.room });
    if (m.from.id === this.me.id) {
      // Our own message can come back before its ack: hide its placeholder so it shows once, not twice.
      const item = this.outbox.find((o) => o.room === m.room && o.state === 'sending' && !o.shadowed && o.text === m.text);
      if (item) {
        item.shadowed = true;
        this.events.emit('outbox', { room: m.room });
      }
    }
    this.events.emit('appended', { room: m.room, messages: [msg] });
    this.#pruneOutbox(m.room);
    if (m.room === this.activeRoom) this.markRead();
    else this.events.emit('rooms', undefined);
  }

  #expireTyping(): void {
    const now = Date.now();
    for (const state of this.rooms.values()) {
      let changed = false;
      for (const [id, t] of state.typing) {
        if (t.until <= now) {
          state.typing.delete(id);
          changed = true;
        }
      }
      if (changed) this.events.emit('typing', { room: state.name });
    }
  }

  // ── outbox ──

  #flushOutbox(room: string): void {
    const state = this.rooms.get(room);
    if (!state?.live || !this.#conn.isOpen) return;
    // One message in flight per room: the server then assigns seqs in the order they were typed.
    if (this.outbox.some((o) => o.room === room && o.state === 'sending')) return;
    const next = this.outbox.find((o) => o.room === room && o.state === 'queued');
    if (!next) return;
    const wait = next.retryAt - Date.now();
    if (wait > 0) {
      this.#later(() => this.#flushOutbox(room), wait);
      return;
    }
    next.state = 'sending';
    next.tries++;
    // The message ends this burst of typing: the next keystroke may announce a new one.
    this.#lastTypingSent.delete(room);
    this.events.emit('outbox', { room });
    this.#conn.request<SendOk>({ type: 'send', room, text: next.text, nonce: next.nonce }).then(
      (ok) => {
        next.state = 'acked';
        next.seq = ok.seq;
        if (this.rateLimitedUntil !== 0) {
          this.rateLimitedUntil = 0;
          this.events.emit('rateLimit', 0);
        }
        this.#pruneOutbox(room);
        this.#flushOutbox(room);
      },
      (err: unknown) => {
        const code = err instanceof RequestError ? err.code : 'INTERNAL';
        const retryAfterMs = err instanceof RequestError ? err.retryAfterMs : undefined;
        if (next.state !== 'sending') return; // the socket went away: already queued again
        switch (code) {
          case 'DISCONNECTED':
            next.state = 'queued';
            break;
          case 'RATE_LIMITED': {
            const wait = Math.max(250, retryAfterMs ?? 1000);
            next.state = 'queued';
            next.retryAt = Date.now() + wait;
            this.rateLimitedUntil = next.retryAt;
            this.events.emit('rateLimit', this.rateLimitedUntil);
            break;
          }
          case 'TIMEOUT':
          case 'UNAVAILABLE':
          case 'INTERNAL':
            // Safe to repeat: the nonce makes a second store of the same message impossible.
            next.state = 'queued';
            next.retryAt = Date.now() + Math.min(30_000, (retryAfterMs ?? 1000) * next.tries);
            break;
          default:
            next.state = 'failed';
            next.error = code;
        }
        this.events.emit('outbox', { room });
        this.#flushOutbox(room);
      },
    );
  }

  /** Drops acknowledged messages whose real `message` is in (or behind) the timeline. */
  #pruneOutbox(room: string): void {
    const state = this.rooms.get(room);
    const before = this.outbox.length;
    for (let i = this.outbox.length - 1; i >= 0; i--) {
      const o = this.outbox[i]!;
      if (o.room !== room || o.state !== 'acked' || o.seq === undefined) continue;
      if (!state || state.timeline.has(o.seq) || o.seq <= state.timeline.resumeSeq) this.outbox.splice(i, 1);
    }
    if (this.outbox.length !== before) this.events.emit('outbox', { room });
  }

  #dropOutbox(room: string): void {
    for (let i = this.outbox.length - 1; i >= 0; i--) if (this.outbox[i]!.room === room) this.outbox.splice(i, 1);
  }

  // ── helpers ──

  #addRoom(name: string): void {
    if (this.rooms.has(name) || !ROOM_RE.test(name)) return;
    this.rooms.set(name, {
      name,
      timeline: new Timeline(),
      members: new Map(),
      typing: new Map(),
      live: false,
      joinedOnce: false,
      loadingOlder: false,
      error: null,
    });
  }

  #requestFailed(err: unknown, params: Record<string, string>): void {
    const code = err instanceof RequestError ? err.code : 'INTERNAL';
    if (code === 'RATE_LIMITED') {
      const s = Math.max(1, Math.ceil(((err as RequestError).retryAfterMs ?? 1000) / 1000));
      this.#notice('error', 'error.RATE_LIMITED', { ...params, s });
      return;
    }
    this.#notice('error', `error.${code}`, params);
  }

  #notice(kind: Notice['kind'], key: string, params?: Record<string, string | number>): void {
    this.events.emit('notice', params ? { kind, key, params } : { kind, key });
  }

  #later(fn: () => void, ms: number): void {
    const t = window.setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#disposed) fn();
    }, ms);
    this.#timers.add(t);
  }

  #savePrefs(): void {
    this.#prefs.rooms = [...this.rooms.keys()];
    this.#prefs.active = this.activeRoom;
    if (this.#savePending) return;
    this.#savePending = window.setTimeout(() => this.#flushPrefs(), 300);
  }

  #flushPrefs(): void {
    clearTimeout(this.#savePending);
    this.#savePending = 0;
    this.#prefs.rooms = [...this.rooms.keys()];
    this.#prefs.active = this.activeRoom;
    saveUserPrefs(this.me.id, this.#prefs);
  }
}

/**
 * A nonce the server accepts (^[A-Za-z0-9_-]{1,64}$), unique per message: 128 random bits.
 * getRandomValues, not randomUUID, because the latter needs a secure context and a server on a
 * LAN address over plain HTTP is not one.
 */
function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Frames are input: check the shape before anything is rendered from one. */
function validMessage(m: ChatMessage): boolean {
  return (
    typeof m.room === 'string' &&
    Number.isSafeInteger(m.seq) &&
    typeof m.text === 'string' &&
    typeof m.ts === 'number' &&
    typeof m.from?.id === 'string' &&
    typeof m.from?.name === 'string'
  );
}

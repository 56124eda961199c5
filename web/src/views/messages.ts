/**
 * The message list of the active room: live messages at the bottom, older pages loaded as the
 * reader scrolls up (the position stays put), day dividers, consecutive messages of one sender
 * grouped, my own messages marked, the outbox of unsent messages below. Every piece of user data
 * (names, text) is a text node: a message that looks like HTML is shown as the characters typed.
 *
 * Long rooms stay smooth: each room keeps a bounded window of messages (older ones are paged back
 * in on demand) and the CSS gives every message `content-visibility: auto`, so the browser skips
 * layout and paint of what is off screen.
 */
import type { ChatApp, OutboxItem } from '../chat.js';
import { h } from '../dom.js';
import { dayKey, dayLabel, fullDateTime, timeOfDay } from '../format.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import type { TimelineMessage } from '../timeline.js';
import { avatar } from './avatar.js';

/** Start loading the previous page this far (px) before the top is reached. */
const LOAD_AHEAD_PX = 600;
/** Consecutive messages of one sender within this time are grouped under one header. */
const GROUP_MS = 5 * 60_000;
/** Closer than this to the bottom counts as "at the bottom" (follow new messages). */
const BOTTOM_SLACK_PX = 48;

interface RoomDom {
  readonly list: HTMLOListElement;
  readonly outbox: HTMLOListElement;
  readonly data: WeakMap<Element, TimelineMessage>;
  atBottom: boolean;
  scrollTop: number;
}

export class MessagesView {
  readonly el: HTMLElement;
  readonly #app: ChatApp;
  readonly #announcer: HTMLElement;
  readonly #scroller: HTMLDivElement;
  readonly #older: HTMLDivElement;
  readonly #jump: HTMLButtonElement;
  readonly #rooms = new Map<string, RoomDom>();
  #room: string | null = null;
  #checkScheduled = false;

  constructor(app: ChatApp, announcer: HTMLElement) {
    this.#app = app;
    this.#announcer = announcer;
    this.#older = h('div', { class: 'older' });
    this.#scroller = h('div', { class: 'scroller', id: 'messages', tabindex: 0, role: 'region' }, this.#older);
    this.#jump = h('button', { type: 'button', class: 'btn jump', hidden: true }, icon('arrowDown'), h('span', {}, t('room.jumpToNew')));
    this.#jump.addEventListener('click', () => {
      this.scrollToBottom();
      this.#scroller.focus();
    });
    this.el = h('div', { class: 'messages-pane' }, this.#scroller, this.#jump);
    this.#scroller.addEventListener('scroll', () => this.#onScroll(), { passive: true });
  }

  get scroller(): HTMLDivElement {
    return this.#scroller;
  }

  /** Shows a room (or nothing), keeping each room's own scroll position. */
  show(room: string | null): void {
    if (this.#room) {
      const prev = this.#rooms.get(this.#room);
      if (prev) {
        prev.atBottom = this.#isAtBottom();
        prev.scrollTop = this.#scroller.scrollTop;
        prev.list.remove();
        prev.outbox.remove();
      }
    }
    this.#room = room;
    this.#jump.hidden = true;
    if (!room) {
      this.#scroller.removeAttribute('aria-label');
      this.#updateOlder();
      return;
    }
    this.#scroller.setAttribute('aria-label', t('room.messagesLabel', { room }));
    const dom = this.#roomDom(room);
    this.#scroller.append(dom.list, dom.outbox);
    this.#updateOlder();
    if (dom.atBottom) this.scrollToBottom();
    else this.#scroller.scrollTop = dom.scrollTop;
    this.#scheduleCheck();
  }

  appended(room: string, messages: TimelineMessage[]): void {
    const dom = this.#rooms.get(room);
    if (!dom) return;
    const active = room === this.#room;
    const follow = active ? this.#isAtBottom() : dom.atBottom;
    let prev = this.#lastData(dom);
    for (const m of messages) {
      const li = this.#renderMessage(m, prev, dom);
      dom.list.appendChild(li);
      prev = m;
    }
    if (active) {
      this.#announce(messages.filter((m) => m.from.id !== this.#app.me.id));
      if (follow) {
        this.#app.trim(room);
        this.scrollToBottom();
      } else if (messages.some((m) => m.from.id !== this.#app.me.id)) {
        this.#jump.hidden = false;
      } else {
        // My own message: I want to see it.
        this.scrollToBottom();
      }
    } else if (follow) {
      this.#app.trim(room);
    }
  }

  prepended(room: string, messages: TimelineMessage[]): void {
    const dom = this.#rooms.get(room);
    if (!dom || messages.length === 0) return;
    const oldFirst = dom.list.firstElementChild as HTMLLIElement | null;
    const frag = document.createDocumentFragment();
    let prev: TimelineMessage | null = null;
    for (const m of messages) {
      frag.appendChild(this.#renderMessage(m, prev, dom));
      prev = m;
    }
    const active = room === this.#room;
    const wasAtBottom = active && this.#isAtBottom() && this.#scroller.scrollHeight > this.#scroller.clientHeight;
    // Keep what the reader is looking at in place: measure an anchor before and after.
    // (The anchor is the message body: the day divider above it may go away below.)
    const anchor = oldFirst?.querySelector('.msg-body') ?? null;
    const anchorTop = anchor && active ? anchor.getBoundingClientRect().top : 0;
    dom.list.insertBefore(frag, oldFirst);
    if (oldFirst) this.#decorate(oldFirst, dom.data.get(oldFirst)!, prev);
    if (active) {
      if (!anchor || wasAtBottom) this.scrollToBottom();
      else this.#scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
      this.#scheduleCheck();
    }
  }

  reset(room: string): void {
    const dom = this.#rooms.get(room);
    if (!dom) return;
    dom.list.replaceChildren();
    dom.atBottom = true;
    if (room === this.#room) {
      this.#jump.hidden = true;
      this.#updateOlder();
    }
  }

  trimmed(room: string, count: number): void {
    const dom = this.#rooms.get(room);
    if (!dom) return;
    for (let i = 0; i < count && dom.list.firstElementChild; i++) dom.list.firstElementChild.remove();
    const first = dom.list.firstElementChild;
    if (first) this.#decorate(first, dom.data.get(first)!, null);
    if (room === this.#room) {
      this.#updateOlder();
      this.scrollToBottom();
    }
  }

  olderState(room: string): void {
    if (room === this.#room) {
      this.#updateOlder();
      this.#scheduleCheck();
    }
  }

  outbox(room: string): void {
    const dom = this.#rooms.get(room);
    if (!dom) return;
    const follow = room === this.#room && this.#isAtBottom();
    dom.outbox.replaceChildren(...this.#app.outboxOf(room).map((o) => this.#renderPending(o)));
    if (follow) this.scrollToBottom();
  }

  scrollToBottom(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#jump.hidden = true;
  }

  /** PageUp/PageDown from the message box scroll the messages. */
  page(direction: -1 | 1): void {
    this.#scroller.scrollBy({ top: direction * this.#scroller.clientHeight * 0.85 });
  }

  // ── rendering ──

  #roomDom(room: string): RoomDom {
    let dom = this.#rooms.get(room);
    if (dom) return dom;
    dom = {
      list: h('ol', { class: 'msg-list', 'aria-label': t('room.messagesLabel', { room }) }),
      outbox: h('ol', { class: 'msg-list outbox' }),
      data: new WeakMap(),
      atBottom: true,
      scrollTop: 0,
    };
    this.#rooms.set(room, dom);
    const state = this.#app.rooms.get(room);
    let prev: TimelineMessage | null = null;
    const frag = document.createDocumentFragment();
    for (const m of state?.timeline.messages ?? []) {
      frag.appendChild(this.#renderMessage(m, prev, dom));
      prev = m;
    }
    dom.list.appendChild(frag);
    dom.outbox.replaceChildren(...this.#app.outboxOf(room).map((o) => this.#renderPending(o)));
    return dom;
  }

  #renderMessage(m: TimelineMessage, prev: TimelineMessage | null, dom: RoomDom): HTMLLIElement {
    const mine = m.from.id === this.#app.me.id;
    const li = h(
      'li',
      { class: mine ? 'msg mine' : 'msg', 'data-seq': m.seq },
      avatar(m.from),
      h(
        'div',
        { class: 'msg-body' },
        h(
          'div',
          { class: 'msg-meta' },
          h('span', { class: 'author' }, m.from.name),
          mine ? h('span', { class: 'you-tag' }, t('msg.you')) : null,
          h('time', { datetime: new Date(m.ts).toISOString(), title: fullDateTime(m.ts) }, timeOfDay(m.ts)),
        ),
        // The text as typed: a text node, shown with white-space: pre-wrap (multi-line, links inert).
        h('p', { class: 'msg-text' }, m.text),
      ),
    );
    dom.data.set(li, m);
    this.#decorate(li, m, prev);
    return li;
  }

  /** Day divider and grouping, which depend on the message before. */
  #decorate(li: Element, m: TimelineMessage, prev: TimelineMessage | null): void {
    const newDay = !prev || dayKey(prev.ts) !== dayKey(m.ts);
    const grouped = !newDay && prev !== null && prev.from.id === m.from.id && m.ts - prev.ts < GROUP_MS;
    li.classList.toggle('grouped', grouped);
    const divider = li.firstElementChild?.classList.contains('day') ? li.firstElementChild : null;
    if (newDay && !divider) li.prepend(h('div', { class: 'day', role: 'separator' }, h('span', {}, dayLabel(m.ts))));
    else if (!newDay && divider) divider.remove();
  }

  #renderPending(o: OutboxItem): HTMLLIElement {
    const status =
      o.state === 'failed'
        ? t('msg.failed', { reason: t(`reason.${o.error ?? 'other'}`, { code: o.error ?? '' }) })
        : this.#app.status.kind === 'open' && o.state === 'sending'
          ? t('msg.sending')
          : t('msg.queued');
    const actions =
      o.state === 'failed'
        ? h(
            'span',
            { class: 'pending-actions' },
            button(t('msg.retry'), () => this.#app.retry(o.nonce)),
            button(t('msg.discard'), () => this.#app.discard(o.nonce)),
          )
        : null;
    return h(
      'li',
      { class: `msg mine pending ${o.state}`, 'data-nonce': o.nonce },
      avatar(this.#app.me),
      h(
        'div',
        { class: 'msg-body' },
        h(
          'div',
          { class: 'msg-meta' },
          h('span', { class: 'author' }, this.#app.me.name),
          h('span', { class: 'you-tag' }, t('msg.you')),
          h('span', { class: 'pending-state' }, icon(o.state === 'failed' ? 'alert' : 'clock'), h('span', {}, status)),
        ),
        h('p', { class: 'msg-text' }, o.text),
        actions,
      ),
    );
  }

  #lastData(dom: RoomDom): TimelineMessage | null {
    const last = dom.list.lastElementChild;
    return last ? (dom.data.get(last) ?? null) : null;
  }

  #updateOlder(): void {
    const room = this.#room;
    const state = room ? this.#app.rooms.get(room) : undefined;
    this.#older.replaceChildren();
    if (!room || !state) return;
    if (state.error) {
      this.#older.append(h('p', { class: 'older-note warn' }, t('room.unavailable', { room })));
    } else if (state.loadingOlder) {
      this.#older.append(h('p', { class: 'older-note', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('room.loadingOlder')));
    } else if (state.timeline.hasOlder) {
      this.#older.append(button(t('room.loadOlder'), () => void this.#app.loadOlder(room), 'btn small ghost'));
    } else if (state.joinedOnce) {
      this.#older.append(h('p', { class: 'older-note beginning' }, icon('hash'), h('span', {}, t('room.beginning', { room }))));
    }
  }

  // ── scrolling ──

  #isAtBottom(): boolean {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
  }

  #onScroll(): void {
    if (this.#isAtBottom()) {
      this.#jump.hidden = true;
      this.#app.markRead();
    }
    this.#scheduleCheck();
  }

  /** Loads the previous page when the reader nears the top, or when the view is not even full. */
  #scheduleCheck(): void {
    if (this.#checkScheduled) return;
    this.#checkScheduled = true;
    requestAnimationFrame(() => {
      this.#checkScheduled = false;
      const room = this.#room;
      if (!room) return;
      const state = this.#app.rooms.get(room);
      if (!state || state.loadingOlder || !state.timeline.hasOlder || !state.live) return;
      if (this.#scroller.scrollTop < LOAD_AHEAD_PX) void this.#app.loadOlder(room);
    });
  }

  #announce(messages: TimelineMessage[]): void {
    for (const m of messages.slice(-3)) {
      this.#announcer.append(h('p', {}, `${m.from.name}: ${m.text.length > 300 ? `${m.text.slice(0, 300)}…` : m.text}`));
    }
    while (this.#announcer.childElementCount > 5) this.#announcer.firstElementChild?.remove();
  }
}

function button(label: string, onClick: () => void, cls = 'btn small'): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls }, label);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * The room sidebar: my open rooms (with unread counts), other rooms I may join (public ones and
 * private ones I was invited to), a "join by name" box and "New room". Rows are updated in place
 * (keyed by room name), so a keyboard user's focus is not thrown away by a refresh.
 */
import type { ChatApp } from '../chat.js';
import { h, setText } from '../dom.js';
import { icon } from '../icons.js';
import { t, tn } from '../i18n.js';
import { ROOM_RE } from '../protocol.js';

interface Row {
  li: HTMLLIElement;
  button: HTMLButtonElement;
  icon: SVGSVGElement;
  name: HTMLSpanElement;
  badge: HTMLSpanElement;
  key: string;
}

export class SidebarView {
  readonly el: HTMLElement;
  readonly joinInput: HTMLInputElement;
  readonly #app: ChatApp;
  readonly #open: HTMLUListElement;
  readonly #other: HTMLUListElement;
  readonly #openEmpty: HTMLParagraphElement;
  readonly #otherEmpty: HTMLParagraphElement;
  readonly #openRows = new Map<string, Row>();
  readonly #otherRows = new Map<string, Row>();
  readonly #onNavigate: () => void;

  constructor(app: ChatApp, handlers: { onCreate: () => void; onNavigate: () => void }) {
    this.#app = app;
    this.#onNavigate = handlers.onNavigate;
    this.#open = h('ul', { class: 'room-list', 'aria-labelledby': 'rooms-heading' });
    this.#other = h('ul', { class: 'room-list', 'aria-labelledby': 'browse-heading' });
    this.#openEmpty = h('p', { class: 'muted small' }, t('rooms.none'));
    this.#otherEmpty = h('p', { class: 'muted small' }, t('rooms.browseNone'));

    const create = h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('rooms.new'), title: t('rooms.new') }, icon('plus'));
    create.addEventListener('click', handlers.onCreate);

    this.joinInput = h('input', {
      id: 'join-room',
      type: 'text',
      class: 'input small',
      placeholder: t('rooms.joinPlaceholder'),
      autocomplete: 'off',
      autocapitalize: 'none',
      spellcheck: 'false',
      maxlength: 64,
      pattern: '[a-z0-9][a-z0-9_\\-]{0,63}',
      'aria-describedby': 'join-room-hint',
    });
    const joinForm = h(
      'form',
      { class: 'join-form' },
      h('label', { for: 'join-room', class: 'small-label' }, t('rooms.joinLabel')),
      h('div', { class: 'input-row' }, this.joinInput, h('button', { type: 'submit', class: 'btn small' }, t('rooms.joinButton'))),
      h('p', { id: 'join-room-hint', class: 'sr-only' }, t('error.roomName')),
    );
    joinForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const name = this.joinInput.value.trim().toLowerCase();
      if (!ROOM_RE.test(name)) {
        this.joinInput.setAttribute('aria-invalid', 'true');
        this.joinInput.focus();
        return;
      }
      this.joinInput.removeAttribute('aria-invalid');
      this.joinInput.value = '';
      this.#app.open(name);
      this.#onNavigate();
    });

    this.el = h(
      'nav',
      { class: 'sidebar', id: 'sidebar', 'aria-label': t('top.menu') },
      h('div', { class: 'section-head' }, h('h2', { id: 'rooms-heading' }, t('rooms.heading')), create),
      this.#open,
      this.#openEmpty,
      h('div', { class: 'section-head' }, h('h2', { id: 'browse-heading' }, t('rooms.browse'))),
      this.#other,
      this.#otherEmpty,
      joinForm,
    );
    this.update();
  }

  update(): void {
    const app = this.#app;
    const open = app.openRooms;
    this.#sync(
      this.#open,
      this.#openRows,
      open.map((r) => {
        const unread = app.unread(r.name);
        const vis = app.visibilityOf(r.name);
        return {
          room: r.name,
          key: `${vis}|${unread}|${r.error ?? ''}|${app.activeRoom === r.name}`,
          private: vis === 'private',
          badge: r.error ? t('rooms.unavailable') : unread > 0 ? (unread > 99 ? '99+' : String(unread)) : '',
          badgeLabel: r.error ? t('rooms.unavailable') : unread > 0 ? t('rooms.unread', { n: unread }) : '',
          current: app.activeRoom === r.name,
          unread: unread > 0,
        };
      }),
      (room) => {
        app.select(room);
        this.#onNavigate();
      },
    );
    this.#openEmpty.hidden = open.length > 0;

    const others = app.otherRooms;
    this.#sync(
      this.#other,
      this.#otherRows,
      others.map((r) => ({
        room: r.room,
        key: `${r.visibility}|${r.members}`,
        private: r.visibility === 'private',
        badge: String(r.members),
        badgeLabel: tn('rooms.membersOne', 'rooms.membersOther', r.members),
        current: false,
        unread: false,
      })),
      (room) => {
        app.open(room);
        this.#onNavigate();
      },
    );
    this.#otherEmpty.hidden = others.length > 0;
  }

  #sync(
    list: HTMLUListElement,
    rows: Map<string, Row>,
    items: Array<{ room: string; key: string; private: boolean; badge: string; badgeLabel: string; current: boolean; unread: boolean }>,
    onClick: (room: string) => void,
  ): void {
    const wanted = new Set(items.map((i) => i.room));
    for (const [room, row] of rows) {
      if (!wanted.has(room)) {
        row.li.remove();
        rows.delete(room);
      }
    }
    let cursor: Element | null = list.firstElementChild;
    for (const item of items) {
      let row = rows.get(item.room);
      if (!row) {
        const button = h('button', { type: 'button', class: list === this.#other ? 'room-link browse' : 'room-link', 'data-room': item.room });
        const ic = icon('hash', 'room-icon');
        const name = h('span', { class: 'room-name' }, item.room);
        const badge = h('span', { class: 'badge' });
        button.append(ic, name, badge);
        button.addEventListener('click', () => onClick(item.room));
        row = { li: h('li', {}, button), button, icon: ic, name, badge, key: '' };
        rows.set(item.room, row);
      }
      if (row.key !== item.key) {
        row.key = item.key;
        row.icon.replaceWith((row.icon = icon(item.private ? 'lock' : 'hash', 'room-icon')));
        setText(row.badge, item.badge);
        row.badge.hidden = item.badge === '';
        row.button.classList.toggle('unread', item.unread);
        if (item.current) row.button.setAttribute('aria-current', 'page');
        else row.button.removeAttribute('aria-current');
        // The accessible name says all the row shows: "general, Private, 3 unread".
        row.button.setAttribute(
          'aria-label',
          [item.room, item.private ? t('rooms.private') : '', item.badgeLabel].filter(Boolean).join(', '),
        );
      }
      // Move only rows that are out of place: moving a focused node would blur it.
      if (row.li !== cursor) list.insertBefore(row.li, cursor);
      cursor = row.li.nextElementSibling;
    }
  }
}

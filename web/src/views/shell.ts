/**
 * The chat screen: top bar (brand, connection state, preferences, sign out), room sidebar,
 * the active room (header, messages, composer) and who is here. Wires ChatApp events to the
 * views and holds the global keyboard shortcuts.
 *
 * Layout order in the DOM is the focus order: skip link → top bar → rooms → room header →
 * messages → message box → people.
 */
import type { AppEvents, ChatApp } from '../chat.js';
import { h, setText } from '../dom.js';
import { icon } from '../icons.js';
import { t, tn } from '../i18n.js';
import { ComposerView } from './composer.js';
import { openCreateRoom, openManageRoom, openShortcuts } from './dialogs.js';
import { MembersView } from './members.js';
import { MessagesView } from './messages.js';
import { preferenceControls } from './preferences.js';
import { SidebarView } from './sidebar.js';
import { StatusView } from './status.js';
import { ToastsView } from './toasts.js';

export interface ShellHandlers {
  onLogout(): void;
  /** Re-render everything after a language change. */
  onRerender(): void;
}

export class Shell {
  readonly #app: ChatApp;
  readonly #root: HTMLElement;
  readonly #layout: HTMLElement;
  readonly #status: StatusView;
  readonly #sidebar: SidebarView;
  readonly #messages: MessagesView;
  readonly #composer: ComposerView;
  readonly #members: MembersView;
  readonly #toasts = new ToastsView();
  readonly #roomTitle = h('span', { class: 'room-title-text' });
  readonly #roomIcon = h('span', { class: 'room-title-icon' });
  readonly #roomMeta = h('span', { class: 'room-meta' });
  readonly #roomActions: HTMLElement;
  readonly #menuButton: HTMLButtonElement;
  readonly #peopleButton: HTMLButtonElement;
  readonly #offs: Array<() => void> = [];
  readonly #onKey = (ev: KeyboardEvent): void => this.#keydown(ev);

  constructor(root: HTMLElement, app: ChatApp, handlers: ShellHandlers) {
    this.#app = app;
    this.#root = root;
    const announcer = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-relevant': 'additions', id: 'announcer' });

    this.#status = new StatusView(() => app.retryNow());
    this.#menuButton = h(
      'button',
      { type: 'button', class: 'icon-btn only-narrow', 'aria-label': t('top.menu'), 'aria-controls': 'sidebar', 'aria-expanded': 'false' },
      icon('menu'),
    );
    this.#menuButton.addEventListener('click', () => this.#toggle('sidebar'));
    const help = h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('top.shortcuts'), title: t('top.shortcuts') }, icon('keyboard'));
    help.addEventListener('click', () => openShortcuts());
    const logout = h('button', { type: 'button', class: 'btn small ghost', id: 'logout' }, icon('logout'), h('span', { class: 'hide-narrow' }, t('top.logout')));
    logout.addEventListener('click', handlers.onLogout);

    const topbar = h(
      'header',
      { class: 'topbar' },
      this.#menuButton,
      h('div', { class: 'brand' }, icon('shield', 'brand-icon'), h('span', { class: 'hide-narrow' }, t('app.name'))),
      this.#status.el,
      h('div', { class: 'spacer' }),
      h('div', { class: 'hide-narrow' }, preferenceControls(handlers.onRerender)),
      help,
      h('span', { class: 'me', title: t('top.signedInAs', { name: app.me.name }) }, h('span', { class: 'sr-only' }, t('top.signedInAs', { name: app.me.name })), h('span', { 'aria-hidden': 'true' }, app.me.name)),
      logout,
    );

    this.#sidebar = new SidebarView(app, {
      onCreate: () => openCreateRoom(app),
      onNavigate: () => this.#close('sidebar'),
    });
    // On a phone the preferences live at the bottom of the rooms drawer.
    this.#sidebar.el.append(h('div', { class: 'only-narrow sidebar-prefs' }, preferenceControls(handlers.onRerender)));

    this.#messages = new MessagesView(app, announcer);
    this.#composer = new ComposerView(app, (d) => this.#messages.page(d));
    this.#members = new MembersView(app, () => this.#close('members'));

    this.#peopleButton = h(
      'button',
      { type: 'button', class: 'btn small ghost people-toggle', 'aria-controls': 'members', 'aria-expanded': 'false' },
      icon('users'),
      h('span', { class: 'people-count' }),
    );
    this.#peopleButton.addEventListener('click', () => this.#toggle('members'));
    const manage = h('button', { type: 'button', class: 'btn small ghost', 'data-action': 'manage' }, icon('gear'), h('span', { class: 'hide-narrow' }, t('room.manage')));
    manage.addEventListener('click', () => app.activeRoom && openManageRoom(app, app.activeRoom));
    const leave = h('button', { type: 'button', class: 'btn small ghost', 'data-action': 'leave' }, icon('exit'), h('span', { class: 'hide-narrow' }, t('room.leave')));
    leave.addEventListener('click', () => {
      if (app.activeRoom) void app.leave(app.activeRoom);
    });
    this.#roomActions = h('div', { class: 'room-actions' }, this.#peopleButton, manage, leave);

    const main = h(
      'main',
      { class: 'room', id: 'main', 'aria-labelledby': 'room-title' },
      h('header', { class: 'room-header' }, h('h1', { id: 'room-title', class: 'room-title' }, this.#roomIcon, this.#roomTitle), this.#roomMeta, this.#roomActions),
      this.#messages.el,
      this.#composer.el,
    );

    const scrim = h('div', { class: 'scrim', 'aria-hidden': 'true' });
    scrim.addEventListener('click', () => {
      this.#close('sidebar');
      this.#close('members');
    });

    this.#layout = h(
      'div',
      { class: 'layout', 'data-sidebar': 'closed', 'data-members': 'closed' },
      h('a', { class: 'skip-link', href: '#composer' }, t('skip.composer')),
      topbar,
      this.#sidebar.el,
      main,
      this.#members.el,
      scrim,
      this.#toasts.el,
      announcer,
    );
    root.replaceChildren(this.#layout);

    const on = <K extends keyof AppEvents>(event: K, fn: (payload: AppEvents[K]) => void): void => {
      this.#offs.push(app.events.on(event, fn));
    };
    on('status', (s) => {
      this.#status.update(s);
      this.#composer.updateHint();
      const room = app.activeRoom;
      if (room) this.#messages.outbox(room);
      this.#members.update();
      this.#updateHeader();
    });
    on('rooms', () => this.#roomsChanged());
    on('appended', (e) => this.#messages.appended(e.room, e.messages));
    on('prepended', (e) => this.#messages.prepended(e.room, e.messages));
    on('reset', (e) => this.#messages.reset(e.room));
    on('trimmed', (e) => this.#messages.trimmed(e.room, e.count));
    on('olderState', (e) => this.#messages.olderState(e.room));
    on('outbox', (e) => this.#messages.outbox(e.room));
    on('members', (e) => {
      if (e.room === app.activeRoom) {
        this.#members.update();
        this.#updateHeader();
      }
    });
    on('typing', (e) => {
      if (e.room === app.activeRoom) this.#composer.updateTyping();
    });
    on('notice', (n) => this.#toasts.show(n));
    on('rateLimit', () => this.#composer.updateHint());

    document.addEventListener('keydown', this.#onKey);
    this.#status.update(app.status);
    this.#shownRoom = undefined;
    this.#roomsChanged();
  }

  #shownRoom: string | null | undefined;

  focusComposer(): void {
    this.#composer.textarea.focus();
  }

  dispose(): void {
    for (const off of this.#offs) off();
    document.removeEventListener('keydown', this.#onKey);
    this.#status.dispose();
    this.#composer.dispose();
    for (const d of document.querySelectorAll('dialog')) d.remove();
    this.#root.replaceChildren();
  }

  #roomsChanged(): void {
    const app = this.#app;
    this.#sidebar.update();
    if (this.#shownRoom !== app.activeRoom) {
      this.#shownRoom = app.activeRoom;
      this.#messages.show(app.activeRoom);
      this.#composer.update();
      this.#members.update();
    }
    this.#composer.updateAvailability();
    this.#updateHeader();
    const unread = app.totalUnread;
    document.title = unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${t('app.name')}` : app.activeRoom ? `#${app.activeRoom} · ${t('app.name')}` : t('app.name');
  }

  #updateHeader(): void {
    const app = this.#app;
    const room = app.activeRoom;
    const state = room ? app.rooms.get(room) : undefined;
    this.#roomActions.hidden = !room;
    if (!room || !state) {
      setText(this.#roomTitle, t('app.name'));
      this.#roomIcon.replaceChildren();
      setText(this.#roomMeta, t('room.empty'));
      return;
    }
    const vis = app.visibilityOf(room);
    setText(this.#roomTitle, room);
    this.#roomIcon.replaceChildren(icon(vis === 'private' ? 'lock' : 'hash'));
    const here = state.live ? state.members.size : 0;
    const parts = [vis ? t(vis === 'private' ? 'rooms.private' : 'rooms.public') : '', state.live ? tn('room.hereOne', 'room.hereOther', here) : ''];
    setText(this.#roomMeta, parts.filter(Boolean).join(' · '));
    setText(this.#peopleButton.querySelector('.people-count')!, String(here));
    this.#peopleButton.setAttribute('aria-label', `${t('room.people')}: ${here}`);
    for (const b of this.#roomActions.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
      const action = b.getAttribute('data-action');
      // Moderation is offered to the room's owner; the server still checks every request.
      if (action === 'manage') b.hidden = !app.owns(room);
      b.setAttribute('aria-label', t(action === 'manage' ? 'room.manageLabel' : 'room.leaveLabel', { room }));
    }
  }

  #toggle(panel: 'sidebar' | 'members'): void {
    const open = this.#layout.dataset[panel] !== 'open';
    if (open) this.#close(panel === 'sidebar' ? 'members' : 'sidebar');
    this.#layout.dataset[panel] = open ? 'open' : 'closed';
    const button = panel === 'sidebar' ? this.#menuButton : this.#peopleButton;
    button.setAttribute('aria-expanded', String(open));
    if (open) (panel === 'sidebar' ? this.#sidebar.el.querySelector<HTMLElement>('button, input') : this.#members.el.querySelector<HTMLElement>('button'))?.focus();
  }

  #close(panel: 'sidebar' | 'members'): void {
    if (this.#layout.dataset[panel] !== 'open') return;
    this.#layout.dataset[panel] = 'closed';
    (panel === 'sidebar' ? this.#menuButton : this.#peopleButton).setAttribute('aria-expanded', 'false');
  }

  #keydown(ev: KeyboardEvent): void {
    if (document.querySelector('dialog[open]')) return; // the dialog has the keyboard
    const target = ev.target as HTMLElement | null;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
    const app = this.#app;
    if (ev.altKey && !ev.ctrlKey && !ev.metaKey && (ev.key === 'ArrowUp' || ev.key === 'ArrowDown')) {
      ev.preventDefault();
      const names = app.openRooms.map((r) => r.name);
      if (names.length === 0) return;
      const i = app.activeRoom ? names.indexOf(app.activeRoom) : -1;
      const next = names[(i + (ev.key === 'ArrowUp' ? -1 : 1) + names.length) % names.length]!;
      app.select(next);
      this.focusComposer();
    } else if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key.toLowerCase() === 'k') {
      ev.preventDefault();
      if (this.#layout.dataset.sidebar !== 'open' && getComputedStyle(this.#menuButton).display !== 'none') this.#toggle('sidebar');
      this.#sidebar.joinInput.focus();
    } else if (ev.key === 'Escape') {
      this.#close('sidebar');
      this.#close('members');
      if (target !== this.#composer.textarea) {
        ev.preventDefault();
        this.focusComposer();
      }
    } else if (!typing && ev.key === '?' && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      openShortcuts();
    }
  }
}

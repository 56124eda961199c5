/** Who is in the active room right now (presence), me first and marked. */
import type { ChatApp } from '../chat.js';
import { h, setText } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { avatar } from './avatar.js';

export class MembersView {
  readonly el: HTMLElement;
  readonly #app: ChatApp;
  readonly #list = h('ul', { class: 'member-list', 'aria-labelledby': 'members-heading' });
  readonly #count = h('span', { class: 'count' });
  readonly #empty = h('p', { class: 'muted small' }, t('members.none'));

  constructor(app: ChatApp, onClose: () => void) {
    this.#app = app;
    const close = h('button', { type: 'button', class: 'icon-btn only-overlay', 'aria-label': t('members.close') }, icon('close'));
    close.addEventListener('click', onClose);
    this.el = h(
      'aside',
      { class: 'members', id: 'members', 'aria-labelledby': 'members-heading' },
      h('div', { class: 'section-head' }, h('h2', { id: 'members-heading' }, t('members.heading'), ' ', this.#count), close),
      this.#list,
      this.#empty,
    );
  }

  update(): void {
    const room = this.#app.activeRoom ? this.#app.rooms.get(this.#app.activeRoom) : undefined;
    const me = this.#app.me;
    const members = [...(room?.members.values() ?? [])].sort((a, b) =>
      a.id === me.id ? -1 : b.id === me.id ? 1 : a.name.localeCompare(b.name),
    );
    setText(this.#count, members.length > 0 ? String(members.length) : '');
    this.#list.replaceChildren(
      ...members.map((m) =>
        h('li', { class: 'member' }, avatar(m, 'small'), h('span', { class: 'member-name' }, m.name), m.id === me.id ? h('span', { class: 'muted' }, t('members.you')) : null),
      ),
    );
    this.#empty.hidden = members.some((m) => m.id !== me.id) || !room?.live;
  }
}

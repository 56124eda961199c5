/**
 * The message box: Enter sends, Shift+Enter adds a line (and Enter while an input method is
 * composing, e.g. Pinyin, never sends), the box grows with its text, a counter appears near the
 * limit, and a line under it says who is typing, when a rate limit lifts, or that we are offline.
 */
import type { ChatApp } from '../chat.js';
import { h, setText } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { cleanText, codePoints } from '../protocol.js';

const MAX_ROWS = 10;

export class ComposerView {
  readonly el: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  readonly #app: ChatApp;
  readonly #label = h('label', { for: 'composer', class: 'sr-only' });
  readonly #typing = h('p', { class: 'typing', id: 'typing' });
  readonly #hint = h('p', { class: 'composer-hint', id: 'composer-hint' });
  readonly #count = h('span', { class: 'count' });
  readonly #send: HTMLButtonElement;
  #rateTimer = 0;

  constructor(app: ChatApp, onPage: (direction: -1 | 1) => void) {
    this.#app = app;
    this.textarea = h('textarea', {
      id: 'composer',
      rows: 1,
      class: 'composer-input',
      'aria-describedby': 'composer-hint',
      autocomplete: 'off',
      enterkeyhint: 'send',
    });
    this.#send = h('button', { type: 'submit', class: 'btn primary send' }, icon('send'), h('span', { class: 'send-label' }, t('composer.send')));
    const form = h('form', { class: 'composer-form' }, this.#label, this.textarea, this.#send);
    this.el = h('div', { class: 'composer' }, this.#typing, form, h('div', { class: 'composer-foot' }, this.#hint, this.#count));

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#submit();
    });
    this.textarea.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        this.#submit();
      } else if (ev.key === 'PageUp' || ev.key === 'PageDown') {
        ev.preventDefault();
        onPage(ev.key === 'PageUp' ? -1 : 1);
      }
    });
    this.textarea.addEventListener('input', () => {
      this.#resize();
      this.#updateCount();
      if (this.textarea.value.trim() !== '') this.#app.typing();
    });
    this.update();
  }

  /** The room changed: labels, placeholder, enabled state, typing line, hint. */
  update(): void {
    const room = this.#app.activeRoom;
    const label = room ? t('composer.label', { room }) : t('room.empty');
    setText(this.#label, label);
    this.textarea.placeholder = room ? t('composer.placeholder', { room }) : '';
    this.updateAvailability();
    this.updateTyping();
    this.updateHint();
  }

  /** Offline is no reason to stop typing (messages queue); a room we cannot use is. */
  updateAvailability(): void {
    const room = this.#app.activeRoom;
    const state = room ? this.#app.rooms.get(room) : undefined;
    const usable = Boolean(state && !state.error);
    this.textarea.disabled = !usable;
    this.#send.disabled = !usable;
  }

  updateTyping(): void {
    const room = this.#app.activeRoom;
    const names = room ? this.#app.typingIn(room) : [];
    const [a, b] = names;
    const text =
      names.length === 0 ? '' : names.length === 1 ? t('typing.one', { a: a! }) : names.length === 2 ? t('typing.two', { a: a!, b: b! }) : t('typing.many');
    setText(this.#typing, text);
  }

  updateHint(): void {
    clearInterval(this.#rateTimer);
    const render = (): void => {
      const until = this.#app.rateLimitedUntil;
      const kind = this.#app.status.kind;
      let text = t('composer.hint');
      let cls = 'composer-hint';
      if (until > Date.now()) {
        text = t('composer.rateLimited', { s: Math.max(1, Math.ceil((until - Date.now()) / 1000)) });
        cls += ' warn';
      } else if (kind !== 'open' && kind !== 'connecting') {
        text = t('composer.offline');
        cls += ' warn';
      } else {
        clearInterval(this.#rateTimer);
      }
      this.#hint.className = cls;
      setText(this.#hint, text);
    };
    render();
    if (this.#app.rateLimitedUntil > Date.now()) this.#rateTimer = window.setInterval(render, 500);
  }

  dispose(): void {
    clearInterval(this.#rateTimer);
  }

  #submit(): void {
    const result = this.#app.send(this.textarea.value);
    if (result === 'queued') {
      this.textarea.value = '';
      this.#resize();
      this.#updateCount();
    } else if (result === 'too-long') {
      this.#updateCount();
    }
    this.textarea.focus();
  }

  /** Grows with the text through the rows attribute (no inline style: the CSP forbids it). */
  #resize(): void {
    const lines = this.textarea.value.split('\n').length;
    this.textarea.rows = Math.min(MAX_ROWS, Math.max(1, lines));
  }

  #updateCount(): void {
    const max = this.#app.limits?.maxTextChars ?? 4000;
    const n = codePoints(cleanText(this.textarea.value));
    const near = n > max * 0.9;
    this.#count.classList.toggle('over', n > max);
    setText(this.#count, n > max ? t('composer.tooLong', { n, max }) : near ? t('composer.count', { n, max }) : '');
  }
}

/**
 * The connection indicator, always visible in the top bar: connected, connecting, reconnecting
 * in N s (with "Retry now"), offline, or disconnected (with "Reconnect"). role=status so a
 * screen reader hears changes without losing its place.
 */
import type { ConnectionStatus } from '../connection.js';
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';

export class StatusView {
  readonly el: HTMLElement;
  readonly #dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
  readonly #text = h('span', { class: 'status-text' });
  readonly #button = h('button', { type: 'button', class: 'btn small ghost status-action' });
  /** Announced only when the state changes: a countdown read out every second would be noise. */
  readonly #live = h('span', { class: 'sr-only', role: 'status' });
  #timer = 0;
  #status: ConnectionStatus = { kind: 'connecting', attempt: 0 };

  constructor(onRetry: () => void) {
    this.el = h('div', { class: 'status', 'data-state': 'connecting' }, this.#dot, this.#text, this.#button, this.#live);
    this.#button.hidden = true;
    this.#button.addEventListener('click', onRetry);
  }

  update(status: ConnectionStatus): void {
    this.#status = status;
    clearInterval(this.#timer);
    this.#render();
    if (status.kind === 'waiting') this.#timer = window.setInterval(() => this.#render(), 1000);
  }

  dispose(): void {
    clearInterval(this.#timer);
  }

  #render(): void {
    const s = this.#status;
    let text: string;
    let action: string | null = null;
    switch (s.kind) {
      case 'open':
        text = t('status.open');
        break;
      case 'connecting':
        text = t('status.connecting');
        break;
      case 'waiting':
        text = t('status.waiting', { s: Math.max(1, Math.ceil((s.retryAt - Date.now()) / 1000)) });
        action = t('status.retry');
        break;
      case 'offline':
        text = t('status.offline');
        break;
      case 'stopped':
        text = t('status.stopped', { code: s.code });
        action = t('status.reconnect');
        break;
      case 'ended':
      case 'closed':
        text = t('status.closed');
        break;
    }
    if (this.el.dataset.state !== s.kind) setText(this.#live, s.kind === 'waiting' ? t('status.connecting') : text);
    this.el.dataset.state = s.kind;
    this.el.title = s.kind === 'offline' ? t('status.offlineHint') : '';
    setText(this.#text, text);
    this.#button.hidden = action === null;
    if (action !== null) setText(this.#button, action);
  }
}

/** Notices for the user: errors (role=alert) and confirmations (role=status), dismissed after a while. */
import type { Notice } from '../chat.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

const SHOW_MS = 7000;

export class ToastsView {
  readonly el = h('div', { class: 'toasts' });

  show(notice: Notice): void {
    const close = h('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('dialog.close') }, icon('close'));
    const toast = h(
      'div',
      { class: `toast ${notice.kind}`, role: notice.kind === 'error' ? 'alert' : 'status' },
      icon(notice.kind === 'error' ? 'alert' : 'shield'),
      h('p', {}, t(notice.key, notice.params)),
      close,
    );
    const remove = (): void => toast.remove();
    close.addEventListener('click', remove);
    window.setTimeout(remove, SHOW_MS);
    this.el.append(toast);
    while (this.el.childElementCount > 4) this.el.firstElementChild?.remove();
  }
}

/**
 * Modal dialogs on the native <dialog> element: focus moves in and is trapped by the browser,
 * Esc closes, focus returns to the opener. New room, room moderation, keyboard shortcuts.
 */
import type { ChatApp } from '../chat.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { ROOM_RE, USERNAME_RE } from '../protocol.js';

function dialogShell(id: string, title: string, ...body: Node[]): { dialog: HTMLDialogElement; close: () => void } {
  const closeBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('dialog.close') }, icon('close'));
  const dialog = h(
    'dialog',
    { class: 'dialog', id, 'aria-labelledby': `${id}-title` },
    h('div', { class: 'dialog-head' }, h('h2', { id: `${id}-title` }, title), closeBtn),
    ...body,
  );
  const close = (): void => dialog.close();
  closeBtn.addEventListener('click', close);
  // A click on the backdrop (outside the box) closes, like Esc.
  dialog.addEventListener('click', (ev) => {
    if (ev.target === dialog) close();
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  return { dialog, close };
}

export function openCreateRoom(app: ChatApp): void {
  const name = h('input', {
    id: 'create-name',
    class: 'input',
    type: 'text',
    required: true,
    maxlength: 64,
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    'aria-describedby': 'create-name-hint create-error',
  });
  const pub = h('input', { type: 'radio', name: 'visibility', value: 'public', id: 'create-public', checked: true });
  const priv = h('input', { type: 'radio', name: 'visibility', value: 'private', id: 'create-private' });
  const error = h('p', { class: 'form-error', id: 'create-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('create.submit'));
  const cancel = h('button', { type: 'button', class: 'btn ghost' }, t('dialog.cancel'));
  const form = h(
    'form',
    { class: 'dialog-body', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'create-name' }, t('create.name')), name, h('p', { class: 'hint', id: 'create-name-hint' }, t('create.nameHint'))),
    h(
      'fieldset',
      { class: 'field choices' },
      h('legend', {}, t('create.visibility')),
      h('label', { class: 'choice', for: 'create-public' }, pub, h('span', {}, h('strong', {}, t('create.public')), h('small', {}, t('create.publicHint')))),
      h('label', { class: 'choice', for: 'create-private' }, priv, h('span', {}, h('strong', {}, t('create.private')), h('small', {}, t('create.privateHint')))),
    ),
    error,
    h('div', { class: 'dialog-actions' }, cancel, submit),
  );
  const { dialog, close } = dialogShell('create-dialog', t('create.title'), form);
  cancel.addEventListener('click', close);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const room = name.value.trim().toLowerCase();
    if (!ROOM_RE.test(room)) {
      error.textContent = t('error.roomName');
      name.setAttribute('aria-invalid', 'true');
      name.focus();
      return;
    }
    submit.disabled = true;
    void app.create(room, priv.checked ? 'private' : 'public').then((ok) => {
      submit.disabled = false;
      if (ok) close();
      else name.focus();
    });
  });
  dialog.showModal();
  name.focus();
}

export function openManageRoom(app: ChatApp, room: string): void {
  const user = h('input', {
    id: 'manage-user',
    class: 'input',
    type: 'text',
    required: true,
    maxlength: 32,
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    'aria-describedby': 'manage-hint',
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const buttons = (['invite', 'kick', 'ban'] as const).map((action) => {
    const b = h('button', { type: 'button', class: action === 'invite' ? 'btn primary' : 'btn danger', 'data-action': action }, t(`manage.${action}`));
    b.addEventListener('click', () => {
      const name = user.value.trim();
      if (!USERNAME_RE.test(name)) {
        error.textContent = t('register.invalid');
        user.focus();
        return;
      }
      error.textContent = '';
      for (const x of buttons) x.disabled = true;
      void app.moderate(action, room, name).then((ok) => {
        for (const x of buttons) x.disabled = false;
        if (ok) user.value = '';
        user.focus();
      });
    });
    return b;
  });
  const body = h(
    'div',
    { class: 'dialog-body' },
    h('p', { class: 'banner info' }, icon('shield'), h('span', {}, t('manage.note'))),
    h('div', { class: 'field' }, h('label', { for: 'manage-user' }, t('manage.user')), user, h('p', { class: 'hint', id: 'manage-hint' }, t('manage.inviteHint'))),
    error,
    h('div', { class: 'dialog-actions' }, ...buttons),
  );
  const { dialog } = dialogShell('manage-dialog', t('manage.title', { room }), body);
  // Enter in the name field invites (the safe action).
  user.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      buttons[0]!.click();
    }
  });
  dialog.showModal();
  user.focus();
}

export function openShortcuts(): void {
  const rows: Array<[string[], string]> = [
    [['Enter'], t('shortcuts.send')],
    [['Shift', 'Enter'], t('shortcuts.newline')],
    [['Alt', '↑'], t('shortcuts.prevNext')],
    [['Alt', '↓'], t('shortcuts.prevNext')],
    [['Ctrl', 'K'], t('shortcuts.jump')],
    [['Esc'], t('shortcuts.focus')],
    [['PgUp'], t('shortcuts.scroll')],
    [['?'], t('shortcuts.help')],
  ];
  const list = h(
    'dl',
    { class: 'shortcuts' },
    ...rows.flatMap(([keys, what]) => [
      h('dt', {}, ...keys.flatMap((k, i) => (i === 0 ? [h('kbd', {}, k)] : [' + ', h('kbd', {}, k)]))),
      h('dd', {}, what),
    ]),
  );
  const { dialog } = dialogShell('shortcuts-dialog', t('shortcuts.title'), h('div', { class: 'dialog-body' }, list));
  dialog.showModal();
}

/**
 * The first screen: sign in or create an account, and the security story in four lines.
 * Passwords go only to /api/register and /api/login (same origin, JSON); the session comes back
 * as an HttpOnly cookie this page cannot read.
 */
import * as api from '../api.js';
import { h } from '../dom.js';
import { icon, type IconName } from '../icons.js';
import { t, type MessageKey } from '../i18n.js';
import type { WireUser } from '../protocol.js';
import { preferenceControls } from './preferences.js';

export interface LoginOptions {
  /** Why we are here (a close code or a key), shown above the form. */
  reason?: string;
  mode?: 'login' | 'register';
  /** Keep what was typed across a language switch. */
  username?: string;
  onLoggedIn(user: WireUser): void;
  /** Re-render after a language change. */
  onRerender(state: { mode: 'login' | 'register'; username: string; reason?: string }): void;
}

export function renderLogin(root: HTMLElement, opts: LoginOptions): void {
  let mode = opts.mode ?? 'login';

  const heading = h('h1', { id: 'auth-heading', class: 'auth-title' });
  const username = h('input', {
    id: 'auth-username',
    name: 'username',
    type: 'text',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    minlength: 3,
    maxlength: 32,
    pattern: '[A-Za-z0-9_]{3,32}',
    'aria-describedby': 'auth-username-hint',
  });
  username.value = opts.username ?? '';
  const password = h('input', {
    id: 'auth-password',
    name: 'password',
    type: 'password',
    required: true,
    minlength: 8,
    maxlength: 1024,
    'aria-describedby': 'auth-password-hint',
  });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'auth-error' });
  const submit = h('button', { type: 'submit', class: 'btn primary wide' });
  const switchText = h('span');
  const switchButton = h('button', { type: 'button', class: 'link-btn' });
  const passwordHint = h('p', { class: 'hint', id: 'auth-password-hint' });

  const form = h(
    'form',
    { class: 'auth-form', 'aria-labelledby': 'auth-heading', novalidate: true },
    heading,
    opts.reason ? h('p', { class: 'banner warn', role: 'status' }, icon('alert'), h('span', {}, opts.reason)) : null,
    h('div', { class: 'field' }, h('label', { for: 'auth-username' }, t('login.username')), username, h('p', { class: 'hint', id: 'auth-username-hint' }, t('login.usernameHint'))),
    h('div', { class: 'field' }, h('label', { for: 'auth-password' }, t('login.password')), password, passwordHint),
    error,
    submit,
    h('p', { class: 'auth-switch' }, switchText, ' ', switchButton),
  );

  const applyMode = (): void => {
    const reg = mode === 'register';
    heading.textContent = t(reg ? 'register.title' : 'login.title');
    submit.textContent = t(reg ? 'register.submit' : 'login.submit');
    switchText.textContent = t(reg ? 'register.toLogin' : 'login.toRegister');
    switchButton.textContent = t(reg ? 'register.toLoginButton' : 'login.toRegisterButton');
    password.setAttribute('autocomplete', reg ? 'new-password' : 'current-password');
    passwordHint.textContent = reg ? t('login.passwordHint') : '';
    passwordHint.hidden = !reg;
    error.textContent = '';
  };
  applyMode();

  switchButton.addEventListener('click', () => {
    mode = mode === 'login' ? 'register' : 'login';
    applyMode();
    username.focus();
  });

  let busy = false;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (busy) return;
    const name = username.value.trim();
    const pass = password.value;
    if (!/^[A-Za-z0-9_]{3,32}$/.test(name) || pass.length < 8 || pass.length > 1024) {
      error.textContent = t(mode === 'register' ? 'register.invalid' : 'login.failed');
      (name.length < 3 ? username : password).focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = t(mode === 'register' ? 'register.busy' : 'login.busy');
    error.textContent = '';
    void (async () => {
      try {
        if (mode === 'register') {
          const reg = await api.register(name, pass);
          if (!reg.ok) return showFailure(reg, 'register');
          // The account exists now: a retry after a failed login must not register again.
          mode = 'login';
          applyMode();
        }
        const res = await api.login(name, pass);
        if (!res.ok) return showFailure(res, 'login');
        password.value = '';
        opts.onLoggedIn(res.value.user);
      } finally {
        busy = false;
        submit.disabled = false;
        if (submit.isConnected) submit.textContent = t(mode === 'register' ? 'register.submit' : 'login.submit');
      }
    })();
  });

  const showFailure = (f: api.ApiFailure, during: 'login' | 'register'): void => {
    const s = f.retryAfterS ?? 60;
    let key: MessageKey;
    if (f.code === 'NETWORK') key = 'login.network';
    else if (f.code === 'NO_COOKIE') key = 'login.noCookie';
    else if (f.status === 429) key = during === 'register' ? 'register.throttled' : 'login.throttled';
    else if (during === 'register' && f.status === 409) key = 'register.taken';
    else if (during === 'register' && f.status === 400) key = 'register.invalid';
    else if (f.status === 403) key = during === 'register' && f.code === 'FORBIDDEN' ? 'register.closed' : 'login.origin';
    else if (f.status === 401) key = 'login.failed';
    else key = 'login.unexpected';
    error.textContent = t(key, { s, code: f.code });
    password.focus();
  };

  const story: Array<[IconName, MessageKey, MessageKey]> = [
    ['lock', 'security.cookie.title', 'security.cookie.body'],
    ['shield', 'security.csp.title', 'security.csp.body'],
    ['hash', 'security.text.title', 'security.text.body'],
    ['gear', 'security.defaults.title', 'security.defaults.body'],
  ];

  root.replaceChildren(
    h(
      'main',
      { class: 'auth' },
      h(
        'div',
        { class: 'auth-card' },
        h('div', { class: 'brand brand-lg' }, icon('shield', 'brand-icon'), h('span', {}, t('app.name'))),
        h('p', { class: 'tagline' }, t('app.tagline')),
        form,
      ),
      h(
        'section',
        { class: 'story', 'aria-labelledby': 'story-heading' },
        h('h2', { id: 'story-heading' }, t('security.title')),
        h(
          'ul',
          {},
          ...story.map(([ic, title, body]) =>
            h('li', {}, icon(ic, 'story-icon'), h('div', {}, h('strong', {}, t(title)), h('p', {}, t(body)))),
          ),
        ),
      ),
      h(
        'footer',
        { class: 'auth-footer' },
        preferenceControls(() => opts.onRerender({ mode, username: username.value, ...(opts.reason ? { reason: opts.reason } : {}) })),
      ),
    ),
  );
  username.focus();
}

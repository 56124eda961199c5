/**
 * Entry point: theme and language first (no flash), then "am I logged in?" from /api/session
 * (the cookie is HttpOnly, so asking the server is the only way), then the login screen or the
 * chat. A terminal close (4000–4099) or a lost session brings the login screen back with the reason.
 */
import * as api from './api.js';
import { ChatApp } from './chat.js';
import { h } from './dom.js';
import { icon } from './icons.js';
import { initLocale, t } from './i18n.js';
import { loadTheme } from './prefs.js';
import type { WireUser } from './protocol.js';
import { renderLogin, type LoginOptions } from './views/login.js';
import { applyTheme } from './views/preferences.js';
import { Shell } from './views/shell.js';

const root = document.getElementById('app')!;
let app: ChatApp | null = null;
let shell: Shell | null = null;

function focusLanguagePicker(): void {
  document.querySelector<HTMLSelectElement>('select[id^="pref-lang"]')?.focus();
}

function showLogin(opts: Partial<Omit<LoginOptions, 'onLoggedIn' | 'onRerender'>> = {}): void {
  teardownChat();
  document.title = t('app.name');
  renderLogin(root, {
    ...opts,
    onLoggedIn: (user) => showChat(user),
    onRerender: (state) => {
      showLogin(state);
      focusLanguagePicker();
    },
  });
}

function reasonFor(code: number): string {
  if (code === 4001 || code === 4002) return t(`login.reason.${code}`);
  return t('login.reason.other', { code });
}

function showChat(user: WireUser): void {
  teardownChat();
  const chat = new ChatApp(user, async () => {
    const s = await api.getSession();
    // Unreachable server: assume the session is fine and keep retrying.
    return !s.ok || (s.value !== null && s.value.user.id === user.id);
  });
  app = chat;
  chat.events.on('ended', ({ code }) => {
    if (app !== chat) return;
    if (code === 0) {
      teardownChat();
      void boot();
      return;
    }
    showLogin({ reason: reasonFor(code) });
  });
  mountShell(chat);
  chat.start();
  shell?.focusComposer();
}

function mountShell(chat: ChatApp): void {
  shell?.dispose();
  shell = new Shell(root, chat, {
    onLogout: () => void logout(),
    onRerender: () => {
      mountShell(chat);
      focusLanguagePicker();
    },
  });
}

async function logout(): Promise<void> {
  // Close our socket first (a normal 1000), then revoke the session: the server closes every
  // other socket of this session (other tabs) with 4001, which sends them to the login screen.
  teardownChat();
  await api.logout();
  showLogin();
}

function teardownChat(): void {
  shell?.dispose();
  shell = null;
  app?.dispose();
  app = null;
}

function showUnreachable(): void {
  const retry = h('button', { type: 'button', class: 'btn primary' }, t('status.retry'));
  retry.addEventListener('click', () => void boot());
  root.replaceChildren(
    h('main', { class: 'auth' }, h('div', { class: 'auth-card' }, h('div', { class: 'brand brand-lg' }, icon('shield', 'brand-icon'), h('span', {}, t('app.name'))), h('p', { class: 'banner warn', role: 'alert' }, icon('alert'), h('span', {}, t('login.network'))), retry)),
  );
  retry.focus();
}

async function boot(): Promise<void> {
  const session = await api.getSession();
  if (!session.ok) return showUnreachable();
  if (session.value) showChat(session.value.user);
  else showLogin();
}

applyTheme(loadTheme());
initLocale();
// Unsent messages would be lost with the page: ask before leaving while the outbox is not empty.
window.addEventListener('beforeunload', (ev) => {
  if (app && app.outbox.some((o) => o.state !== 'acked')) ev.preventDefault();
});
void boot();

/**
 * What the client remembers in localStorage: UI language, theme, and per user which rooms are
 * open and how far each was read. Never a token or a password: the session lives only in the
 * HttpOnly cookie, which no script on the page can read. Every read is validated, because
 * storage is input like any other (another tab, an extension or an old version may have written it).
 */
import { ROOM_RE } from './protocol.js';

export type ThemePref = 'system' | 'light' | 'dark';
export type LocalePref = 'en' | 'zh-CN';

const KEY_THEME = 'rampart.theme';
const KEY_LOCALE = 'rampart.locale';
const userKey = (userId: string): string => `rampart.user.${userId}`;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled (privacy mode): the client works, it just forgets.
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* quota or disabled storage: preferences are a convenience, never required */
  }
}

export function loadTheme(): ThemePref {
  const v = read(KEY_THEME);
  return v === 'light' || v === 'dark' ? v : 'system';
}
export function saveTheme(theme: ThemePref): void {
  write(KEY_THEME, theme);
}

export function loadLocale(): LocalePref | null {
  const v = read(KEY_LOCALE);
  return v === 'en' || v === 'zh-CN' ? v : null;
}
export function saveLocale(locale: LocalePref): void {
  write(KEY_LOCALE, locale);
}

export interface UserPrefs {
  /** Rooms the user keeps open, in sidebar order. */
  rooms: string[];
  active: string | null;
  /** room → highest seq the user has seen. */
  lastRead: Record<string, number>;
}

export function loadUserPrefs(userId: string): UserPrefs {
  const prefs: UserPrefs = { rooms: [], active: null, lastRead: Object.create(null) as Record<string, number> };
  const raw = read(userKey(userId));
  if (!raw) return prefs;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return prefs;
    const p = parsed as Record<string, unknown>;
    if (Array.isArray(p.rooms)) {
      for (const r of p.rooms) if (typeof r === 'string' && ROOM_RE.test(r) && !prefs.rooms.includes(r)) prefs.rooms.push(r);
      prefs.rooms = prefs.rooms.slice(0, 64); // the server's joined-rooms-per-connection bound
    }
    if (typeof p.active === 'string' && prefs.rooms.includes(p.active)) prefs.active = p.active;
    if (typeof p.lastRead === 'object' && p.lastRead !== null) {
      for (const [room, seq] of Object.entries(p.lastRead as Record<string, unknown>)) {
        if (ROOM_RE.test(room) && typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) prefs.lastRead[room] = seq;
      }
    }
  } catch {
    /* corrupt entry: start fresh */
  }
  return prefs;
}

export function saveUserPrefs(userId: string, prefs: UserPrefs): void {
  write(userKey(userId), JSON.stringify(prefs));
}

/** Dates and times in the UI's language, through Intl (no date library in the bundle). */
import { locale, t } from './i18n.js';

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale()}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(locale(), options)));
  return f;
}

/** "14:05" (or "2:05 PM"): shown next to each message. */
export function timeOfDay(ts: number): string {
  return fmt({ hour: 'numeric', minute: '2-digit' }).format(ts);
}

/** The full date and time, for the tooltip and screen readers. */
export function fullDateTime(ts: number): string {
  return fmt({ dateStyle: 'full', timeStyle: 'medium' }).format(ts);
}

/** The local calendar day of a timestamp, to put a divider where the day changes. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday" or a date. */
export function dayLabel(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return t('room.today');
  if (dayKey(ts) === dayKey(now - 86_400_000)) return t('room.yesterday');
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return fmt(sameYear ? { weekday: 'long', month: 'long', day: 'numeric' } : { dateStyle: 'long' }).format(ts);
}

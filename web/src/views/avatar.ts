/**
 * A rounded initial in one of eight hues picked from the user's name (unique, so a person keeps a
 * colour across rooms, sessions and screenshots): a class, never an inline style.
 */
import { h } from '../dom.js';
import type { WireUser } from '../protocol.js';

export function hueOf(name: string): number {
  const key = name.toLowerCase();
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return hash % 8;
}

export function avatar(user: WireUser, extraClass = ''): HTMLSpanElement {
  const initial = Array.from(user.name)[0]?.toUpperCase() ?? '?';
  return h('span', { class: `avatar hue-${hueOf(user.name)} ${extraClass}`.trim(), 'aria-hidden': 'true' }, initial);
}

/** Language and theme pickers, used on the login screen and in the top bar. */
import { h } from '../dom.js';
import { LOCALES, locale, setLocale, t, type Locale } from '../i18n.js';
import { loadTheme, saveTheme, type ThemePref } from '../prefs.js';

/** Applies a theme: `data-theme` on <html> (an attribute, so the CSP has nothing to say). */
export function applyTheme(theme: ThemePref): void {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', theme);
}

let uid = 0;

/** Two labelled selects; `onLocale` re-renders the current screen in the new language. */
export function preferenceControls(onLocale: () => void): HTMLElement {
  const n = ++uid;
  const lang = h('select', { id: `pref-lang-${n}`, class: 'select' });
  for (const l of LOCALES) {
    const opt = h('option', { value: l.id, lang: l.id }, l.label);
    opt.selected = l.id === locale();
    lang.appendChild(opt);
  }
  lang.addEventListener('change', () => {
    setLocale(lang.value as Locale);
    onLocale();
  });

  const theme = h('select', { id: `pref-theme-${n}`, class: 'select' });
  for (const id of ['system', 'light', 'dark'] as const) {
    const opt = h('option', { value: id }, t(`theme.${id}`));
    opt.selected = id === loadTheme();
    theme.appendChild(opt);
  }
  theme.addEventListener('change', () => {
    const value = theme.value as ThemePref;
    saveTheme(value);
    applyTheme(value);
  });

  return h(
    'div',
    { class: 'prefs' },
    h('label', { class: 'pref', for: `pref-lang-${n}` }, h('span', { class: 'pref-label' }, t('top.language')), lang),
    h('label', { class: 'pref', for: `pref-theme-${n}` }, h('span', { class: 'pref-label' }, t('top.theme')), theme),
  );
}

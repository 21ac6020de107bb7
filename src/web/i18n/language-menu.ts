/**
 * The language menu of every page's header: a labelled `<select>` of the languages, each named in itself
 * (and marked with its own `lang`, so a screen reader says "हिन्दी" in Hindi). Choosing one changes the
 * page's language at once and remembers it (src/web/i18n/index.ts).
 */
import { h, setAttrs } from '../dom.ts';
import { LANGUAGE_NAMES, LANGUAGES, isLanguage, language, setLanguage, t } from './index.ts';
import type { LiveText } from './live-text.ts';

/** `live`: for a view that stays on screen across a change of language (else the view is drawn anew). */
export function languageMenu(live?: LiveText): HTMLElement {
  const select = h(
    'select',
    { class: 'select small language-select', attrs: { 'data-testid': 'language-select' } },
    ...LANGUAGES.map((code) => h('option', { text: LANGUAGE_NAMES[code], attrs: { value: code, lang: code } })),
  );
  const write = () => {
    setAttrs(select, { 'aria-label': t('language.label'), title: t('language.label') });
    select.value = language();
  };
  if (live) live.add(write);
  else write();
  select.addEventListener('change', () => {
    if (isLanguage(select.value)) setLanguage(select.value);
  });
  return h('span', { class: 'language-menu' }, select);
}

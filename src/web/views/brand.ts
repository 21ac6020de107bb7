/** The header of the pages outside the meeting: the way home and the language menu. */
import { h, setAttrs } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { languageMenu } from '../i18n/language-menu.ts';
import type { LiveText } from '../i18n/live-text.ts';

/**
 * `live`: for a view that stays on screen across a change of language (else the view is drawn anew).
 * `menu`: the signed-in user's menu (src/web/accounts/user-menu.ts), after the language menu.
 */
export function brandHeader(live?: LiveText, menu: HTMLElement | null = null): HTMLElement {
  const name = h('span', { class: 'brand-name' });
  const link = h('a', { class: 'brand', attrs: { href: '/' } }, h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), name);
  const write = () => {
    name.textContent = t('app.name');
    setAttrs(link, { 'aria-label': t('brand.home') });
  };
  if (live) live.add(write);
  else write();
  return h('header', { class: 'brand-bar' }, link, languageMenu(live), menu);
}

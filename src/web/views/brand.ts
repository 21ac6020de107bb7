import { h } from '../dom.ts';

export function brandHeader(): HTMLElement {
  return h(
    'header',
    { class: 'brand-bar' },
    h('a', { class: 'brand', attrs: { href: '/', 'aria-label': 'Sabha home' } }, h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), 'Sabha'),
  );
}

/**
 * Where a link leads nowhere: a meeting that is not available (ended, never existed, or a wrong passcode:
 * deliberately one answer, given only after the server checked the passcode, so that a link cannot be used
 * to learn whether a meeting exists), or an address that is no page of Sabha. Both offer the way home.
 */
import { h } from '../dom.ts';
import { brandHeader } from './brand.ts';

export type Unavailable = 'meeting' | 'page';

const TEXT: Record<Unavailable, { title: string; detail: string }> = {
  meeting: { title: 'This meeting is not available', detail: 'It has ended, or the link or passcode is wrong. Ask the host for a new link.' },
  page: { title: 'Page not found', detail: 'There is nothing at this address. Check the link, or start from the home page.' },
};

export function unavailableView(kind: Unavailable): HTMLElement {
  const text = TEXT[kind];
  return h(
    'div',
    { class: 'page centered-page' },
    brandHeader(),
    h(
      'main',
      { class: 'card message-card', attrs: { 'data-testid': 'unavailable', 'data-kind': kind } },
      h('h1', { text: text.title }),
      h('p', { class: 'muted', text: text.detail }),
      h('div', { class: 'actions center' }, h('a', { class: 'button primary', text: 'Go to the home page', attrs: { href: '/', 'data-testid': 'home-link' } })),
    ),
  );
}

/**
 * Where a link leads nowhere: a meeting that is not available (ended, never existed, or a wrong passcode:
 * deliberately one answer, given only after the server checked the passcode, so that a link cannot be used
 * to learn whether a meeting exists), or an address that is no page of Sabha. Both offer the way home.
 */
import { h } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { brandHeader } from './brand.ts';

export type Unavailable = 'meeting' | 'page';

const TEXT: Record<Unavailable, { title: PlainKey; detail: PlainKey }> = {
  meeting: { title: 'unavailable.meeting.title', detail: 'unavailable.meeting.detail' },
  page: { title: 'unavailable.page.title', detail: 'unavailable.page.detail' },
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
      h('h1', { text: t(text.title) }),
      h('p', { class: 'muted', text: t(text.detail) }),
      h('div', { class: 'actions center' }, h('a', { class: 'button primary', text: t('unavailable.home'), attrs: { href: '/', 'data-testid': 'home-link' } })),
    ),
  );
}

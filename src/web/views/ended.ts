/** The final screen: left, ended, removed, denied, or a failure, with the reason. */
import type { EndReason } from '../../client/index.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { endReasonText } from '../reasons.ts';
import { brandHeader } from './brand.ts';

export function endedView(reason: EndReason): HTMLElement {
  const text = endReasonText(reason);
  return h(
    'div',
    { class: 'page centered-page' },
    brandHeader(),
    h(
      'main',
      { class: 'card message-card', attrs: { 'data-testid': 'meeting-ended', 'data-reason': reason } },
      h('h1', { text: text.title }),
      h('p', { class: 'muted', text: text.detail }),
      h('div', { class: 'actions center' }, h('a', { class: 'button secondary', text: t('ended.home'), attrs: { href: '/' } })),
    ),
  );
}

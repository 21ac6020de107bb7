/**
 * Held before entering: no host yet, or in the waiting room. Shows the meeting's title (the server sends it
 * in `waiting`, only after the passcode was checked) and nothing else about the meeting.
 */
import type { WaitingReason } from '../../client/index.ts';
import { typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { brandHeader } from './brand.ts';

export function waitingView(title: string, reason: WaitingReason, onLeave: () => void): { element: HTMLElement; setTitle(title: string): void } {
  const titleLine = h('p', { class: 'eyebrow waiting-title', attrs: { ...typedTextAttrs, 'data-testid': 'waiting-title' } });
  const setTitle = (text: string) => {
    titleLine.textContent = text;
    titleLine.hidden = text === '';
  };
  setTitle(title);
  const hostAbsent = reason === 'host-absent';
  const element = h(
    'div',
    { class: 'page centered-page' },
    brandHeader(),
    h(
      'main',
      { class: 'card message-card', attrs: { 'data-testid': `waiting-${reason}` } },
      h('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
      titleLine,
      h('h1', { text: t(hostAbsent ? 'waiting.host-absent.title' : 'waiting.waiting-room.title') }),
      h('p', { class: 'muted', text: t(hostAbsent ? 'waiting.host-absent.detail' : 'waiting.waiting-room.detail') }),
      h('div', { class: 'actions center' }, h('button', { class: 'button secondary', text: t('waiting.leave'), attrs: { type: 'button', 'data-testid': 'waiting-leave' }, on: { click: onLeave } })),
    ),
  );
  return { element, setTitle };
}

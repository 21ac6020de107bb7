/**
 * Held before entering: no host yet, or in the waiting room. Shows the meeting's title (the server sends it
 * in `waiting`, only after the passcode was checked) and nothing else about the meeting.
 */
import type { WaitingReason } from '../../client/index.ts';
import { typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { brandHeader } from './brand.ts';

export function waitingView(title: string, reason: WaitingReason, onLeave: () => void): { element: HTMLElement; setTitle(title: string): void } {
  const titleLine = h('p', { class: 'eyebrow waiting-title', attrs: { ...typedTextAttrs, 'data-testid': 'waiting-title' } });
  const setTitle = (text: string) => {
    titleLine.textContent = text;
    titleLine.hidden = text === '';
  };
  setTitle(title);
  const element = h(
    'div',
    { class: 'page centered-page' },
    brandHeader(),
    h(
      'main',
      { class: 'card message-card', attrs: { 'data-testid': `waiting-${reason}` } },
      h('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
      titleLine,
      h('h1', { text: reason === 'host-absent' ? 'Waiting for the host to start this meeting' : 'The host will let you in soon' }),
      h('p', {
        class: 'muted',
        text: reason === 'host-absent' ? 'You will join automatically when the host arrives.' : 'Please wait; you will enter as soon as you are admitted.',
      }),
      h('div', { class: 'actions center' }, h('button', { class: 'button secondary', text: 'Leave', attrs: { type: 'button', 'data-testid': 'waiting-leave' }, on: { click: onLeave } })),
    ),
  );
  return { element, setTitle };
}

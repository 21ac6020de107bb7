/**
 * The stage while we are in a breakout room: the room's name, its security code, its countdown or timer, "Back
 * to main room" when the host allows it, the room's own tiles (a LayoutController over the breakout room's Room,
 * so only that room's people are drawn and received) and the room's own chat, sealed for the room's group (the
 * meeting's Chat panel stays the main meeting's, which people in every room read). The main meeting's grid is
 * hidden meanwhile; its media is paused.
 */
import type { Room } from '../../../client/index.ts';
import type { Breakout } from '../../../client/breakout/breakout.ts';
import { h } from '../../dom.ts';
import { t, tNodes } from '../../i18n/index.ts';
import { ChatPanel } from '../chat-panel.ts';
import { EncryptionBadge } from '../encryption-badge.ts';
import { LayoutController } from '../layout/layout-controller.ts';

/** What a countdown says now: the closing seconds, else the timer's minutes, else nothing. */
export function breakoutClock(breakout: Breakout, now = Date.now()): string {
  const { phase, closesAt, endsAt } = breakout.plan.state;
  if (phase === 'closing' && closesAt !== null) return t('breakout.closing', { count: Math.max(0, Math.ceil((closesAt - now) / 1000)) });
  if (phase === 'open' && endsAt !== null) return t('breakout.time-left', { count: Math.max(0, Math.ceil((endsAt - now) / 60_000)) });
  return '';
}

export class BreakoutRoomStage {
  readonly element: HTMLElement;
  readonly #grid: LayoutController;
  /** The room's own group and security code (the top bar's badge stays the main meeting's). */
  readonly #badge: EncryptionBadge;
  readonly #chat: ChatPanel;
  readonly #chatButton = h('button', { class: 'button tiny secondary', text: t('breakout.chat'), attrs: { type: 'button', 'aria-expanded': 'false', 'data-testid': 'breakout-chat-button' } });
  readonly #clock = h('span', { class: 'pill', attrs: { role: 'timer', 'data-testid': 'breakout-countdown' } });
  readonly #back = h('button', { class: 'button tiny secondary', text: t('breakout.back'), attrs: { type: 'button', 'data-testid': 'breakout-back' } });
  readonly #breakout: Breakout;
  readonly #tick: ReturnType<typeof setInterval>;
  readonly #off: () => void;

  constructor(room: Room, index: number, breakout: Breakout, onError: (text: string) => void) {
    this.#breakout = breakout;
    this.#grid = new LayoutController(room);
    this.#grid.onError = onError;
    const name = breakout.plan.state.rooms[index] ?? '';
    this.#badge = new EncryptionBadge(room);
    this.#chat = new ChatPanel(room);
    const chat = h('aside', { class: 'side-panel', attrs: { hidden: true, 'aria-label': t('breakout.chat') } }, this.#chat.element);
    // Test ids of their own: the main meeting's badge and chat are on the page too.
    for (const part of [this.#badge.element, chat]) {
      for (const el of part.querySelectorAll('[data-testid]')) el.setAttribute('data-testid', `breakout-${el.getAttribute('data-testid')}`);
    }
    this.#chatButton.addEventListener('click', () => {
      chat.hidden = !chat.hidden;
      this.#chatButton.setAttribute('aria-expanded', String(!chat.hidden));
      if (!chat.hidden) this.#chat.focus();
    });
    this.#back.addEventListener('click', () => void breakout.returnToMain());
    const banner = h('div', { class: 'breakout-banner', attrs: { 'data-testid': 'breakout-banner' } },
      h('strong', {}, ...tNodes('breakout.in-room', { name: h('bdi', { text: name, attrs: { 'data-testid': 'breakout-room-name' } }) })),
      this.#badge.element, this.#clock, this.#chatButton, this.#back);
    const body = h('div', { class: 'breakout-body' }, this.#grid.element, chat);
    this.element = h('div', { class: 'breakout-stage', attrs: { 'data-testid': 'breakout-stage', 'data-room': index } }, banner, body);
    const render = () => {
      this.#clock.textContent = breakoutClock(breakout);
      this.#clock.hidden = this.#clock.textContent === '';
      this.#back.hidden = !breakout.plan.state.allowReturn;
    };
    this.#off = breakout.plan.on('changed', render);
    this.#tick = setInterval(render, 1000);
    render();
  }

  dispose(): void {
    clearInterval(this.#tick);
    this.#off();
    this.#grid.dispose();
    this.#badge.dispose();
    this.#chat.dispose();
    this.element.remove();
  }
}

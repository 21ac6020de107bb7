/**
 * The host's breakout panel (shown in the breakout dialog to hosts and co-hosts): create rooms, assign people by
 * hand or at random, let them choose, open with an optional timer, visit a room, send a message to all rooms,
 * and close them. Every action is a request over the main meeting's connection; the view follows the plan the
 * server sends back (src/client/breakout/breakout-plan-view.ts), so two co-hosts see the same plan.
 */
import type { Room } from '../../../client/index.ts';
import type { Breakout } from '../../../client/breakout/breakout.ts';
import { MAX_BREAKOUT_ROOMS, isTypedTextAllowed } from '../../../protocol/index.ts';
import { typedTextAttrs } from '../../bidi.ts';
import { h } from '../../dom.ts';
import { t } from '../../i18n/index.ts';

export class BreakoutHostPanel {
  readonly element = h('div', { class: 'breakout-host', attrs: { 'data-testid': 'breakout-host-panel' } });
  readonly #room: Room;
  readonly #breakout: Breakout;
  readonly #onError: (text: string) => void;
  readonly #off: (() => void)[];

  constructor(room: Room, breakout: Breakout, onError: (text: string) => void) {
    this.#room = room;
    this.#breakout = breakout;
    this.#onError = onError;
    const render = () => this.render();
    this.#off = [breakout.plan.on('changed', render), room.state.on('participant-joined', render), room.state.on('participant-left', render), room.state.on('reset', render)];
    this.render();
  }

  render(): void {
    const { phase } = this.#breakout.plan.state;
    const focused = document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid');
    this.element.replaceChildren(
      h('p', { class: 'setting-help', text: t('breakout.encryption') }),
      ...(phase === 'none' ? this.#createForm() : this.#planView()),
    );
    // A re-render after someone joined must not take the host's focus away.
    if (focused) this.element.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
  }

  dispose(): void {
    for (const off of this.#off) off();
  }

  #createForm(): HTMLElement[] {
    const count = h('input', { class: 'input', attrs: { type: 'number', min: 1, max: MAX_BREAKOUT_ROOMS, value: 2, 'data-testid': 'breakout-count', id: 'breakout-count' } });
    const choice = h('input', { attrs: { type: 'checkbox', 'data-testid': 'breakout-allow-choice', id: 'breakout-allow-choice' } });
    const back = h('input', { attrs: { type: 'checkbox', checked: true, 'data-testid': 'breakout-allow-return', id: 'breakout-allow-return' } });
    const create = h('button', { class: 'button primary wide', text: t('breakout.create.button'), attrs: { type: 'button', 'data-testid': 'breakout-create' } });
    create.addEventListener('click', () => {
      const n = Math.min(MAX_BREAKOUT_ROOMS, Math.max(1, Math.floor(Number(count.value)) || 1));
      const names = Array.from({ length: n }, (_, i) => t('breakout.room.default', { number: i + 1 }));
      this.#act(create, this.#breakout.create(names, { allowChoice: choice.checked, allowReturn: back.checked }));
    });
    return [
      h('label', { class: 'field', attrs: { for: 'breakout-count' } }, t('breakout.create.count'), count),
      h('label', { class: 'check', attrs: { for: 'breakout-allow-choice' } }, choice, t('breakout.create.allow-choice')),
      h('label', { class: 'check', attrs: { for: 'breakout-allow-return' } }, back, t('breakout.create.allow-return')),
      create,
    ];
  }

  #planView(): HTMLElement[] {
    const { phase, rooms, closesAt } = this.#breakout.plan.state;
    const members = this.#breakout.plan.members();
    const roomList = h(
      'ul',
      { class: 'breakout-rooms', attrs: { 'data-testid': 'breakout-rooms' } },
      ...rooms.map((name, index) => {
        const visit = phase === 'open'
          ? h('button', { class: 'button tiny secondary', text: t('breakout.visit', { room: name }), attrs: { type: 'button', 'data-testid': `breakout-visit-${index}` } })
          : null;
        visit?.addEventListener('click', () => this.#act(visit, this.#breakout.join(index)));
        return h('li', { attrs: { 'data-testid': `breakout-room-${index}` } },
          h('span', { text: name, attrs: typedTextAttrs }), ' · ', t('breakout.room.people', { count: members[index]?.length ?? 0 }), ' ', visit);
      }),
    );
    const people = [...this.#room.state.participants.values()].filter((p) => p.id !== this.#room.state.selfId);
    const assignments = h(
      'div',
      { class: 'breakout-assign' },
      ...people.map((p) => {
        const select = h(
          'select',
          { class: 'select', attrs: { 'aria-label': t('breakout.assign.label', { name: p.name }), 'data-testid': `breakout-assign-${p.id}`, disabled: phase === 'closing' } },
          h('option', { text: t('breakout.unassigned'), attrs: { value: '' } }),
          ...rooms.map((name, index) => h('option', { text: name, attrs: { value: index, selected: this.#breakout.plan.roomOf(p.id) === index, ...typedTextAttrs } })),
        );
        select.addEventListener('change', () => {
          const room = select.value === '' ? null : Number(select.value);
          this.#act(select, this.#breakout.assign([{ participantId: p.id, room }]));
        });
        return h('label', { class: 'field' }, h('span', { text: p.name, attrs: typedTextAttrs }), select);
      }),
    );
    const controls: HTMLElement[] = [];
    if (phase !== 'closing') {
      const random = h('button', { class: 'button secondary wide', text: t('breakout.assign.random'), attrs: { type: 'button', 'data-testid': 'breakout-random' } });
      random.addEventListener('click', () => this.#act(random, this.#breakout.assignRandom()));
      controls.push(random);
    }
    if (phase === 'draft') {
      const minutes = h('input', { class: 'input', attrs: { type: 'number', min: 1, max: 720, 'data-testid': 'breakout-minutes', id: 'breakout-minutes' } });
      const open = h('button', { class: 'button primary wide', text: t('breakout.open'), attrs: { type: 'button', 'data-testid': 'breakout-open' } });
      open.addEventListener('click', () => {
        const value = Math.floor(Number(minutes.value));
        this.#act(open, this.#breakout.open(value >= 1 ? Math.min(720, value) : null));
      });
      controls.push(h('label', { class: 'field', attrs: { for: 'breakout-minutes' } }, t('breakout.timer.label'), minutes), open);
    }
    if (phase === 'open') controls.push(...this.#broadcastForm(), this.#closeButton('breakout.close'));
    if (phase === 'draft') controls.push(this.#closeButton('breakout.discard'));
    if (phase === 'closing' && closesAt !== null) {
      controls.push(h('p', { class: 'pill warn', text: t('breakout.closing', { count: Math.max(0, Math.ceil((closesAt - Date.now()) / 1000)) }) }));
    }
    return [h('p', { class: 'muted', text: t(phase === 'draft' ? 'breakout.status.draft' : 'breakout.status.open') }), roomList, assignments, ...controls];
  }

  #broadcastForm(): HTMLElement[] {
    const text = h('input', { class: 'input', attrs: { type: 'text', maxlength: 300, 'data-testid': 'breakout-broadcast-text', id: 'breakout-broadcast-text', ...typedTextAttrs } });
    const send = h('button', { class: 'button secondary wide', text: t('breakout.broadcast.send'), attrs: { type: 'button', 'data-testid': 'breakout-broadcast-send' } });
    send.addEventListener('click', () => {
      const value = text.value.trim();
      if (!value) return;
      if (!isTypedTextAllowed(value)) return this.#onError(t('breakout.not-allowed'));
      this.#act(send, this.#breakout.broadcast(value).then(() => (text.value = '')));
    });
    return [h('label', { class: 'field', attrs: { for: 'breakout-broadcast-text' } }, t('breakout.broadcast.label'), text), send];
  }

  #closeButton(label: 'breakout.close' | 'breakout.discard'): HTMLElement {
    const close = h('button', { class: 'button danger wide', text: t(label), attrs: { type: 'button', 'data-testid': 'breakout-close' } });
    close.addEventListener('click', () => this.#act(close, this.#breakout.close(30)));
    return close;
  }

  #act(control: HTMLButtonElement | HTMLSelectElement, request: Promise<unknown>): void {
    control.disabled = true;
    request.then(
      () => (control.disabled = false),
      () => {
        control.disabled = false;
        this.#onError(t('breakout.failed'));
      },
    );
  }
}

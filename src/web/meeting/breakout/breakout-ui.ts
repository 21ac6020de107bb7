/**
 * Breakout rooms in the meeting screen: the top-bar button and its dialog (the host panel for hosts and
 * co-hosts; for participants their room, or a room chooser when choosing is allowed), the toasts (joining a
 * room, a host's message to all rooms, the closing countdown), and swapping the stage for the breakout room's
 * own (room-stage.ts) while we are in one. The Breakout controller lives with the Room (src/client/breakout/),
 * so a view built again (a change of language) picks up where it was.
 */
import type { Room } from '../../../client/index.ts';
import type { Breakout } from '../../../client/breakout/breakout.ts';
import { isolate } from '../../bidi.ts';
import { append, h } from '../../dom.ts';
import { icon } from '../../icons.ts';
import { t } from '../../i18n/index.ts';
import type { Toaster } from '../../toast.ts';
import { BreakoutHostPanel } from './host-panel.ts';
import { BreakoutRoomStage, breakoutClock } from './room-stage.ts';

export class BreakoutUi {
  /** The top-bar button: hosts always; others once there is a plan. */
  readonly button = h('button', { class: 'button tiny secondary', attrs: { type: 'button', 'data-testid': 'breakout-button', hidden: true } }, icon('people', 'icon small'), t('breakout.button'));
  /** The countdown or timer, in the top bar, for people in the main room too. */
  readonly clock = h('span', { class: 'pill', attrs: { role: 'timer', hidden: true, 'data-testid': 'breakout-clock' } });
  readonly #room: Room;
  readonly #breakout: Breakout;
  readonly #toaster: Toaster;
  readonly #mainStage: HTMLElement;
  #stage: BreakoutRoomStage | null = null;
  #dialog: { dialog: HTMLDialogElement; dispose(): void } | null = null;
  /** The phase last drawn: rooms opening is said once (a view built again starts from where the plan is). */
  #phase: string;
  readonly #off: (() => void)[];
  readonly #tick: ReturnType<typeof setInterval>;

  /** `mainStage`: the main meeting's grid, hidden while we are in a room; the room's stage goes after it. */
  constructor(room: Room, breakout: Breakout, toaster: Toaster, mainStage: HTMLElement) {
    this.#room = room;
    this.#breakout = breakout;
    this.#phase = breakout.plan.state.phase;
    this.#toaster = toaster;
    this.#mainStage = mainStage;
    this.button.addEventListener('click', () => this.#openDialog());
    const nameOf = (index: number) => isolate(breakout.plan.state.rooms[index] ?? '');
    const render = () => this.#render();
    this.#off = [
      breakout.plan.on('changed', render),
      room.state.on('reset', render),
      breakout.on('room', (inside, index) => this.#showRoom(inside, index)),
      breakout.on('broadcast', ({ from, text }) => {
        const name = room.state.participants.get(from)?.name ?? '';
        toaster.show(t('breakout.broadcast.received', { name: isolate(name), text: isolate(text) }), 10_000);
      }),
      breakout.on('notice', (notice) => {
        if (notice.kind === 'entering') toaster.show(t('breakout.toast.entering', { name: nameOf(notice.room) }));
        if (notice.kind === 'enter-failed') toaster.show(t('breakout.toast.enter-failed', { name: nameOf(notice.room) }));
        if (notice.kind === 'closing') toaster.show(t('breakout.closing', { count: Math.max(0, Math.round((notice.closesAt - Date.now()) / 1000)) }));
      }),
    ];
    this.#tick = setInterval(() => this.#renderClock(), 1000);
    if (breakout.room && breakout.roomIndex !== null && breakout.room.connection.name === 'joined') this.#showRoom(breakout.room, breakout.roomIndex);
    this.#render();
  }

  dispose(): void {
    clearInterval(this.#tick);
    for (const off of this.#off) off();
    this.#dialog?.dispose();
    this.#stage?.dispose();
    this.#mainStage.hidden = false;
  }

  #render(): void {
    const { phase, allowChoice, yourRoom } = this.#breakout.plan.state;
    this.button.hidden = !this.#room.state.isHost && phase === 'none';
    // Rooms just opened, and we may pick ours: offer the chooser (an assigned person is taken to their room).
    if (phase === 'open' && this.#phase !== 'open' && allowChoice && yourRoom === null && !this.#room.state.isHost) {
      this.#toaster.showWithActions([t('breakout.toast.choose')], [{ text: t('breakout.choose.heading'), testId: 'breakout-choose-open', primary: true, run: () => this.#openDialog() }], 'breakout-choose-toast');
    }
    this.#phase = phase;
    this.#renderClock();
  }

  #renderClock(): void {
    this.clock.textContent = breakoutClock(this.#breakout);
    this.clock.hidden = this.clock.textContent === '' || this.#stage !== null;
  }

  #showRoom(inside: Room | null, index: number | null): void {
    this.#stage?.dispose();
    this.#stage = null;
    if (inside === null || index === null) {
      this.#mainStage.hidden = false;
      if (this.#room.connection.name === 'joined') this.#toaster.show(t('breakout.toast.back'));
    } else {
      this.#stage = new BreakoutRoomStage(inside, index, this.#breakout, (text) => this.#toaster.show(text));
      this.#mainStage.hidden = true;
      this.#mainStage.after(this.#stage.element);
    }
    this.#renderClock();
  }

  #openDialog(): void {
    if (this.#dialog) return;
    const close = h('button', { class: 'button ghost wide', text: t('breakout.dialog.close'), attrs: { type: 'button', 'data-testid': 'breakout-dialog-close' } });
    const host = this.#room.state.isHost ? new BreakoutHostPanel(this.#room, this.#breakout, (text) => this.#toaster.show(text)) : null;
    const chooser = host ? null : this.#chooser();
    const dialog = h('dialog', { class: 'dialog breakout-dialog', attrs: { 'aria-labelledby': 'breakout-title', 'data-testid': 'breakout-dialog' } },
      h('h2', { text: t('breakout.dialog.title'), attrs: { id: 'breakout-title' } }), host?.element ?? chooser!.element, h('div', { class: 'dialog-stack' }, close));
    const dispose = () => {
      host?.dispose();
      chooser?.dispose();
      if (dialog.open) dialog.close();
      dialog.remove();
      this.#dialog = null;
    };
    dialog.addEventListener('close', dispose);
    close.addEventListener('click', dispose);
    this.#dialog = { dialog, dispose };
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  /** A participant's view: their room, and, when choosing is allowed and rooms are open, a button per room. */
  #chooser(): { element: HTMLElement; dispose(): void } {
    const element = h('div', { attrs: { 'data-testid': 'breakout-chooser' } });
    const render = () => {
      const { phase, rooms, allowChoice, yourRoom } = this.#breakout.plan.state;
      const mine = yourRoom === null ? null : h('p', { text: t('breakout.your-room', { name: isolate(rooms[yourRoom] ?? '') }) });
      const choose = phase === 'open' && (allowChoice || yourRoom !== null)
        ? rooms.map((name, index) => {
          if (!allowChoice && index !== yourRoom) return null;
          const join = h('button', { class: 'button secondary wide', text: t('breakout.join', { room: name }), attrs: { type: 'button', 'data-testid': `breakout-choose-${index}` } });
          join.addEventListener('click', () => {
            join.disabled = true;
            this.#breakout.join(index).catch(() => this.#toaster.show(t('breakout.failed'))).finally(() => (join.disabled = false));
          });
          return join;
        })
        : [];
      element.replaceChildren();
      append(
        element,
        h('p', { class: 'setting-help', text: t('breakout.encryption') }),
        h('p', { class: 'muted', text: t(phase === 'draft' ? 'breakout.status.draft' : 'breakout.status.open') }),
        mine,
        allowChoice && phase === 'open' ? h('h3', { text: t('breakout.choose.heading') }) : null,
        h('div', { class: 'dialog-stack' }, ...choose),
      );
    };
    const off = this.#breakout.plan.on('changed', render);
    render();
    return { element, dispose: off };
  }
}

/**
 * Raise hand in the meeting view: the toggle in the control bar, the ordered queue at the top of the people
 * list (hosts and co-hosts lower anyone's hand or all of them), a numbered hand on each raiser's tile and
 * row, a notification for hosts when someone raises a hand, and a word to the person whose hand a host lowered.
 * The queue itself is the SDK's (Room.signals, src/client/in-meeting-signals.ts): this file only shows it.
 */
import type { Room } from '../../client/index.ts';
import { isolate, typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import type { Toaster } from '../toast.ts';
import { onLanguageChange, t } from '../i18n/index.ts';

export class HandsUi {
  readonly button: HTMLButtonElement;
  /** Called when the queue changes: the people list draws again. */
  onChanged: (() => void) | null = null;
  readonly #room: Room;
  readonly #toaster: Toaster;
  readonly #offs: (() => void)[] = [];
  readonly #tiles: TileHands;
  #ownRaised = false;
  #ownRaisedBefore = false;

  constructor(room: Room, toaster: Toaster, openPeople: () => void, tilesRoot: HTMLElement) {
    this.#room = room;
    this.#toaster = toaster;
    this.button = h('button', { class: 'round-button', attrs: { type: 'button', 'data-testid': 'raise-hand' } }, icon('hand'));
    this.button.addEventListener('click', () => void this.toggle());
    this.#tiles = new TileHands(tilesRoot, (id) => room.signals.position(id));
    const signals = room.signals;
    this.#offs.push(
      signals.on('hands', () => {
        const self = room.state.selfId;
        this.#ownRaisedBefore = this.#ownRaised;
        this.#ownRaised = self !== null && signals.isRaised(self);
        this.#render();
        this.#tiles.apply();
        this.onChanged?.();
      }),
      signals.on('hand-raised', (id) => {
        const person = room.state.participants.get(id);
        if (!room.state.isHost || !person || id === room.state.selfId) return;
        toaster.showWithActions([t('hands.raised-by', { name: isolate(person.name) })], [{ text: t('hands.view'), testId: 'hand-raised-view', label: t('hands.view.label'), run: openPeople }], 'hand-raised-toast', 8000);
      }),
      signals.on('hand-lowered-by', ({ by, of }) => {
        const self = room.state.selfId;
        if (by !== self && (of === self || (of === null && this.#ownRaisedBefore))) toaster.show(t('hands.lowered-by-host'));
      }),
      onLanguageChange(() => this.#render()),
    );
    this.#render();
  }

  /** Raises or lowers our own hand (the button and the H key). Returns whether the hand is now up. */
  async toggle(): Promise<boolean> {
    const room = this.#room;
    const self = room.state.selfId;
    if (!self) return false;
    try {
      if (room.signals.isRaised(self)) await room.lowerHand();
      else await room.raiseHand();
    } catch {
      this.#toaster.show(t('hands.refused'));
    }
    return room.signals.isRaised(self);
  }

  /** The queue for the people list: everyone sees it; hosts and co-hosts get the buttons. */
  section(): HTMLElement | null {
    const room = this.#room;
    const hands = room.signals.hands;
    if (hands.length === 0) return null;
    const s = room.state;
    const rows = hands.map((hand, index) => {
      const person = s.participants.get(hand.participantId);
      const name = person?.name ?? '';
      const isSelf = hand.participantId === s.selfId;
      const lower =
        isSelf || s.isHost
          ? this.#action(t('hands.lower'), `lower-hand-${hand.participantId}`, isSelf ? t('hands.lower') : t('hands.lower.label', { name }), () => (isSelf ? room.lowerHand() : room.lowerHandsOf(hand.participantId)))
          : null;
      return h(
        'li',
        { class: 'person raised-hand', attrs: { 'data-testid': 'raised-hand-entry', 'data-participant-id': hand.participantId } },
        h('span', { class: 'hand-number', text: String(index + 1), attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'person-name', text: name, attrs: typedTextAttrs }),
        lower ? h('span', { class: 'person-actions' }, lower) : null,
      );
    });
    return h(
      'section',
      { class: 'hands-section', attrs: { 'aria-label': t('hands.heading', { count: hands.length }), 'data-testid': 'raised-hands' } },
      h('div', { class: 'panel-section-head' }, h('h3', { text: t('hands.heading', { count: hands.length }) }), s.isHost ? this.#action(t('hands.lower-all'), 'lower-all-hands', t('hands.lower-all'), () => room.lowerHandsOf(null)) : null),
      h('ol', { class: 'people-list' }, ...rows),
    );
  }

  /** A numbered hand beside a raiser's name in the people list; null when the hand is down. */
  indicator(participantId: string): HTMLElement | null {
    const position = this.#room.signals.position(participantId);
    if (position === 0) return null;
    return h('span', { class: 'person-hand', attrs: { role: 'img', 'aria-label': t('hands.position', { position }), 'data-testid': 'hand-indicator' } }, icon('hand', 'icon small'), String(position));
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#tiles.dispose();
  }

  #render(): void {
    const raised = this.#ownRaised;
    const label = raised ? t('hands.lower') : t('hands.raise');
    this.button.setAttribute('aria-label', label);
    this.button.title = label;
    this.button.setAttribute('aria-pressed', String(raised));
    this.button.classList.toggle('active', raised);
  }

  #action(text: string, testId: string, label: string, run: () => Promise<unknown>): HTMLButtonElement {
    const button = h('button', { class: 'button tiny ghost', text, attrs: { type: 'button', 'data-testid': testId, 'aria-label': label } });
    button.addEventListener('click', () => {
      button.disabled = true;
      run()
        .catch(() => this.#toaster.show(t('hands.refused')))
        .finally(() => (button.disabled = false));
    });
    return button;
  }
}

/**
 * The numbered hand on each raiser's camera tile. Tiles are made and re-pointed by the layout, so the tiles
 * under `root` are watched and the hand is put on (or taken off) whichever tile shows a raiser now. Applying
 * is idempotent, so the observer's own changes settle at once.
 */
class TileHands {
  readonly #observer: MutationObserver;

  constructor(
    readonly root: HTMLElement,
    readonly position: (participantId: string) => number,
  ) {
    this.#observer = new MutationObserver(() => this.apply());
    this.#observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-participant-id'] });
  }

  apply(): void {
    for (const tile of this.root.querySelectorAll<HTMLElement>('[data-testid="tile"]')) {
      const id = tile.dataset.participantId;
      const position = id ? this.position(id) : 0;
      let badge = tile.querySelector<HTMLElement>(':scope > .tile-hand');
      if (position === 0) {
        badge?.remove();
        continue;
      }
      if (badge?.dataset.position === String(position)) continue;
      badge?.remove();
      badge = h('span', { class: 'tile-hand', attrs: { role: 'img', 'aria-label': t('hands.position', { position }), 'data-testid': 'tile-hand', 'data-position': position } }, icon('hand', 'icon small'), String(position));
      tile.appendChild(badge);
    }
  }

  dispose(): void {
    this.#observer.disconnect();
  }
}

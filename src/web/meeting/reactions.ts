/**
 * Reactions: a button that opens the fixed set of emoji, and each reaction shown for a few seconds over the
 * sender's tile (or, when their tile is not on this page, in a small feed over the stage), and said in a
 * polite live region. Sending is limited per sender (Room.react), and so is showing: every receiver applies
 * the same bucket to each sender (src/client/in-meeting-signals.ts), and at most a few bubbles stay on screen.
 */
import { REACTIONS, type Reaction, type Room } from '../../client/index.ts';
import { isolate } from '../bidi.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import type { Toaster } from '../toast.ts';
import { placePopover } from './layout/popover.ts';
import { onLanguageChange, t } from '../i18n/index.ts';

/** How long a reaction stays on screen. */
export const REACTION_SHOWN_MS = 4_000;
const MAX_BUBBLES_PER_TILE = 3;
const MAX_FEED = 6;

export class ReactionsUi {
  readonly button: HTMLButtonElement;
  readonly feed = h('div', { class: 'reaction-feed', attrs: { 'data-testid': 'reaction-feed' } });
  readonly #announcer = h('div', { class: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'reaction-announcer' } });
  /** Goes over the stage: the feed of reactions whose sender has no tile on this page, and the live region. */
  readonly overlay = h('div', { class: 'reaction-layer' }, this.feed, this.#announcer);
  readonly #picker: HTMLElement;
  readonly #room: Room;
  readonly #stage: HTMLElement;
  readonly #offs: (() => void)[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  /** `stage`: where the tiles are (a reaction goes over its sender's tile). */
  constructor(room: Room, toaster: Toaster, stage: HTMLElement) {
    this.#room = room;
    this.#stage = stage;
    this.button = h('button', { class: 'round-button', attrs: { type: 'button', 'aria-haspopup': 'true', 'aria-expanded': 'false', 'data-testid': 'reactions-button' } }, icon('smile'));
    const choices = REACTIONS.map((emoji, index) => {
      const choice = h('button', { class: 'reaction-choice', text: emoji, attrs: { type: 'button', 'data-testid': `reaction-${index}` } });
      choice.addEventListener('click', () => void this.send(emoji, toaster));
      return choice;
    });
    this.#picker = h('div', { class: 'reaction-picker', attrs: { role: 'group', hidden: true, 'data-testid': 'reaction-picker' } }, ...choices);
    const writeLabels = () => {
      this.button.setAttribute('aria-label', t('reactions.button'));
      this.button.title = t('reactions.button');
      this.#picker.setAttribute('aria-label', t('reactions.button'));
      choices.forEach((choice, index) => choice.setAttribute('aria-label', t('reactions.choice', { emoji: REACTIONS[index]! })));
    };
    writeLabels();
    this.#offs.push(onLanguageChange(writeLabels));
    document.body.append(this.#picker);
    this.button.addEventListener('click', () => this.#setPicker(Boolean(this.#picker.hidden)));
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !this.#picker.hidden) {
        event.stopPropagation();
        this.#setPicker(false);
        this.button.focus();
      }
    };
    const onClick = (event: MouseEvent) => {
      const target = event.target as Node;
      if (!this.#picker.hidden && !this.#picker.contains(target) && !this.button.contains(target)) this.#setPicker(false);
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('click', onClick);
    this.#offs.push(
      () => document.removeEventListener('keydown', onKey, true),
      () => document.removeEventListener('click', onClick),
      room.signals.on('reaction', ({ from, emoji }) => this.show(from, emoji)),
    );
  }

  async send(emoji: Reaction, toaster: Toaster): Promise<void> {
    try {
      if (!(await this.#room.react(emoji))) {
        toaster.show(t('reactions.too-fast'));
        return;
      }
      const self = this.#room.state.selfId;
      if (self) this.show(self, emoji);
    } catch {
      toaster.show(t('reactions.refused'));
    }
  }

  /** Shows `emoji` over `from`'s tile for a few seconds (in the feed if their tile is not on this page). */
  show(from: string, emoji: Reaction): void {
    const name = this.#room.state.participants.get(from)?.name ?? '';
    const tile = this.#stage.querySelector<HTMLElement>(`[data-testid="tile"][data-participant-id="${CSS.escape(from)}"]`);
    let bubble: HTMLElement;
    if (tile) {
      const shown = tile.querySelectorAll('.reaction-bubble');
      if (shown.length >= MAX_BUBBLES_PER_TILE) shown[0]?.remove();
      bubble = h('span', { class: 'reaction-bubble', text: emoji, attrs: { 'aria-hidden': 'true', 'data-testid': 'reaction-bubble', 'data-emoji': emoji } });
      tile.appendChild(bubble);
    } else {
      if (this.feed.children.length >= MAX_FEED) this.feed.firstElementChild?.remove();
      bubble = h('div', { class: 'reaction-feed-item', attrs: { 'aria-hidden': 'true', 'data-testid': 'reaction-bubble', 'data-emoji': emoji, 'data-participant-id': from } }, h('bdi', { text: name }), ` ${emoji}`);
      this.feed.appendChild(bubble);
    }
    this.#announcer.textContent = t('reactions.from', { name: isolate(name), emoji });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      bubble.remove();
    }, REACTION_SHOWN_MS);
    this.#timers.add(timer);
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#picker.remove();
  }

  #setPicker(open: boolean): void {
    this.#picker.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) {
      placePopover(this.button, this.#picker);
      this.#picker.querySelector<HTMLElement>('button')?.focus();
    }
  }
}

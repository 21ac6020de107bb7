/**
 * Tells hosts and co-hosts when someone starts waiting to join, with what they most likely want to do next:
 * one new person gets a notification with their name, an "Admit" button (the same `Room.admit` as the panel,
 * so the same MLS commit gives them the keys) and "View all"; several at once get a count and "View all".
 * The notification goes away by itself once that person is no longer waiting (admitted, denied, gone).
 */
import type { Room } from '../../client/index.ts';
import type { WaitingEntry } from '../../protocol/index.ts';
import { bdi } from '../bidi.ts';
import { t, tNodes } from '../i18n/index.ts';
import type { Toaster } from '../toast.ts';

export class WaitingNotifier {
  /** Everyone who was waiting at the last change: only people not in it are news. */
  #known = new Set<string>();
  /** Open notifications by the participant they offer to admit. */
  #open = new Map<string, () => void>();
  readonly #off: () => void;

  constructor(
    readonly room: Room,
    readonly toaster: Toaster,
    /** Opens the People panel with the waiting room. */
    readonly viewAll: () => void,
  ) {
    this.#off = room.state.on('waiting-room', (entries) => this.#update(entries));
    this.#update(room.state.waiting);
  }

  dispose(): void {
    this.#off();
    for (const dismiss of this.#open.values()) dismiss();
    this.#open.clear();
  }

  #update(entries: readonly WaitingEntry[]): void {
    const now = new Set(entries.map((e) => e.participantId));
    for (const [id, dismiss] of this.#open) {
      if (now.has(id)) continue;
      dismiss();
      this.#open.delete(id);
    }
    const arrived = this.room.state.isHost ? entries.filter((e) => !this.#known.has(e.participantId)) : [];
    this.#known = now;
    if (arrived.length === 1) this.#announceOne(arrived[0]!);
    else if (arrived.length > 1) this.#announceMany(entries.length);
  }

  #announceOne(entry: WaitingEntry): void {
    const id = entry.participantId;
    const dismiss = this.toaster.showWithActions(
      tNodes('waiting-toast.one', { name: bdi(entry.name, 'toast-name') }),
      [
        {
          text: t('waiting-toast.admit'),
          testId: 'toast-admit',
          label: t('waiting-toast.admit.label', { name: entry.name }),
          primary: true,
          // A failure is told by the room's `admit-failed` notice (app.ts), as for the panel's button.
          run: () => void this.room.admit([id]).catch(() => undefined),
        },
        { text: t('waiting-toast.view-all'), testId: 'toast-view-waiting', run: this.viewAll },
      ],
      'waiting-toast',
    );
    this.#open.set(id, () => {
      dismiss();
      this.#open.delete(id);
    });
  }

  #announceMany(count: number): void {
    this.toaster.showWithActions([t('waiting-toast.many', { count })], [{ text: t('waiting-toast.view-all'), testId: 'toast-view-waiting', run: this.viewAll }], 'waiting-toast');
  }
}

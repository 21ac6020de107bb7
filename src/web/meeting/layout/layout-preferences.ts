/**
 * What this person chose about the layout: speaker or grid view (remembered for the
 * browser tab's session), whom they pinned (for this meeting only) and which grid page
 * they are on. The host's spotlight is not here: it is a meeting setting everyone gets.
 */
import { Emitter } from '../../../events/emitter.ts';

export type LayoutMode = 'speaker' | 'grid';

/** The most tiles a grid page holds (fewer when the window cannot fit them at a useful size). */
export const MAX_TILES_PER_PAGE = 25;

const MODE_KEY = 'sabha.layout';
/**
 * A smaller page for tests and for people who want bigger tiles: `localStorage['sabha.tilesPerPage']`.
 * Not a secret, and it changes nothing but this browser's own layout.
 */
const PAGE_SIZE_KEY = 'sabha.tilesPerPage';

export interface LayoutPreferencesEvents {
  changed: [];
}

export class LayoutPreferences extends Emitter<LayoutPreferencesEvents> {
  #mode: LayoutMode = readMode();
  #pinned: string | null = null;
  #page = 0;
  readonly maxTilesPerPage = readPageSize();

  get mode(): LayoutMode {
    return this.#mode;
  }

  get pinned(): string | null {
    return this.#pinned;
  }

  /** Zero-based; the grid view clamps it to the pages there are. */
  get page(): number {
    return this.#page;
  }

  setMode(mode: LayoutMode): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    try {
      sessionStorage.setItem(MODE_KEY, mode);
    } catch {
      // Storage may be off; the choice then lasts as long as the page.
    }
    this.emit('changed');
  }

  /** Pins one participant's video large for this person only; null unpins. */
  setPinned(participantId: string | null): void {
    if (participantId === this.#pinned) return;
    this.#pinned = participantId;
    this.emit('changed');
  }

  setPage(page: number): void {
    const next = Math.max(0, Math.floor(page));
    if (next === this.#page) return;
    this.#page = next;
    this.emit('changed');
  }
}

function readMode(): LayoutMode {
  try {
    return sessionStorage.getItem(MODE_KEY) === 'speaker' ? 'speaker' : 'grid';
  } catch {
    return 'grid';
  }
}

function readPageSize(): number {
  try {
    const n = Number(localStorage.getItem(PAGE_SIZE_KEY));
    return Number.isInteger(n) && n >= 1 && n <= MAX_TILES_PER_PAGE ? n : MAX_TILES_PER_PAGE;
  } catch {
    return MAX_TILES_PER_PAGE;
  }
}

/**
 * Grid view: pages of equal 16:9 tiles (up to 25 a page, fewer when the window cannot
 * fit them at a useful size) and, when there is more than one page, "Page 2 of 4"
 * with previous and next buttons. Every tile on a page is a real tile: no "+N more".
 */
import { h } from '../../dom.ts';
import { t } from '../../i18n/index.ts';
import { icon } from '../../icons.ts';
import { bestGrid, paginate, tilesThatFit, type Paging } from './geometry.ts';
import type { Tile } from './tile.ts';

/** Height the page controls take below the tiles (button plus gap), reserved when there are pages. */
const PAGE_CONTROLS_PX = 52;

export class GridView {
  readonly element: HTMLElement;
  readonly #tiles = h('div', { class: 'tiles' });
  readonly #controls: HTMLElement;
  readonly #prev: HTMLButtonElement;
  readonly #next: HTMLButtonElement;
  readonly #indicator: HTMLElement;
  #tileWidth = 0;

  constructor(onPage: (delta: number) => void) {
    this.#prev = h('button', { class: 'page-button', attrs: { type: 'button', 'data-testid': 'page-prev', 'aria-label': t('layout.previous-page'), title: t('layout.previous-page') } }, icon('chevron-left'));
    this.#next = h('button', { class: 'page-button', attrs: { type: 'button', 'data-testid': 'page-next', 'aria-label': t('layout.next-page'), title: t('layout.next-page') } }, icon('chevron-right'));
    this.#indicator = h('span', { class: 'page-indicator', attrs: { 'data-testid': 'page-indicator', 'aria-live': 'polite' } });
    this.#prev.addEventListener('click', () => onPage(-1));
    this.#next.addEventListener('click', () => onPage(1));
    this.#controls = h('nav', { class: 'page-controls', attrs: { 'aria-label': t('layout.pages'), 'data-testid': 'page-controls', hidden: true } }, this.#prev, this.#indicator, this.#next);
    this.element = h('div', { class: 'grid-view' }, this.#tiles, this.#controls);
  }

  /** The paging for `total` tiles in this view's current size, at most `maxPerPage` a page. */
  paging(total: number, maxPerPage: number, requestedPage: number): Paging {
    const { width, height } = this.#area();
    // Not laid out yet (the view is being built): full pages; the first resize lays them out for real.
    if (width === 0 || height === 0) return paginate(total, maxPerPage, requestedPage);
    const fitAll = tilesThatFit(width, height, maxPerPage);
    const perPage = total <= fitAll ? fitAll : tilesThatFit(width, height - PAGE_CONTROLS_PX, maxPerPage);
    return paginate(total, perPage, requestedPage);
  }

  /** Shows these tiles (one page) and the page controls. */
  render(tiles: readonly Tile[], paging: Paging): void {
    for (const tile of tiles) tile.setPlace('grid');
    syncChildren(this.#tiles, tiles.map((t) => t.element));
    const paged = paging.pageCount > 1;
    this.#controls.hidden = !paged;
    this.element.classList.toggle('paged', paged);
    this.#indicator.textContent = t('layout.page-of', { page: paging.page + 1, pages: paging.pageCount });
    this.#prev.disabled = paging.page === 0;
    this.#next.disabled = paging.page >= paging.pageCount - 1;
    this.layout(tiles.length);
  }

  /** Sizes the tiles to the area (on render and on every resize). */
  layout(count: number): void {
    const { width, height } = this.#area();
    const fit = bestGrid(count, width, height - (this.#controls.hidden ? 0 : PAGE_CONTROLS_PX));
    this.#tileWidth = fit.width;
    this.#tiles.style.setProperty('--cols', String(fit.cols));
    this.#tiles.style.setProperty('--tile-w', `${fit.width}px`);
    this.#tiles.style.setProperty('--tile-h', `${fit.height}px`);
  }

  /** The width each tile is drawn at, in CSS pixels. */
  get tileWidth(): number {
    return this.#tileWidth;
  }

  #area(): { width: number; height: number } {
    // The view's own box: it is sized by its container (min-width: 0), never by the tiles in it.
    return { width: this.element.clientWidth, height: this.element.clientHeight };
  }
}

/** Puts exactly these elements in this order into the parent, moving as few as possible. */
export function syncChildren(parent: HTMLElement, elements: readonly HTMLElement[]): void {
  const wanted = new Set<Node>(elements);
  for (const child of [...parent.children]) if (!wanted.has(child)) child.remove();
  elements.forEach((el, i) => {
    if (parent.children[i] !== el) parent.insertBefore(el, parent.children[i] ?? null);
  });
}

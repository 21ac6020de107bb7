/**
 * Speaker view: one tile large on the stage (the active speaker, a pinned or
 * spotlighted person, or a screen share) and everyone else in a scrollable filmstrip
 * beside it (below it on narrow screens). Only the thumbnails scrolled into view count
 * as visible, so only their videos are asked for.
 */
import { h } from '../../dom.ts';
import { t } from '../../i18n/index.ts';
import { bestGrid } from './geometry.ts';
import { syncChildren } from './grid-view.ts';
import type { Tile } from './tile.ts';

export class SpeakerView {
  readonly element: HTMLElement;
  readonly #stage = h('div', { class: 'stage-main' });
  readonly #strip: HTMLElement;
  readonly #inView = new Set<Element>();
  readonly #observer: IntersectionObserver;
  #stageWidth = 0;

  constructor(onVisibilityChanged: () => void) {
    this.#strip = h('div', { class: 'filmstrip', attrs: { 'data-testid': 'filmstrip', role: 'region', 'aria-label': t('layout.filmstrip'), tabindex: 0 } });
    this.element = h('div', { class: 'speaker-view' }, this.#stage, this.#strip);
    this.#observer = new IntersectionObserver(
      (records) => {
        let changed = false;
        for (const r of records) {
          const had = this.#inView.has(r.target);
          if (r.isIntersecting && !had) this.#inView.add(r.target);
          else if (!r.isIntersecting && had) this.#inView.delete(r.target);
          else continue;
          changed = true;
        }
        if (changed) onVisibilityChanged();
      },
      { root: this.#strip, threshold: 0.01 },
    );
  }

  render(featured: Tile, others: readonly Tile[]): void {
    featured.setPlace('stage');
    for (const tile of others) tile.setPlace('strip');
    syncChildren(this.#stage, [featured.element]);
    const before = new Set(this.#strip.children);
    syncChildren(this.#strip, others.map((t) => t.element));
    for (const el of before) {
      if (el.parentElement !== this.#strip) {
        this.#observer.unobserve(el);
        this.#inView.delete(el);
      }
    }
    // The observer answers a frame later; until then judge new thumbnails by their box, so a tile that moves
    // into the strip in view is not dropped from what is received for that frame and asked for again after.
    const strip = this.#strip.getBoundingClientRect();
    for (const t of others) {
      if (before.has(t.element)) continue;
      this.#observer.observe(t.element);
      const r = t.element.getBoundingClientRect();
      if (r.bottom > strip.top && r.top < strip.bottom && r.right > strip.left && r.left < strip.right) this.#inView.add(t.element);
    }
    this.element.classList.toggle('no-strip', others.length === 0);
    this.layout();
  }

  /** Sizes the large tile to the largest 16:9 box of the stage. */
  layout(): void {
    const fit = bestGrid(1, this.#stage.clientWidth, this.#stage.clientHeight, 0);
    this.#stageWidth = fit.width;
    this.#stage.style.setProperty('--stage-w', `${fit.width}px`);
    this.#stage.style.setProperty('--stage-h', `${fit.height}px`);
  }

  get stageWidth(): number {
    return this.#stageWidth;
  }

  /** Whether a filmstrip thumbnail is scrolled into view (the observer's last word). */
  isInView(tile: Tile): boolean {
    return this.#inView.has(tile.element);
  }

  /** Stops observing everything (the view is being left or the meeting closed). */
  clear(): void {
    this.#observer.disconnect();
    this.#inView.clear();
    this.#stage.replaceChildren();
    this.#strip.replaceChildren();
  }
}

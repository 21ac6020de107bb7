/**
 * The "more options" button on a tile and its small menu (pin, spotlight). The items
 * are asked for each time it opens, so they always match the current pin, spotlight
 * and role. A disclosure of plain buttons: Tab reaches each, Escape closes.
 */
import { isolate } from '../../bidi.ts';
import { h } from '../../dom.ts';
import { t } from '../../i18n/index.ts';
import { icon } from '../../icons.ts';
import { placePopover } from './popover.ts';

export interface MenuItem {
  text: string;
  testId: string;
  run(): void;
}

export class TileMenu {
  readonly element: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #list: HTMLElement;
  readonly #onOutside = (event: Event) => {
    if (!this.element.contains(event.target as Node)) this.close();
  };

  constructor(readonly items: () => MenuItem[]) {
    this.#button = h('button', { class: 'tile-menu-button', attrs: { type: 'button', 'data-testid': 'tile-menu', 'aria-expanded': 'false' } }, icon('more', 'icon small'));
    this.#list = h('div', { class: 'tile-menu-list', attrs: { hidden: true } });
    this.element = h('div', { class: 'tile-menu' }, this.#button, this.#list);
    this.#button.addEventListener('click', () => (this.#list.hidden ? this.#open() : this.close()));
    this.element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || this.#list.hidden) return;
      event.stopPropagation();
      this.close();
      this.#button.focus();
    });
  }

  setName(name: string): void {
    const label = t('tile.more-options', { name });
    if (this.#button.getAttribute('aria-label') === label) return;
    this.#button.setAttribute('aria-label', label);
    this.#button.title = t('tile.more-options', { name: isolate(name) });
    this.#list.setAttribute('aria-label', label);
  }

  close(): void {
    if (this.#list.hidden) return;
    this.#list.hidden = true;
    // Items are rebuilt on each opening; stale ones must not linger, even hidden.
    this.#list.replaceChildren();
    this.#button.setAttribute('aria-expanded', 'false');
    this.element.classList.remove('open');
    document.removeEventListener('pointerdown', this.#onOutside, true);
  }

  dispose(): void {
    this.close();
  }

  #open(): void {
    const items = this.items();
    if (items.length === 0) return;
    this.#list.replaceChildren(
      ...items.map((item) => {
        const b = h('button', { class: 'tile-menu-item', text: item.text, attrs: { type: 'button', 'data-testid': item.testId } });
        b.addEventListener('click', () => {
          this.close();
          item.run();
        });
        return b;
      }),
    );
    this.#list.hidden = false;
    placePopover(this.#button, this.#list);
    this.#button.setAttribute('aria-expanded', 'true');
    this.element.classList.add('open');
    document.addEventListener('pointerdown', this.#onOutside, true);
    this.#list.querySelector<HTMLButtonElement>('button')?.focus();
  }
}

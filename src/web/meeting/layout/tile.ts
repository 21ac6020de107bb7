/**
 * One tile: a participant's camera or screen share, with their name, microphone state,
 * the E2EE warning when this device cannot decrypt their media, the connection
 * indicator (others only) and the options menu. A tile is moved between the grid,
 * the stage and the filmstrip as the layout changes, keeping its <video> element.
 */
import type { MeetingEncryption } from '../../../client/index.ts';
import { h } from '../../dom.ts';
import { bdi } from '../../bidi.ts';
import { icon } from '../../icons.ts';
import { t, tNodes } from '../../i18n/index.ts';
import { QualityIndicator } from './connection-quality.ts';
import type { TileEntry, TileSource } from './entries.ts';
import { TileMenu, type MenuItem } from './tile-menu.ts';

/** What a tile shows about the layout around it. */
export interface TileContext {
  activeSpeaker: string | null;
  pinned: string | null;
  spotlight: string | null;
  encryption: MeetingEncryption | null;
}

export class Tile {
  readonly element: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly quality: QualityIndicator;
  readonly #avatar: HTMLElement;
  readonly #name: HTMLElement;
  readonly #mic: HTMLElement;
  readonly #badges: HTMLElement;
  /** Over a remote tile whose media this device cannot decrypt (lately failing, or no key yet). */
  readonly #warning: HTMLElement;
  readonly #menu: TileMenu;
  #entry: TileEntry | null = null;

  constructor(
    readonly key: string,
    readonly source: TileSource,
    menuItems: (entry: TileEntry) => MenuItem[],
  ) {
    this.video = h('video', { class: 'tile-video', attrs: { autoplay: true, playsinline: true, muted: true } });
    this.video.muted = true;
    this.#avatar = h('div', { class: 'avatar', attrs: { 'aria-hidden': 'true' } });
    this.#mic = h('span', { class: 'tile-mic' });
    this.#name = h('span', { class: 'tile-name' });
    this.#badges = h('span', { class: 'tile-badges' });
    this.#warning = h('div', { class: 'decrypt-warning', attrs: { 'data-testid': 'decrypt-warning', role: 'status', hidden: true } });
    this.quality = new QualityIndicator();
    this.#menu = new TileMenu(() => (this.#entry ? menuItems(this.#entry) : []));
    const label = h('div', { class: 'tile-label' }, this.#mic, this.#badges, this.#name);
    const corner = h('div', { class: 'tile-corner' }, this.quality.element, this.#menu.element);
    this.element = h(
      'div',
      { class: `tile ${source}-tile`, attrs: { 'data-testid': source === 'screen' ? 'screen-tile' : 'tile', 'data-source': source, role: 'group' } },
      this.video,
      this.#avatar,
      this.#warning,
      label,
      corner,
    );
  }

  get entry(): TileEntry | null {
    return this.#entry;
  }

  update(entry: TileEntry, context: TileContext): void {
    this.#entry = entry;
    const p = entry.participant;
    const el = this.element;
    el.dataset.participantId = p.id;
    // The sentence with a mark where the name goes: the language decides where that is.
    const who = entry.isSelf ? t('tile.you', { name: NAME_MARK }) : NAME_MARK;
    const sentence = entry.source === 'screen' ? t('tile.presenting', { name: who }) : who;
    const label = sentence.replace(NAME_MARK, p.name);
    // The name isolated in a <bdi>, so that an RTL name cannot carry "(you)" or "is presenting" along; same text.
    if (this.#name.textContent !== label) {
      const [before = '', after = ''] = sentence.split(NAME_MARK);
      this.#name.replaceChildren(before, bdi(p.name), after);
    }
    const pinned = context.pinned === p.id;
    const spotlit = context.spotlight === p.id;
    const muted = entry.source === 'camera' && !p.audio;
    const states = [muted ? t('tile.state.muted') : '', pinned ? t('tile.state.pinned') : '', spotlit ? t('tile.state.spotlighted') : ''].filter(Boolean);
    el.setAttribute('aria-label', [label, ...states].join(', '));
    this.#menu.setName(p.name);
    this.quality.setName(p.name);

    const show = entry.track !== null && (entry.isSelf || entry.source === 'screen' || entry.sending);
    const current = this.video.srcObject instanceof MediaStream ? this.video.srcObject.getTracks()[0] : undefined;
    if (entry.track && current !== entry.track) {
      this.video.srcObject = new MediaStream([entry.track]);
      void this.video.play().catch(() => {});
    } else if (!entry.track && current) this.video.srcObject = null;
    this.video.hidden = !show;
    this.video.classList.toggle('mirrored', entry.isSelf && entry.source === 'camera');
    this.#avatar.hidden = show;
    const initialsText = initials(p.name);
    if (this.#avatar.textContent !== initialsText) this.#avatar.textContent = initialsText;
    el.classList.toggle('self', entry.isSelf);
    el.classList.toggle('reconnecting', p.reconnecting);
    el.classList.toggle('speaking', entry.source === 'camera' && context.activeSpeaker === p.id);
    el.classList.toggle('pinned', pinned);
    el.dataset.muted = String(muted);
    el.dataset.video = show ? 'on' : 'off';
    this.#mic.replaceChildren(...(muted ? [icon('mic-off', 'icon small')] : []));
    this.#mic.hidden = !muted;
    this.#badges.replaceChildren(
      ...(pinned ? [h('span', { class: 'tile-badge', attrs: { title: t('tile.pinned-for-you') } }, icon('pin', 'icon small'))] : []),
      ...(spotlit ? [h('span', { class: 'tile-badge spotlight', text: t('tile.spotlight') })] : []),
    );
    this.#badges.hidden = !pinned && !spotlit;
    if (entry.isSelf || !entry.remote || !entry.sending) this.quality.clear();
    this.#updateWarning(entry, context.encryption);
  }

  /** Where this tile currently sits, for the CSS: the large stage, a filmstrip thumbnail, or the grid. */
  setPlace(place: 'stage' | 'strip' | 'grid'): void {
    this.element.dataset.place = place;
    this.element.toggleAttribute('data-featured', place === 'stage');
  }

  dispose(): void {
    this.video.srcObject = null;
    this.quality.dispose();
    this.#menu.dispose();
    this.element.remove();
  }

  #updateWarning(entry: TileEntry, encryption: MeetingEncryption | null): void {
    const p = entry.participant;
    const failing = !entry.isSelf && encryption !== null && encryption.cannotDecrypt(p.id);
    this.#warning.hidden = !failing;
    this.element.classList.toggle('undecryptable', failing);
    if (!failing) {
      if (this.#warning.firstChild) this.#warning.replaceChildren();
      return;
    }
    const securing = encryption.state !== 'ready';
    const text = t('tile.cannot-decrypt', { name: p.name });
    if (this.#warning.textContent === text + (securing ? t('e2ee.securing') : '')) return;
    this.#warning.replaceChildren(
      icon('lock', 'icon'),
      h('span', { class: 'decrypt-warning-text' }, ...tNodes('tile.cannot-decrypt', { name: bdi(p.name) })),
      securing ? h('span', { class: 'decrypt-warning-sub', text: t('e2ee.securing') }) : '',
    );
    this.#warning.dataset.reason = securing ? 'no-key' : 'failing';
  }
}

/** Stands for the name in a sentence until the name goes in as its own element (a character no name has: the typed-text rule refuses controls). */
const NAME_MARK = '\u0000';

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]!, parts[parts.length - 1]!] : parts.slice(0, 1);
  return letters.map((w) => [...w][0]!.toUpperCase()).join('');
}

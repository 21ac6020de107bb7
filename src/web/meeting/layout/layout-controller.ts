/**
 * Decides what the meeting area shows and, from that, what this browser receives.
 *
 * Inputs: the room's snapshots (participants, settings with the host's spotlight,
 * received tracks, local media), the active speaker, this person's choices (view,
 * pin, page) and the area's size. Output: one view on screen (grid with pages, or
 * speaker view with a filmstrip), and `room.setVisibleVideos` with exactly the remote
 * videos drawn, each at the quality its tile's width needs. The client subscribes to
 * nothing else, so what is off screen costs no downlink and no decoding.
 *
 * What goes large, first match wins: one's own pin, the host's spotlight, a screen
 * share, and in speaker view the active speaker (the last one stays when nobody
 * talks). With none of these in grid view, the grid shows.
 */
import type { Room, VisibleVideo } from '../../../client/index.ts';
import { MAX_VIDEO_SLOTS, type MediaSource } from '../../../protocol/index.ts';
import { h } from '../../dom.ts';
import { t } from '../../i18n/index.ts';
import { isolate } from '../../bidi.ts';
import { AudioSinks } from './audio-sinks.ts';
import { ConnectionQualityMonitor, type MonitoredTile } from './connection-quality.ts';
import { buildEntries, type TileEntry } from './entries.ts';
import { GridView } from './grid-view.ts';
import { LayoutPreferences, type LayoutMode } from './layout-preferences.ts';
import { SpeakerView } from './speaker-view.ts';
import { Tile, type TileContext } from './tile.ts';
import type { MenuItem } from './tile-menu.ts';
import { qualityForWidth, type VideoQuality } from './video-quality.ts';

/** Why a tile is large: for tests and for the label people hear. */
export type FeaturedReason = 'pin' | 'spotlight' | 'screen' | 'speaker';

export class LayoutController {
  readonly element: HTMLElement;
  readonly preferences = new LayoutPreferences();
  /** Tells the person when a host action from a tile menu failed (set by the meeting view). */
  onError: ((text: string) => void) | null = null;
  readonly #grid: GridView;
  readonly #speaker: SpeakerView;
  readonly #audio = new AudioSinks();
  readonly #tiles = new Map<string, Tile>();
  readonly #quality: ConnectionQualityMonitor;
  readonly #resize: ResizeObserver;
  readonly #offs: (() => void)[] = [];
  #view: 'grid' | 'speaker' | null = null;
  /** The last remote participant heard: stays large while nobody talks. */
  #lastSpeaker: string | null = null;
  #activeSpeaker: string | null = null;
  #scheduled = false;
  #lastSent = '';
  /** What is on screen now, in the order it was laid out (featured first). */
  #shown: { tile: Tile; place: 'stage' | 'strip' | 'grid' }[] = [];

  constructor(readonly room: Room) {
    this.#grid = new GridView((delta) => this.preferences.setPage(this.preferences.page + delta));
    this.#speaker = new SpeakerView(() => this.#sendVisible());
    this.element = h(
      'section',
      { class: 'grid-area', attrs: { 'aria-label': t('layout.area'), 'data-testid': 'grid' } },
      this.#grid.element,
      this.#speaker.element,
      this.#audio.element,
    );
    this.#quality = new ConnectionQualityMonitor(room, () => this.#monitored());
    this.#resize = new ResizeObserver(() => this.#onResize());
    this.#resize.observe(this.element);

    const schedule = () => this.schedule();
    const s = room.state;
    for (const event of ['reset', 'participant-joined', 'participant-updated', 'participant-left', 'publications-changed', 'settings'] as const) {
      this.#offs.push(s.on(event, schedule));
    }
    this.#offs.push(
      room.on('tracks', (tracks) => {
        this.#audio.render(tracks);
        schedule();
      }),
      room.on('local-screen', schedule),
      room.on('active-speaker', (id) => this.#onActiveSpeaker(id)),
      room.on('encryption', (encryption) => this.#offs.push(encryption.on('changed', schedule))),
      room.options.localMedia.on('track', schedule),
      room.options.localMedia.on('state', schedule),
      this.preferences.on('changed', schedule),
    );
    if (room.encryption) this.#offs.push(room.encryption.on('changed', schedule));
    this.#audio.render(room.remoteTracks);
    this.render();
  }

  get mode(): LayoutMode {
    return this.preferences.mode;
  }

  setMode(mode: LayoutMode): void {
    // Asking for the grid means "show me everyone": one's own pin gives way.
    if (mode === 'grid') this.preferences.setPinned(null);
    this.preferences.setMode(mode);
  }

  get pinned(): string | null {
    return this.preferences.pinned;
  }

  togglePin(participantId: string): void {
    this.preferences.setPinned(this.preferences.pinned === participantId ? null : participantId);
  }

  /** Coalesces the bursts of events a single change brings (a join is several pushes) into one render. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.render();
    });
  }

  render(): void {
    const entries = buildEntries(this.room);
    const prefs = this.preferences;
    const present = new Set(entries.map((e) => e.participant.id));
    if (prefs.pinned && !present.has(prefs.pinned)) prefs.setPinned(null);
    const featured = this.#featured(entries);
    const context = this.#context();

    const shown: { entry: TileEntry; place: 'stage' | 'strip' | 'grid' }[] = [];
    let paging = null;
    if (featured) {
      shown.push({ entry: featured.entry, place: 'stage' });
      for (const e of entries) if (e !== featured.entry) shown.push({ entry: e, place: 'strip' });
    } else {
      this.#switchView('grid');
      paging = this.#grid.paging(entries.length, prefs.maxTilesPerPage, prefs.page);
      if (paging.page !== prefs.page) prefs.setPage(paging.page);
      for (const e of entries.slice(paging.start, paging.end)) shown.push({ entry: e, place: 'grid' });
    }

    const keep = new Set(shown.map((x) => x.entry.key));
    for (const [key, tile] of this.#tiles) {
      if (!keep.has(key)) {
        tile.dispose();
        this.#tiles.delete(key);
      }
    }
    this.#shown = shown.map(({ entry, place }) => {
      let tile = this.#tiles.get(entry.key);
      if (!tile) {
        tile = new Tile(entry.key, entry.source, (e) => this.#menuItems(e));
        this.#tiles.set(entry.key, tile);
      }
      tile.update(entry, context);
      return { tile, place };
    });

    if (featured) {
      this.#switchView('speaker');
      const [stage, ...strip] = this.#shown.map((x) => x.tile);
      this.#speaker.render(stage!, strip);
      this.element.dataset.featured = featured.entry.participant.id;
      this.element.dataset.featuredReason = featured.reason;
      this.element.dataset.featuredSource = featured.entry.source;
      delete this.element.dataset.page;
      delete this.element.dataset.pages;
    } else {
      this.#grid.render(this.#shown.map((x) => x.tile), paging!);
      delete this.element.dataset.featured;
      delete this.element.dataset.featuredReason;
      delete this.element.dataset.featuredSource;
      this.element.dataset.page = String(paging!.page + 1);
      this.element.dataset.pages = String(paging!.pageCount);
    }
    this.element.dataset.mode = prefs.mode;
    this.#sendVisible();
  }

  dispose(): void {
    this.#resize.disconnect();
    this.#quality.dispose();
    for (const off of this.#offs.splice(0)) off();
    for (const tile of this.#tiles.values()) tile.dispose();
    this.#tiles.clear();
    this.#speaker.clear();
    this.#audio.dispose();
  }

  // -------------------------------------------------------------------------

  #featured(entries: readonly TileEntry[]): { entry: TileEntry; reason: FeaturedReason } | null {
    const of = (participantId: string | null) => {
      if (!participantId) return undefined;
      // A person who presents is shown by their screen, else by their camera.
      return entries.find((e) => e.participant.id === participantId && e.source === 'screen') ?? entries.find((e) => e.participant.id === participantId);
    };
    const pinned = of(this.preferences.pinned);
    if (pinned) return { entry: pinned, reason: 'pin' };
    const spotlit = of(this.room.state.settings?.spotlight ?? null);
    if (spotlit) return { entry: spotlit, reason: 'spotlight' };
    const screen = entries.find((e) => e.source === 'screen');
    if (screen) return { entry: screen, reason: 'screen' };
    if (this.preferences.mode !== 'speaker') return null;
    const speaker = of(this.#lastSpeaker) ?? entries.find((e) => !e.isSelf) ?? entries[0];
    return speaker ? { entry: speaker, reason: 'speaker' } : null;
  }

  #context(): TileContext {
    return {
      activeSpeaker: this.#activeSpeaker,
      pinned: this.preferences.pinned,
      spotlight: this.room.state.settings?.spotlight ?? null,
      encryption: this.room.encryption,
    };
  }

  #switchView(view: 'grid' | 'speaker'): void {
    if (this.#view === view) return;
    this.#view = view;
    this.#grid.element.hidden = view !== 'grid';
    this.#speaker.element.hidden = view !== 'speaker';
    if (view === 'grid') this.#speaker.clear();
    this.element.dataset.layout = view;
  }

  #onActiveSpeaker(id: string | null): void {
    this.#activeSpeaker = id;
    for (const tile of this.#tiles.values()) {
      const entry = tile.entry;
      tile.element.classList.toggle('speaking', entry !== null && entry.source === 'camera' && entry.participant.id === id);
    }
    if (id && id !== this.room.state.selfId && id !== this.#lastSpeaker) {
      this.#lastSpeaker = id;
      // Only speaker view changes what is large; the grid just moves the highlight.
      if (this.#view === 'speaker' || this.preferences.mode === 'speaker') this.schedule();
    }
  }

  #onResize(): void {
    if (this.#view === 'grid') {
      // The page may now hold more or fewer tiles: lay out afresh.
      this.schedule();
      return;
    }
    this.#speaker.layout();
    this.#sendVisible();
  }

  /** Tells the client which remote videos are drawn and how large; only when that changed. */
  #sendVisible(): void {
    // Before the view is on the page no tile has a size: its first resize sends the real set.
    if (!this.element.isConnected) return;
    const videos: VisibleVideo[] = [];
    const seen = new Set<string>();
    for (const { tile, place } of this.#shown) {
      const entry = tile.entry;
      if (!entry || entry.isSelf || !entry.sending || seen.has(entry.key)) continue;
      if (place === 'strip' && !this.#speaker.isInView(tile)) continue;
      const width = place === 'stage' ? this.#speaker.stageWidth : place === 'grid' ? this.#grid.tileWidth : tile.element.clientWidth;
      const quality: VideoQuality = entry.source === 'screen' ? 'high' : qualityForWidth(width);
      videos.push({ participantId: entry.participant.id, source: entry.source, quality });
      seen.add(entry.key);
    }
    // Screens first, then the order on screen (featured first): what is cut off at the slot limit is the least seen.
    const ordered = [...videos.filter((v) => v.source === 'screen'), ...videos.filter((v) => v.source !== 'screen')].slice(0, MAX_VIDEO_SLOTS);
    const key = JSON.stringify(ordered);
    this.element.dataset.visibleVideos = String(ordered.length);
    if (key === this.#lastSent) return;
    this.#lastSent = key;
    this.room.setVisibleVideos(ordered);
  }

  /** The tiles on screen that receive someone's video: the connection indicator samples only these. */
  #monitored(): MonitoredTile[] {
    const out: MonitoredTile[] = [];
    for (const { tile, place } of this.#shown) {
      const remote = tile.entry?.remote;
      // A camera just turned off may keep its slot a moment: nothing arriving there is not a bad connection.
      if (!remote || !tile.entry?.sending || (place === 'strip' && !this.#speaker.isInView(tile))) continue;
      out.push({ remote, indicator: tile.quality });
    }
    return out;
  }

  #menuItems(entry: TileEntry): MenuItem[] {
    const id = entry.participant.id;
    const name = entry.participant.name;
    const items: MenuItem[] = [];
    const pinned = this.preferences.pinned === id;
    items.push({ text: t(pinned ? 'tile.unpin' : 'tile.pin'), testId: 'tile-pin', run: () => this.togglePin(id) });
    const s = this.room.state;
    if (s.isHost) {
      const spotlit = s.settings?.spotlight === id;
      items.push({
        text: t(spotlit ? 'tile.spotlight.remove' : 'tile.spotlight.add'),
        testId: 'tile-spotlight',
        run: () =>
          void this.room.host
            .spotlight(spotlit ? null : id)
            .catch(() => this.onError?.(spotlit ? t('tile.spotlight.remove-failed') : t('tile.spotlight.add-failed', { name: isolate(name) }))),
      });
    }
    return items;
  }
}

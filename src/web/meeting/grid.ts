/**
 * The tiles: one per participant's camera, one per screen share. A screen share goes
 * on a large stage with the camera tiles in a strip beside it. Remote audio plays
 * through hidden <audio> elements, one per participant, independent of tiles.
 *
 * Everything is reconciled from snapshots (participants, tracks, speaker), so the
 * order in which server pushes and track events arrive does not matter.
 */
import type { RemoteTrack, Room } from '../../client/index.ts';
import type { ParticipantInfo } from '../../protocol/index.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';

/** Beyond this, the remaining people are summarised in one tile (their audio still plays). */
const MAX_TILES = 49;

interface Tile {
  element: HTMLElement;
  video: HTMLVideoElement;
  avatar: HTMLElement;
  label: HTMLElement;
  name: HTMLElement;
  mic: HTMLElement;
  /** Over a remote tile whose media this device cannot decrypt (lately failing, or no key yet). */
  warning: HTMLElement;
}

export class TileGrid {
  readonly element = h('section', { class: 'grid-area', attrs: { 'aria-label': 'Participants video' } });
  readonly #stage = h('div', { class: 'screen-stage' });
  readonly #tiles = h('div', { class: 'tiles', attrs: { 'data-testid': 'grid' } });
  readonly #audio = h('div', { class: 'audio-sink', attrs: { 'aria-hidden': 'true' } });
  readonly #byKey = new Map<string, Tile>();
  readonly #audioBy = new Map<string, HTMLAudioElement>();
  #active: string | null = null;
  #more: HTMLElement | null = null;
  #count = 0;
  readonly #resize = new ResizeObserver(() => this.#layout());

  constructor(readonly room: Room) {
    this.element.append(this.#stage, this.#tiles, this.#audio);
    this.#resize.observe(this.element);
    const s = room.state;
    const update = () => this.render();
    s.on('reset', update);
    s.on('participant-joined', update);
    s.on('participant-updated', update);
    s.on('participant-left', update);
    s.on('publications-changed', update);
    room.on('tracks', update);
    room.on('local-screen', update);
    room.encryption?.on('changed', update);
    room.options.localMedia.on('track', update);
    room.options.localMedia.on('state', update);
    room.on('active-speaker', (id) => {
      this.#active = id;
      for (const [key, tile] of this.#byKey) tile.element.classList.toggle('speaking', key === `${id}:camera`);
    });
    this.render();
  }

  render(): void {
    const s = this.room.state;
    const selfId = s.selfId;
    const people = [...s.participants.values()];
    const tracks = this.room.remoteTracks;
    const videoOf = (pid: string, source: 'camera' | 'screen') =>
      tracks.find((t) => t.participantId === pid && t.source === source && t.kind === 'video')?.track ?? null;

    const wanted: { key: string; participant: ParticipantInfo; source: 'camera' | 'screen'; track: MediaStreamTrack | null; show: boolean }[] = [];
    for (const p of people) {
      if (p.id === selfId) {
        if (this.room.screenTrack) wanted.push({ key: `${p.id}:screen`, participant: p, source: 'screen', track: this.room.screenTrack, show: true });
      } else if (p.screen || videoOf(p.id, 'screen')) {
        const track = videoOf(p.id, 'screen');
        wanted.push({ key: `${p.id}:screen`, participant: p, source: 'screen', track, show: track !== null });
      }
    }
    const self = selfId ? s.participants.get(selfId) : undefined;
    if (self) {
      const media = this.room.options.localMedia;
      const track = media.cameraEnabled ? media.videoTrack : null;
      wanted.push({ key: `${self.id}:camera`, participant: self, source: 'camera', track, show: track !== null });
    }
    for (const p of people) {
      if (p.id === selfId) continue;
      const track = videoOf(p.id, 'camera');
      wanted.push({ key: `${p.id}:camera`, participant: p, source: 'camera', track, show: p.video && track !== null });
    }

    const screens = wanted.filter((w) => w.source === 'screen');
    const cameras = wanted.filter((w) => w.source === 'camera');
    const visibleCameras = cameras.slice(0, screens.length ? 12 : MAX_TILES);
    const keep = new Set([...screens, ...visibleCameras].map((w) => w.key));
    for (const [key, tile] of this.#byKey) {
      if (!keep.has(key)) {
        tile.video.srcObject = null;
        tile.element.remove();
        this.#byKey.delete(key);
      }
    }
    for (const w of [...screens, ...visibleCameras]) {
      const tile = this.#byKey.get(w.key) ?? this.#createTile(w.key, w.source);
      this.#updateTile(tile, w.participant, w.source, w.track, w.show, w.participant.id === selfId);
      (w.source === 'screen' ? this.#stage : this.#tiles).appendChild(tile.element);
    }
    const hidden = cameras.length - visibleCameras.length;
    this.#more?.remove();
    this.#more = hidden > 0 ? h('div', { class: 'tile more-tile', text: `+${hidden} more` }) : null;
    if (this.#more) this.#tiles.appendChild(this.#more);

    this.element.classList.toggle('has-screen', screens.length > 0);
    this.#count = visibleCameras.length + (hidden > 0 ? 1 : 0);
    this.#layout();
    this.#renderAudio(tracks);
  }

  /** Picks the column count that makes 16:9 tiles as large as the area allows. */
  #layout(): void {
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    const n = Math.max(1, this.#count);
    const gap = 12;
    let best = { cols: 1, w: 0, h: 0 };
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      let w = (width - gap * (cols - 1)) / cols;
      let h = (w * 9) / 16;
      const maxH = (height - gap * (rows - 1)) / rows;
      if (h > maxH) {
        h = maxH;
        w = (h * 16) / 9;
      }
      if (w > best.w) best = { cols, w, h };
    }
    this.#tiles.style.setProperty('--cols', String(best.cols));
    this.#tiles.style.setProperty('--tile-w', `${Math.floor(best.w)}px`);
    this.#tiles.style.setProperty('--tile-h', `${Math.floor(best.h)}px`);
  }

  dispose(): void {
    this.#resize.disconnect();
  }

  #createTile(key: string, source: 'camera' | 'screen'): Tile {
    const video = h('video', { class: 'tile-video', attrs: { autoplay: true, playsinline: true, muted: true } });
    video.muted = true;
    const avatar = h('div', { class: 'avatar', attrs: { 'aria-hidden': 'true' } });
    const mic = h('span', { class: 'tile-mic' });
    const name = h('span', { class: 'tile-name' });
    const label = h('div', { class: 'tile-label' }, mic, name);
    const warning = h('div', { class: 'decrypt-warning', attrs: { 'data-testid': 'decrypt-warning', role: 'status', hidden: true } });
    const element = h('div', { class: `tile ${source}-tile`, attrs: { 'data-testid': source === 'screen' ? 'screen-tile' : 'tile', 'data-source': source, role: 'group' } }, video, avatar, warning, label);
    const tile = { element, video, avatar, label, name, mic, warning };
    this.#byKey.set(key, tile);
    return tile;
  }

  #updateTile(tile: Tile, p: ParticipantInfo, source: 'camera' | 'screen', track: MediaStreamTrack | null, show: boolean, isSelf: boolean): void {
    tile.element.dataset.participantId = p.id;
    const displayName = isSelf ? `${p.name} (you)` : p.name;
    const label = source === 'screen' ? `${p.name}${isSelf ? ' (you)' : ''} is presenting` : displayName;
    if (tile.name.textContent !== label) tile.name.textContent = label;
    tile.element.setAttribute('aria-label', `${label}${source === 'camera' && !p.audio ? ', muted' : ''}`);
    const current = tile.video.srcObject instanceof MediaStream ? tile.video.srcObject.getTracks()[0] : undefined;
    if (track && current !== track) {
      tile.video.srcObject = new MediaStream([track]);
      void tile.video.play().catch(() => {});
    } else if (!track && current) tile.video.srcObject = null;
    tile.video.hidden = !show;
    tile.video.classList.toggle('mirrored', isSelf && source === 'camera');
    tile.avatar.hidden = show;
    tile.avatar.textContent = initials(p.name);
    tile.element.classList.toggle('self', isSelf);
    tile.element.classList.toggle('reconnecting', p.reconnecting);
    tile.element.classList.toggle('speaking', source === 'camera' && this.#active === p.id);
    const muted = source === 'camera' && !p.audio;
    tile.mic.replaceChildren(...(muted ? [icon('mic-off', 'icon small')] : []));
    tile.mic.hidden = !muted;
    tile.element.dataset.muted = String(muted);
    this.#updateWarning(tile, p, isSelf);
  }

  #updateWarning(tile: Tile, p: ParticipantInfo, isSelf: boolean): void {
    const encryption = this.room.encryption;
    const failing = !isSelf && encryption !== null && encryption.cannotDecrypt(p.id);
    tile.warning.hidden = !failing;
    tile.element.classList.toggle('undecryptable', failing);
    if (!failing) {
      if (tile.warning.firstChild) tile.warning.replaceChildren();
      return;
    }
    const securing = encryption.state !== 'ready';
    const text = `Can't decrypt ${p.name}'s media`;
    if (tile.warning.textContent === text + (securing ? 'Securing the meeting…' : '')) return;
    tile.warning.replaceChildren(
      icon('lock', 'icon'),
      h('span', { class: 'decrypt-warning-text', text }),
      securing ? h('span', { class: 'decrypt-warning-sub', text: 'Securing the meeting…' }) : '',
    );
    tile.warning.dataset.reason = securing ? 'no-key' : 'failing';
  }

  #renderAudio(tracks: readonly RemoteTrack[]): void {
    const audio = new Map(tracks.filter((t) => t.kind === 'audio').map((t) => [t.mid, t.track]));
    for (const [mid, el] of this.#audioBy) {
      if (audio.get(mid) !== (el.srcObject as MediaStream | null)?.getTracks()[0]) {
        el.srcObject = null;
        el.remove();
        this.#audioBy.delete(mid);
      }
    }
    for (const [mid, track] of audio) {
      if (this.#audioBy.has(mid)) continue;
      const el = h('audio', { attrs: { autoplay: true } });
      el.srcObject = new MediaStream([track]);
      void el.play().catch(() => {});
      this.#audio.appendChild(el);
      this.#audioBy.set(mid, el);
    }
  }
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]!, parts[parts.length - 1]!] : parts.slice(0, 1);
  return letters.map((w) => [...w][0]!.toUpperCase()).join('');
}

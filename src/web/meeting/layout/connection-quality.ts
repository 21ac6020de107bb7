/**
 * The per-tile connection indicator: three bars (good, fair, poor) with an accessible
 * label, and the figures behind them on click (loss, round trip, resolution received,
 * frame rate, jitter).
 *
 * One monitor judges the tiles on screen that receive video from the Room's `receive-stats`
 * (every two seconds): the one `getStats()` of the subscriber peer connection that congestion
 * control takes anyway gives every inbound stream and the selected candidate pair's round trip.
 */
import type { RemoteTrack, Room } from '../../../client/index.ts';
import { isolate } from '../../bidi.ts';
import { h } from '../../dom.ts';
import { t, type PlainKey } from '../../i18n/index.ts';
import { assessQuality, layerName, type ConnectionQuality, type InboundSample } from './connection-stats.ts';
import { placePopover } from './popover.ts';

const LEVEL_TEXT = { good: 'quality.good', fair: 'quality.fair', poor: 'quality.poor' } as const satisfies Record<string, PlainKey>;
const LAYER_TEXT = { none: 'quality.layer.none', low: 'quality.layer.low', medium: 'quality.layer.medium', high: 'quality.layer.high' } as const satisfies Record<string, PlainKey>;

export class QualityIndicator {
  readonly element: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #details: HTMLElement;
  readonly #list: HTMLDListElement;
  #quality: ConnectionQuality | null = null;
  #name = '';
  readonly #onOutside = (event: Event) => {
    if (!this.element.contains(event.target as Node)) this.#setOpen(false);
  };

  constructor() {
    const bars = h('span', { class: 'quality-bars', attrs: { 'aria-hidden': 'true' } }, h('span', { class: 'bar' }), h('span', { class: 'bar' }), h('span', { class: 'bar' }));
    this.#button = h('button', { class: 'quality-button', attrs: { type: 'button', 'data-testid': 'connection-quality', 'aria-expanded': 'false' } }, bars);
    this.#list = h('dl', { class: 'quality-list' });
    this.#details = h('div', { class: 'quality-details', attrs: { role: 'group', 'data-testid': 'connection-details', hidden: true } }, this.#list);
    this.element = h('div', { class: 'quality-indicator', attrs: { hidden: true } }, this.#button, this.#details);
    this.#button.addEventListener('click', () => this.#setOpen(this.#details.hidden === true));
    this.element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || this.#details.hidden) return;
      event.stopPropagation();
      this.#setOpen(false);
      this.#button.focus();
    });
  }

  /** Whose video this is, for the labels. */
  setName(name: string): void {
    if (name === this.#name) return;
    this.#name = name;
    this.#render();
  }

  show(quality: ConnectionQuality): void {
    this.#quality = quality;
    this.#render();
  }

  /** Nothing received to judge: the indicator goes away. */
  clear(): void {
    this.#quality = null;
    this.#setOpen(false);
    this.element.hidden = true;
  }

  dispose(): void {
    document.removeEventListener('pointerdown', this.#onOutside, true);
  }

  #setOpen(open: boolean): void {
    this.#details.hidden = !open;
    this.#button.setAttribute('aria-expanded', String(open));
    if (open) document.addEventListener('pointerdown', this.#onOutside, true);
    else document.removeEventListener('pointerdown', this.#onOutside, true);
    this.#render();
    if (open) placePopover(this.#button, this.#details);
  }

  #render(): void {
    const q = this.#quality;
    if (!q) return;
    this.element.hidden = false;
    this.element.dataset.level = q.level;
    const level = t(LEVEL_TEXT[q.level]);
    this.#button.setAttribute('aria-label', t('quality.connection.label', { name: this.#name, level }));
    this.#button.title = t('quality.connection', { name: isolate(this.#name), level });
    this.#details.setAttribute('aria-label', t('quality.details', { name: this.#name }));
    if (this.#details.hidden) return;
    const rows: [string, string][] = [
      [t('quality.row.quality'), level],
      [t('quality.row.loss'), q.lossPercent === null ? '—' : t('quality.percent', { value: q.lossPercent.toFixed(1) })],
      [t('quality.row.round-trip'), q.roundTripMs === null ? '—' : t('quality.ms', { value: q.roundTripMs })],
      [
        t('quality.row.video'),
        q.stalled
          ? t('quality.none-arriving')
          : q.width && q.height
            ? t('quality.resolution', { width: q.width, height: q.height, layer: t(LAYER_TEXT[layerName(q.height)]) })
            : t(LAYER_TEXT[layerName(null)]),
      ],
      [t('quality.row.frame-rate'), q.framesPerSecond === null ? '—' : t('quality.fps', { value: Math.round(q.framesPerSecond) })],
      [t('quality.row.jitter'), q.jitterMs === null ? '—' : t('quality.ms', { value: q.jitterMs })],
    ];
    this.#list.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]));
  }
}

/** One tile the monitor should sample. */
export interface MonitoredTile {
  remote: RemoteTrack;
  indicator: QualityIndicator;
}

interface StatsReport {
  type: string;
  id: string;
  kind?: string;
  mid?: string;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  selectedCandidatePairId?: string;
  currentRoundTripTime?: number;
  nominated?: boolean;
  state?: string;
}

export class ConnectionQualityMonitor {
  readonly #unsubscribe: () => void;
  /** Last sample per received stream; keyed by mid and sender, since a slot may be re-pointed to someone else. */
  #previous = new Map<string, InboundSample>();

  constructor(
    readonly room: Room,
    readonly visible: () => MonitoredTile[],
  ) {
    // The Room samples the subscriber connection for congestion control anyway: the same report serves here.
    this.#unsubscribe = room.on('receive-stats', (report) => this.sample(report));
  }

  sample(report: RTCStatsReport): void {
    const tiles = this.visible();
    if (tiles.length === 0) {
      this.#previous.clear();
      return;
    }
    const reports: StatsReport[] = [];
    report.forEach((r: StatsReport) => reports.push(r));
    const byMid = new Map<string, StatsReport>();
    for (const r of reports) if (r.type === 'inbound-rtp' && r.kind === 'video' && r.mid !== undefined) byMid.set(r.mid, r);
    const roundTrip = selectedRoundTrip(reports);
    const next = new Map<string, InboundSample>();
    for (const { remote, indicator } of tiles) {
      const r = byMid.get(remote.mid);
      if (!r) {
        indicator.clear();
        continue;
      }
      const key = `${remote.mid}|${remote.participantId}`;
      const sample: InboundSample = {
        packetsReceived: r.packetsReceived ?? 0,
        packetsLost: r.packetsLost ?? 0,
        ...(r.jitter !== undefined ? { jitter: r.jitter } : {}),
        ...(r.frameWidth !== undefined ? { frameWidth: r.frameWidth } : {}),
        ...(r.frameHeight !== undefined ? { frameHeight: r.frameHeight } : {}),
        ...(r.framesPerSecond !== undefined ? { framesPerSecond: r.framesPerSecond } : {}),
      };
      indicator.show(assessQuality(this.#previous.get(key) ?? null, sample, roundTrip));
      next.set(key, sample);
    }
    this.#previous = next;
  }

  dispose(): void {
    this.#unsubscribe();
  }
}

/** The round trip (seconds) of the candidate pair the subscriber connection uses now. */
function selectedRoundTrip(reports: StatsReport[]): number | null {
  const transport = reports.find((r) => r.type === 'transport' && r.selectedCandidatePairId);
  const pair =
    reports.find((r) => r.type === 'candidate-pair' && r.id === transport?.selectedCandidatePairId) ??
    reports.find((r) => r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded');
  return pair?.currentRoundTripTime ?? null;
}

/**
 * What everyone sees in the top bar while a recording is asked for or runs: that it is, who records, and, to
 * the person recording, how long and how large the recording is so far. Its buttons: Stop (the recorder and
 * hosts), Withdraw consent (everyone else, while recording), Cancel (the asker, while asking).
 */
import type { RecordingView } from '../../../client/recording-consent.ts';
import { typedTextAttrs } from '../../bidi.ts';
import { h } from '../../dom.ts';
import { formatNumber, t, tNodes } from '../../i18n/index.ts';
import type { RecorderProgress } from './recorder.ts';

export interface IndicatorActions {
  stop(): void;
  withdraw(): void;
}

export class RecordingIndicator {
  readonly element: HTMLElement;
  readonly #label = h('span', { attrs: { 'data-testid': 'recording-indicator-label' } });
  readonly #detail = h('span', { class: 'recording-detail', attrs: { 'data-testid': 'recording-progress', hidden: true } });
  readonly #stop: HTMLButtonElement;
  readonly #withdraw: HTMLButtonElement;

  constructor(actions: IndicatorActions) {
    this.#stop = h('button', { class: 'pill-button', attrs: { type: 'button', 'data-testid': 'recording-stop' }, on: { click: () => actions.stop() } });
    this.#withdraw = h('button', { class: 'pill-button', text: t('recording.withdraw'), attrs: { type: 'button', 'data-testid': 'recording-withdraw' }, on: { click: () => actions.withdraw() } });
    this.element = h(
      'span',
      { class: 'pill recording-indicator', attrs: { role: 'status', 'data-testid': 'recording-indicator', hidden: true } },
      h('span', { class: 'recording-dot', attrs: { 'aria-hidden': 'true' } }),
      this.#label,
      this.#detail,
      this.#stop,
      this.#withdraw,
    );
  }

  /** `self`: our id; `mayStop`: we are a host or co-host; `detail`: the asker's count of answers, if any. */
  render(view: RecordingView, self: string | null, mayStop: boolean, detail?: string): void {
    this.element.hidden = view.state === 'idle';
    this.element.dataset.state = view.state;
    if (view.state === 'idle') return;
    this.element.dataset.by = view.by;
    const name = h('bdi', { text: view.byName, attrs: typedTextAttrs });
    this.#label.replaceChildren(...tNodes(view.state === 'recording' ? 'recording.indicator.recording' : 'recording.indicator.asking', { name }));
    const ours = view.by === self;
    this.#stop.textContent = t(view.state === 'recording' ? 'recording.stop' : 'recording.cancel');
    this.#stop.hidden = !(ours || mayStop);
    this.#withdraw.hidden = view.state !== 'recording' || ours;
    if (detail !== undefined) this.showDetail(detail);
    else if (!(view.state === 'recording' && ours)) this.#detail.hidden = true;
  }

  showDetail(text: string): void {
    this.#detail.hidden = false;
    this.#detail.textContent = text;
  }

  /** The recorder's own figures: duration (m:ss) and size (MB). */
  showProgress(progress: RecorderProgress): void {
    const s = Math.floor(progress.durationMs / 1000);
    const duration = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
    const size = t('recording.size', { mb: formatNumber(Math.round(progress.bytes / 100_000) / 10) });
    this.showDetail(t('recording.progress', { duration, size }));
    this.#detail.dataset.durationMs = String(Math.round(progress.durationMs));
    this.#detail.dataset.bytes = String(progress.bytes);
  }
}

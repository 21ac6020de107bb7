/**
 * Remote audio plays through hidden <audio> elements, one per received audio track,
 * whatever the layout shows: the client picks which microphones it receives (the
 * people talking now and lately), the UI just plays them.
 */
import type { RemoteTrack } from '../../../client/index.ts';
import { h } from '../../dom.ts';

export class AudioSinks {
  readonly element = h('div', { class: 'audio-sink', attrs: { 'aria-hidden': 'true' } });
  readonly #byMid = new Map<string, HTMLAudioElement>();

  render(tracks: readonly RemoteTrack[]): void {
    const audio = new Map(tracks.filter((t) => t.kind === 'audio').map((t) => [t.mid, t.track]));
    for (const [mid, el] of this.#byMid) {
      if (audio.get(mid) !== (el.srcObject as MediaStream | null)?.getTracks()[0]) {
        el.srcObject = null;
        el.remove();
        this.#byMid.delete(mid);
      }
    }
    for (const [mid, track] of audio) {
      if (this.#byMid.has(mid)) continue;
      const el = h('audio', { attrs: { autoplay: true } });
      el.srcObject = new MediaStream([track]);
      void el.play().catch(() => {});
      this.element.appendChild(el);
      this.#byMid.set(mid, el);
    }
  }

  dispose(): void {
    for (const el of this.#byMid.values()) el.srcObject = null;
    this.#byMid.clear();
    this.element.replaceChildren();
  }
}

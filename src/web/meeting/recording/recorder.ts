/**
 * Records the composed picture (composer.ts) and the meeting's sound, mixed with WebAudio, with MediaRecorder
 * into WebM, in memory in this browser; on stop, saves it as a download. Nothing is ever sent anywhere.
 *
 * Lifecycle: idle → recording → saved (terminal); stop() is safe to call twice and resolves once the file was
 * handed to the browser's download. `progress` tells the duration and size every second.
 */
import { Emitter } from '../../../events/emitter.ts';

export interface RecorderProgress {
  readonly durationMs: number;
  readonly bytes: number;
}

export interface MeetingRecorderEvents {
  progress: [progress: RecorderProgress];
  saved: [saved: RecorderProgress & { readonly fileName: string }];
}

/** VP8 and Opus in WebM, which every Chromium and Firefox record and play; the browser's default otherwise. */
const MIME_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm'];
const SLICE_MS = 1000;

export class MeetingRecorder extends Emitter<MeetingRecorderEvents> {
  readonly #audio: AudioContext;
  readonly #mix: MediaStreamAudioDestinationNode;
  readonly #inputs = new Map<string, MediaStreamAudioSourceNode>();
  readonly #chunks: Blob[] = [];
  #recorder: MediaRecorder | null = null;
  #bytes = 0;
  #startedAt = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #stopped: Promise<void> | null = null;

  /**
   * Made when the host clicks Record: a browser lets an AudioContext play only after a gesture, and the
   * recording starts later, once everyone said yes.
   */
  constructor() {
    super();
    this.#audio = new AudioContext();
    void this.#audio.resume().catch(() => undefined);
    this.#mix = this.#audio.createMediaStreamDestination();
  }

  get recording(): boolean {
    return this.#recorder !== null && this.#stopped === null;
  }

  /** Mixes exactly these audio tracks from now on (people come, go and unmute). */
  setAudioTracks(tracks: readonly MediaStreamTrack[]): void {
    const wanted = new Map(tracks.filter((t) => t.readyState === 'live').map((t) => [t.id, t]));
    for (const [id, node] of this.#inputs) {
      if (wanted.has(id)) continue;
      node.disconnect();
      this.#inputs.delete(id);
    }
    for (const [id, track] of wanted) {
      if (this.#inputs.has(id)) continue;
      const node = this.#audio.createMediaStreamSource(new MediaStream([track]));
      node.connect(this.#mix);
      this.#inputs.set(id, node);
    }
  }

  start(video: MediaStreamTrack): void {
    if (this.#recorder) throw new TypeError('already started');
    const audio = this.#mix.stream.getAudioTracks();
    const mimeType = MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    const recorder = new MediaRecorder(new MediaStream([video, ...audio]), mimeType ? { mimeType } : {});
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size === 0) return;
      this.#chunks.push(event.data);
      this.#bytes += event.data.size;
    });
    this.#recorder = recorder;
    this.#startedAt = performance.now();
    recorder.start(SLICE_MS);
    this.#ticker = setInterval(() => this.emit('progress', this.progress()), SLICE_MS);
  }

  progress(): RecorderProgress {
    return { durationMs: this.#recorder ? performance.now() - this.#startedAt : 0, bytes: this.#bytes };
  }

  /** Stops and saves what was recorded under `fileName` (null: discards it); a recorder never started saves nothing. */
  stop(fileName: string | null): Promise<void> {
    this.#stopped ??= this.#finish(fileName);
    return this.#stopped;
  }

  async #finish(fileName: string | null): Promise<void> {
    clearInterval(this.#ticker);
    const recorder = this.#recorder;
    if (recorder && recorder.state !== 'inactive') {
      const stopped = new Promise((resolve) => recorder.addEventListener('stop', resolve, { once: true }));
      recorder.stop();
      await stopped;
    }
    const durationMs = this.progress().durationMs;
    for (const node of this.#inputs.values()) node.disconnect();
    this.#inputs.clear();
    void this.#audio.close().catch(() => undefined);
    if (!recorder || this.#chunks.length === 0 || fileName === null) return;
    const blob = new Blob(this.#chunks, { type: recorder.mimeType || 'video/webm' });
    this.#chunks.length = 0;
    saveLocally(blob, fileName);
    this.emit('saved', { fileName, durationMs, bytes: blob.size });
  }
}

/** Hands the file to the browser's download: it goes to this computer's disk, never to a server. */
function saveLocally(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has its own reference to the blob once started; a minute is ample for it to start.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

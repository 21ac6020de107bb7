/**
 * The picture of a recording: the meeting's decrypted videos drawn on one canvas, which the recorder captures.
 * A screen share, when there is one, takes the large area and the speakers a column beside it; otherwise the
 * speakers share a grid. Names are drawn under each picture. It draws on a timer rather than on animation
 * frames, which a browser stops in a hidden tab: the recording must go on when the host looks elsewhere.
 */

export interface ComposedVideo {
  readonly key: string;
  readonly label: string;
  readonly track: MediaStreamTrack;
}

export interface CompositionSources {
  readonly screen: ComposedVideo | null;
  readonly speakers: readonly ComposedVideo[];
}

export const RECORDING_WIDTH = 1280;
export const RECORDING_HEIGHT = 720;
/** The most speakers drawn at once (a 4×4 grid); the rest are heard, not seen. */
const MAX_SPEAKERS = 16;

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class RecordingComposer {
  readonly canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #videos = new Map<string, { track: MediaStreamTrack; element: HTMLVideoElement }>();
  readonly #sources: () => CompositionSources;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(sources: () => CompositionSources) {
    this.#sources = sources;
    this.canvas = document.createElement('canvas');
    this.canvas.width = RECORDING_WIDTH;
    this.canvas.height = RECORDING_HEIGHT;
    const context = this.canvas.getContext('2d');
    if (!context) throw new TypeError('no 2D canvas');
    this.#context = context;
  }

  /** Draws `fps` times a second and returns the canvas's video track. */
  start(fps: number): MediaStreamTrack {
    this.draw();
    this.#timer = setInterval(() => this.draw(), 1000 / fps);
    const track = this.canvas.captureStream(fps).getVideoTracks()[0];
    if (!track) throw new TypeError('canvas capture gave no track');
    return track;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const { element } of this.#videos.values()) element.srcObject = null;
    this.#videos.clear();
  }

  draw(): void {
    const { screen, speakers } = this.#sources();
    const shown = speakers.slice(0, MAX_SPEAKERS);
    this.#keepOnly([...(screen ? [screen] : []), ...shown]);
    const ctx = this.#context;
    ctx.fillStyle = '#101418';
    ctx.fillRect(0, 0, RECORDING_WIDTH, RECORDING_HEIGHT);
    if (screen) {
      const side = shown.length > 0 ? Math.round(RECORDING_WIDTH / 5) : 0;
      this.#drawVideo(screen, { x: 0, y: 0, w: RECORDING_WIDTH - side, h: RECORDING_HEIGHT });
      const rows = Math.max(1, shown.length);
      shown.forEach((video, i) => this.#drawVideo(video, { x: RECORDING_WIDTH - side, y: (i * RECORDING_HEIGHT) / rows, w: side, h: RECORDING_HEIGHT / rows }));
      return;
    }
    const columns = Math.ceil(Math.sqrt(Math.max(1, shown.length)));
    const rows = Math.ceil(Math.max(1, shown.length) / columns);
    const w = RECORDING_WIDTH / columns;
    const h = RECORDING_HEIGHT / rows;
    shown.forEach((video, i) => this.#drawVideo(video, { x: (i % columns) * w, y: Math.floor(i / columns) * h, w, h }));
  }

  #drawVideo(video: ComposedVideo, area: Rect): void {
    const ctx = this.#context;
    const element = this.#videos.get(video.key)?.element;
    const vw = element?.videoWidth ?? 0;
    const vh = element?.videoHeight ?? 0;
    if (element && vw > 0 && vh > 0) {
      // Fitted inside the area, keeping the picture's proportions.
      const scale = Math.min(area.w / vw, area.h / vh);
      const w = vw * scale;
      const h = vh * scale;
      ctx.drawImage(element, area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h);
    }
    if (video.label) {
      ctx.font = '16px sans-serif';
      ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
      const width = Math.min(area.w - 8, ctx.measureText(video.label).width + 12);
      ctx.fillRect(area.x + 4, area.y + area.h - 28, width, 24);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(video.label, area.x + 10, area.y + area.h - 11, area.w - 20);
    }
  }

  /** One muted, playing <video> per track drawn; those no longer drawn are let go. */
  #keepOnly(videos: readonly ComposedVideo[]): void {
    const keys = new Set(videos.map((v) => v.key));
    for (const [key, entry] of this.#videos) {
      if (keys.has(key)) continue;
      entry.element.srcObject = null;
      this.#videos.delete(key);
    }
    for (const video of videos) {
      const existing = this.#videos.get(video.key);
      if (existing?.track === video.track) continue;
      const element = existing?.element ?? document.createElement('video');
      element.muted = true;
      element.playsInline = true;
      element.srcObject = new MediaStream([video.track]);
      void element.play().catch(() => undefined);
      this.#videos.set(video.key, { track: video.track, element });
    }
  }
}

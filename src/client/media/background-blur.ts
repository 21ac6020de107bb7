/**
 * Background blur: the camera picture with everything but the person blurred, as a new video track.
 *
 * A person/background mask comes from MediaPipe's selfie segmentation model (the npm package
 * @mediapipe/selfie_segmentation: the model, its graph and its WebAssembly runtime, copied by tools/build.mjs
 * to /segmentation/ on Sabha's own origin and loaded only when blur is first turned on; nothing is fetched
 * from elsewhere). Each camera frame goes to the model; the result is drawn on a canvas (the person sharp over
 * the same frame blurred) and the canvas's captureStream is the track LocalMedia publishes, so the SFU and
 * everyone else only ever get the blurred picture, sealed by SFrame like any camera track.
 *
 * The model runs on this device only. The runtime needs the CSP's 'wasm-unsafe-eval' (docs/threat-model.md).
 */

/** What this file uses of the package's `SelfieSegmentation` (see its index.d.ts). */
interface Segmenter {
  setOptions(options: { modelSelection?: number; selfieMode?: boolean }): void;
  onResults(listener: (results: { image: CanvasImageSource; segmentationMask: CanvasImageSource }) => void): void;
  initialize(): Promise<void>;
  send(inputs: { image: HTMLVideoElement }): Promise<void>;
  close(): Promise<void>;
}
type SegmenterClass = new (config: { locateFile: (file: string) => string }) => Segmenter;

/** Where tools/build.mjs puts the package's files. */
export const SEGMENTATION_PATH = '/segmentation/';
/** Frames a second sent: enough for a talking head, and the model costs a few ms a frame on a laptop. */
export const BLUR_FRAME_RATE = 15;
const BLUR_RADIUS_PX = 14;

let runtime: Promise<SegmenterClass> | null = null;

/** Loads the package's script once (a classic script that defines `SelfieSegmentation`). */
function loadRuntime(): Promise<SegmenterClass> {
  runtime ??= new Promise<SegmenterClass>((resolve, reject) => {
    const found = () => (globalThis as unknown as { SelfieSegmentation?: SegmenterClass }).SelfieSegmentation;
    const ready = found();
    if (ready) return resolve(ready);
    const script = document.createElement('script');
    script.src = `${SEGMENTATION_PATH}selfie_segmentation.js`;
    script.addEventListener('load', () => {
      const loaded = found();
      if (loaded) resolve(loaded);
      else reject(new Error('segmentation runtime missing'));
    });
    script.addEventListener('error', () => reject(new Error('segmentation runtime not served')));
    document.head.appendChild(script);
  });
  runtime.catch(() => (runtime = null));
  return runtime;
}

/** Whether this browser has what blur needs (WebAssembly, a 2D canvas with filters, canvas capture). */
export function canBlurBackground(): boolean {
  return typeof WebAssembly === 'object' && typeof HTMLCanvasElement !== 'undefined' && 'captureStream' in HTMLCanvasElement.prototype;
}

export class BackgroundBlur {
  /** The blurred picture: what is shown and sent instead of the camera track. */
  readonly track: MediaStreamTrack;
  /** The camera track it blurs (the caller's: stopping the blur does not stop it). */
  readonly camera: MediaStreamTrack;
  /** Frames the model has segmented so far (for the debug hook and tests). */
  segmented = 0;
  readonly #video: HTMLVideoElement;
  readonly #canvas: HTMLCanvasElement;
  readonly #segmenter: Segmenter;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  private constructor(camera: MediaStreamTrack, video: HTMLVideoElement, canvas: HTMLCanvasElement, segmenter: Segmenter) {
    this.camera = camera;
    this.#video = video;
    this.#canvas = canvas;
    this.#segmenter = segmenter;
    const track = canvas.captureStream(BLUR_FRAME_RATE).getVideoTracks()[0];
    if (!track) throw new Error('canvas capture gave no track');
    this.track = track;
    this.track.contentHint = 'motion';
  }

  /** Starts blurring `camera` (which stays the caller's: stopping the blur does not stop it). Rejects if the model cannot run. */
  static async start(camera: MediaStreamTrack): Promise<BackgroundBlur> {
    const Segmentation = await loadRuntime();
    const segmenter = new Segmentation({ locateFile: (file) => `${SEGMENTATION_PATH}${file}` });
    // The landscape model (256x144 input) suits a 16:9 camera and is the lighter of the two.
    segmenter.setOptions({ modelSelection: 1, selfieMode: false });
    await segmenter.initialize();
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([camera]);
    await video.play();
    const settings = camera.getSettings();
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth || settings.width || 640;
    canvas.height = video.videoHeight || settings.height || 480;
    const blur = new BackgroundBlur(camera, video, canvas, segmenter);
    segmenter.onResults((results) => blur.#draw(results));
    blur.#loop();
    return blur;
  }

  /** Safe twice. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.track.stop();
    this.#video.srcObject = null;
    void this.#segmenter.close().catch(() => undefined);
  }

  #loop(): void {
    const started = performance.now();
    const next = () => {
      if (!this.#stopped) this.#timer = setTimeout(() => this.#loop(), Math.max(0, 1000 / BLUR_FRAME_RATE - (performance.now() - started)));
    };
    if (this.#stopped) return;
    if (this.#video.readyState < 2) return next();
    this.#segmenter.send({ image: this.#video }).then(next, next);
  }

  /** The person (where the mask says so) sharp, over the whole frame blurred. */
  #draw(results: { image: CanvasImageSource; segmentationMask: CanvasImageSource }): void {
    if (this.#stopped) return;
    const canvas = this.#canvas;
    const width = this.#video.videoWidth || canvas.width;
    const height = this.#video.videoHeight || canvas.height;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.save();
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(results.segmentationMask, 0, 0, width, height);
    ctx.globalCompositeOperation = 'source-in';
    ctx.drawImage(results.image, 0, 0, width, height);
    ctx.globalCompositeOperation = 'destination-over';
    ctx.filter = `blur(${BLUR_RADIUS_PX}px)`;
    ctx.drawImage(results.image, 0, 0, width, height);
    ctx.restore();
    this.segmented += 1;
  }
}

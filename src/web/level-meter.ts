/**
 * Microphone level before joining (no peer connection yet, so no WebRTC stats):
 * an AnalyserNode on the local track. Closed with the pre-join screen.
 */
export class LevelMeter {
  #context: AudioContext | null = null;
  #source: MediaStreamAudioSourceNode | null = null;
  #analyser: AnalyserNode | null = null;
  #frame = 0;
  readonly #data = new Float32Array(1024);

  constructor(readonly onLevel: (level: number) => void) {}

  attach(track: MediaStreamTrack | null): void {
    this.#source?.disconnect();
    this.#source = null;
    if (!track) {
      this.onLevel(0);
      return;
    }
    this.#context ??= new AudioContext();
    void this.#context.resume().catch(() => {});
    this.#analyser ??= Object.assign(this.#context.createAnalyser(), { fftSize: 1024 });
    this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
    this.#source.connect(this.#analyser);
    if (!this.#frame) this.#loop();
  }

  close(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#source?.disconnect();
    void this.#context?.close().catch(() => {});
    this.#context = null;
  }

  #loop = (): void => {
    this.#frame = requestAnimationFrame(this.#loop);
    if (!this.#analyser || !this.#source) return;
    this.#analyser.getFloatTimeDomainData(this.#data);
    let sum = 0;
    for (const v of this.#data) sum += v * v;
    this.onLevel(Math.min(1, Math.sqrt(sum / this.#data.length) * 4));
  };
}

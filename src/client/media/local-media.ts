/**
 * The local camera and microphone: which devices, whether each is on, and the
 * current tracks. Turning the camera off stops its track (the camera light goes out)
 * and emits a null track, which the publisher sends as "nothing"; the microphone is
 * muted with `track.enabled`, which keeps the track and makes unmuting instant.
 * The same instance feeds the pre-join preview and the meeting.
 *
 * Changing a device opens the new one and emits `track`: in a meeting the Room hands it to the publisher,
 * which swaps it in with RTCRtpSender.replaceTrack, so nothing is renegotiated, the SFrame transform stays on
 * the sender and the simulcast layers go on. The choices (device ids, the noise suppression switch, the
 * speaker) are remembered for the next pre-join screen (device-preferences.ts).
 *
 * Background blur (background-blur.ts) sits between the camera and everything else: with it on, `videoTrack`
 * (what is previewed, shown and published) is the blurred picture, and the camera's own track stays inside.
 *
 * A device that goes away (unplugged: its track ends, or `devicechange` no longer lists it) is replaced by the
 * browser's default one of its kind, and `device-lost` says so, so the person is told.
 */
import { Emitter } from '../../events/emitter.ts';
import type { MediaKind } from './peer-connection.ts';
import { DevicePreferenceStore } from './device-preferences.ts';
import { BackgroundBlur } from './background-blur.ts';

export interface LocalMediaEvents {
  /** The track of `kind` changed (new device, camera on/off); null when there is none. */
  track: [kind: MediaKind, track: MediaStreamTrack | null];
  /** Microphone or camera switched on/off. */
  state: [state: { audio: boolean; video: boolean }];
  /** A device could not be opened (permission, busy, gone). */
  error: [kind: MediaKind, error: unknown];
  devices: [devices: MediaDeviceInfo[]];
  /** The device in use of `kind` went away; `now` is the label of the one used instead (null: none could be opened). */
  'device-lost': [kind: MediaKind, now: string | null];
  /** The speaker (audio output) chosen; '' is the system default. */
  output: [deviceId: string];
  /** The noise suppression or blur switch changed (or the browser answered differently than asked). */
  processing: [settings: { noiseSuppression: boolean; backgroundBlur: boolean }];
  /** Background blur was asked for but could not start here (the camera is shown as it is). */
  'blur-failed': [];
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

/** Whether audio can be sent to a chosen output device here (HTMLMediaElement.setSinkId: not in every browser). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

export class LocalMedia extends Emitter<LocalMediaEvents> {
  audioTrack: MediaStreamTrack | null = null;
  /** What is previewed and published: the camera's track, or the blurred picture of it. */
  videoTrack: MediaStreamTrack | null = null;
  micEnabled = true;
  cameraEnabled = true;
  audioDeviceId: string | null = null;
  videoDeviceId: string | null = null;
  /** The chosen audio output; '' is the system default. */
  outputDeviceId = '';
  /** The browser's noise suppression for the microphone (echo cancellation stays on whatever this says). */
  noiseSuppression = true;
  /** Blur everything behind the person (background-blur.ts). */
  backgroundBlur = false;
  readonly preferences: DevicePreferenceStore;
  /** The camera's own track (videoTrack is this, or the blur's output). */
  #camera: MediaStreamTrack | null = null;
  #blur: BackgroundBlur | null = null;
  readonly #onDeviceChange = () => void this.#checkDevices();
  #stopped = false;

  constructor(
    readonly mediaDevices: MediaDevices = navigator.mediaDevices,
    preferences: DevicePreferenceStore = new DevicePreferenceStore(),
  ) {
    super();
    this.preferences = preferences;
    const stored = preferences.load();
    this.audioDeviceId = stored.microphone ?? null;
    this.videoDeviceId = stored.camera ?? null;
    this.outputDeviceId = stored.speaker ?? '';
    this.noiseSuppression = stored.noiseSuppression ?? true;
    this.backgroundBlur = stored.backgroundBlur ?? false;
    mediaDevices.addEventListener?.('devicechange', this.#onDeviceChange);
  }

  /** Opens what is wanted; a device that fails is reported and left off, the other still opens. */
  async start(want: { audio: boolean; video: boolean }): Promise<void> {
    this.micEnabled = want.audio;
    this.cameraEnabled = want.video;
    await Promise.all([this.#open('audio'), want.video ? this.#open('video') : Promise.resolve()]);
    if (this.audioTrack) this.audioTrack.enabled = this.micEnabled;
    this.#emitState();
    void this.listDevices();
  }

  async listDevices(): Promise<DeviceLists> {
    const all = await this.mediaDevices.enumerateDevices();
    this.emit('devices', all);
    return {
      cameras: all.filter((d) => d.kind === 'videoinput'),
      microphones: all.filter((d) => d.kind === 'audioinput'),
      speakers: all.filter((d) => d.kind === 'audiooutput'),
    };
  }

  setMicEnabled(on: boolean): void {
    this.micEnabled = on;
    if (this.audioTrack) this.audioTrack.enabled = on;
    this.#emitState();
  }

  async setCameraEnabled(on: boolean): Promise<void> {
    this.cameraEnabled = on;
    if (on && !this.videoTrack) await this.#open('video');
    if (!on && this.videoTrack) {
      this.#stopVideo();
      this.emit('track', 'video', null);
    }
    this.#emitState();
  }

  /** Background blur on or off; resolves true when the picture now is what was asked for. */
  async setBackgroundBlur(on: boolean): Promise<boolean> {
    this.backgroundBlur = on;
    this.preferences.update({ backgroundBlur: on });
    const camera = this.#camera;
    if (camera) await this.#present(camera);
    this.emit('processing', this.#processing());
    return this.backgroundBlur === on;
  }

  /** Frames the blur has segmented (0 when it is off): the debug hook shows that the model runs. */
  get blurFrames(): number {
    return this.#blur?.segmented ?? 0;
  }

  async selectMicrophone(deviceId: string): Promise<void> {
    this.audioDeviceId = deviceId;
    this.preferences.update({ microphone: deviceId });
    await this.#open('audio');
    if (this.audioTrack) this.audioTrack.enabled = this.micEnabled;
  }

  async selectCamera(deviceId: string): Promise<void> {
    this.videoDeviceId = deviceId;
    this.preferences.update({ camera: deviceId });
    if (this.cameraEnabled) await this.#open('video');
  }

  /** Chooses the speaker; the meeting's audio elements follow (`output`). '' is the system default. */
  selectSpeaker(deviceId: string): void {
    this.outputDeviceId = deviceId;
    this.preferences.update({ speaker: deviceId });
    this.emit('output', deviceId);
  }

  /**
   * The browser's noise suppression on or off, echo cancellation and gain control staying on. Applied to the
   * open microphone track; a browser that does not change a live track's processing gets the microphone
   * opened again with the new setting (the publisher swaps the track in).
   */
  async setNoiseSuppression(on: boolean): Promise<void> {
    this.noiseSuppression = on;
    this.preferences.update({ noiseSuppression: on });
    const track = this.audioTrack;
    if (track) {
      try {
        await track.applyConstraints(this.#audioConstraints());
      } catch {
        // Refused: opened again below.
      }
      if (track.getSettings().noiseSuppression !== on) {
        // Chromium keeps one processing setting per open device: a second capture of it while this one is
        // live gets the old setting back. So this one is released first (a moment of silence).
        await this.#open('audio', { releaseFirst: true });
        if (this.audioTrack) this.audioTrack.enabled = this.micEnabled;
      }
    }
    this.emit('processing', this.#processing());
  }

  /** Stops every track. Safe to call twice. */
  stop(): void {
    this.#stopped = true;
    this.audioTrack?.stop();
    this.audioTrack = null;
    this.#stopVideo();
    this.mediaDevices.removeEventListener?.('devicechange', this.#onDeviceChange);
  }

  #audioConstraints(): MediaTrackConstraints {
    return { echoCancellation: true, noiseSuppression: this.noiseSuppression, autoGainControl: true };
  }

  async #open(kind: MediaKind, options: { fallback?: boolean; releaseFirst?: boolean } = {}): Promise<boolean> {
    const deviceId = options.fallback ? null : kind === 'audio' ? this.audioDeviceId : this.videoDeviceId;
    const constraints: MediaTrackConstraints = kind === 'audio' ? this.#audioConstraints() : { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
    if (deviceId) constraints.deviceId = { exact: deviceId };
    let track: MediaStreamTrack | null = null;
    if (options.releaseFirst) (kind === 'audio' ? this.audioTrack : this.#camera)?.stop();
    try {
      const stream = await this.mediaDevices.getUserMedia({ [kind]: constraints });
      track = stream.getTracks()[0] ?? null;
    } catch (err) {
      // A remembered device that is not here today: the default one of its kind instead.
      const gone = err instanceof DOMException && (err.name === 'OverconstrainedError' || err.name === 'NotFoundError');
      if (deviceId && gone && !options.fallback) return this.#open(kind, { fallback: true, releaseFirst: options.releaseFirst ?? false });
      this.emit('error', kind, err);
      if (options.releaseFirst) this.#drop(kind);
      if (kind === 'video') this.cameraEnabled = false;
      this.#emitState();
      return false;
    }
    if (!track) return false;
    if (this.#stopped) {
      track.stop();
      return false;
    }
    // Unplugged: the track ends by itself (a track we stop does not fire `ended`).
    const opened = track;
    opened.addEventListener('ended', () => void this.#deviceGone(kind, opened));
    if (kind === 'video') {
      const old = this.#camera;
      this.#camera = opened;
      this.videoDeviceId = opened.getSettings().deviceId ?? this.videoDeviceId;
      await this.#present(opened);
      if (old !== opened) old?.stop();
      return true;
    }
    const old = this.audioTrack;
    this.audioTrack = opened;
    this.audioDeviceId = opened.getSettings().deviceId ?? this.audioDeviceId;
    this.emit('track', kind, opened);
    old?.stop();
    return true;
  }

  /** Shows and sends `camera`: through the blur when it is on. A blur that cannot start leaves the camera as it is. */
  async #present(camera: MediaStreamTrack): Promise<void> {
    const previous = this.#blur;
    let blur: BackgroundBlur | null = null;
    if (this.backgroundBlur) {
      try {
        blur = previous?.camera === camera ? previous : await BackgroundBlur.start(camera);
      } catch {
        this.backgroundBlur = false;
        this.emit('blur-failed');
      }
    }
    // The camera changed or everything stopped while the model loaded.
    if (this.#stopped || this.#camera !== camera) {
      if (blur !== previous) blur?.stop();
      return;
    }
    this.#blur = blur;
    const track = blur ? blur.track : camera;
    if (previous && previous !== blur) previous.stop();
    if (this.videoTrack === track) return;
    this.videoTrack = track;
    this.emit('track', 'video', track);
  }

  #stopVideo(): void {
    this.#blur?.stop();
    this.#blur = null;
    this.#camera?.stop();
    this.#camera = null;
    this.videoTrack = null;
  }

  #processing(): { noiseSuppression: boolean; backgroundBlur: boolean } {
    return { noiseSuppression: this.audioTrack?.getSettings().noiseSuppression ?? this.noiseSuppression, backgroundBlur: this.#blur !== null };
  }

  /** `devicechange`: new lists for the menus, and a check that the devices in use are still there. */
  async #checkDevices(): Promise<void> {
    if (this.#stopped) return;
    let lists: DeviceLists;
    try {
      lists = await this.listDevices();
    } catch {
      return;
    }
    for (const [kind, list] of [['audio', lists.microphones], ['video', lists.cameras]] as const) {
      const track = kind === 'audio' ? this.audioTrack : this.#camera;
      const id = track?.getSettings().deviceId;
      if (track && id && list.length > 0 && !list.some((d) => d.deviceId === id)) await this.#deviceGone(kind, track);
    }
    // A chosen speaker that went away: back to the default.
    if (this.outputDeviceId && lists.speakers.length > 0 && !lists.speakers.some((d) => d.deviceId === this.outputDeviceId)) {
      this.outputDeviceId = '';
      this.emit('output', '');
    }
  }

  async #deviceGone(kind: MediaKind, track: MediaStreamTrack): Promise<void> {
    const current = kind === 'audio' ? this.audioTrack : this.#camera;
    if (this.#stopped || current !== track) return; // already replaced
    const opened = await this.#open(kind, { fallback: true });
    if (kind === 'audio' && this.audioTrack) this.audioTrack.enabled = this.micEnabled;
    if (!opened) this.#drop(kind);
    const now = kind === 'audio' ? this.audioTrack : this.#camera;
    this.emit('device-lost', kind, opened && now ? now.label : null);
  }

  /** The track of `kind` is gone (stopped, or its device away) and nothing replaced it. */
  #drop(kind: MediaKind): void {
    const track = kind === 'audio' ? this.audioTrack : this.videoTrack;
    if (!track) return;
    if (kind === 'audio') {
      track.stop();
      this.audioTrack = null;
    } else this.#stopVideo();
    this.emit('track', kind, null);
    this.#emitState();
  }

  #emitState(): void {
    this.emit('state', { audio: this.micEnabled && this.audioTrack !== null, video: this.cameraEnabled && this.videoTrack !== null });
  }
}

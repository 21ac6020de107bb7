/**
 * The local camera and microphone: which devices, whether each is on, and the
 * current tracks. Turning the camera off stops its track (the camera light goes out)
 * and emits a null track, which the publisher sends as "nothing"; the microphone is
 * muted with `track.enabled`, which keeps the track and makes unmuting instant.
 * The same instance feeds the pre-join preview and the meeting.
 */
import { Emitter } from '../../events/emitter.ts';
import type { MediaKind } from './peer-connection.ts';

export interface LocalMediaEvents {
  /** The track of `kind` changed (new device, camera on/off); null when there is none. */
  track: [kind: MediaKind, track: MediaStreamTrack | null];
  /** Microphone or camera switched on/off. */
  state: [state: { audio: boolean; video: boolean }];
  /** A device could not be opened (permission, busy, gone). */
  error: [kind: MediaKind, error: unknown];
  devices: [devices: MediaDeviceInfo[]];
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

export class LocalMedia extends Emitter<LocalMediaEvents> {
  audioTrack: MediaStreamTrack | null = null;
  videoTrack: MediaStreamTrack | null = null;
  micEnabled = true;
  cameraEnabled = true;
  audioDeviceId: string | null = null;
  videoDeviceId: string | null = null;
  readonly #onDeviceChange = () => void this.listDevices();

  constructor(readonly mediaDevices: MediaDevices = navigator.mediaDevices) {
    super();
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
      this.videoTrack.stop();
      this.videoTrack = null;
      this.emit('track', 'video', null);
    }
    this.#emitState();
  }

  async selectMicrophone(deviceId: string): Promise<void> {
    this.audioDeviceId = deviceId;
    await this.#open('audio');
    if (this.audioTrack) this.audioTrack.enabled = this.micEnabled;
  }

  async selectCamera(deviceId: string): Promise<void> {
    this.videoDeviceId = deviceId;
    if (this.cameraEnabled) await this.#open('video');
  }

  /** Stops every track. Safe to call twice. */
  stop(): void {
    this.audioTrack?.stop();
    this.videoTrack?.stop();
    this.audioTrack = null;
    this.videoTrack = null;
    this.mediaDevices.removeEventListener?.('devicechange', this.#onDeviceChange);
  }

  async #open(kind: MediaKind): Promise<void> {
    const deviceId = kind === 'audio' ? this.audioDeviceId : this.videoDeviceId;
    const constraints: MediaTrackConstraints =
      kind === 'audio'
        ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true }
        : { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
    if (deviceId) constraints.deviceId = { exact: deviceId };
    let track: MediaStreamTrack | null = null;
    try {
      const stream = await this.mediaDevices.getUserMedia({ [kind]: constraints });
      track = stream.getTracks()[0] ?? null;
    } catch (err) {
      this.emit('error', kind, err);
      if (kind === 'video') this.cameraEnabled = false;
      this.#emitState();
      return;
    }
    if (!track) return;
    const old = kind === 'audio' ? this.audioTrack : this.videoTrack;
    if (kind === 'audio') {
      this.audioTrack = track;
      this.audioDeviceId = track.getSettings().deviceId ?? this.audioDeviceId;
    } else {
      this.videoTrack = track;
      this.videoDeviceId = track.getSettings().deviceId ?? this.videoDeviceId;
    }
    this.emit('track', kind, track);
    old?.stop();
  }

  #emitState(): void {
    this.emit('state', { audio: this.micEnabled && this.audioTrack !== null, video: this.cameraEnabled && this.videoTrack !== null });
  }
}

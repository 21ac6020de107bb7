/**
 * Our microphone and camera under the meeting's rules: the server learns whether we send audio and video
 * (`set-media-state`); the host may mute us, mute everyone on entry, or forbid unmuting, and the local
 * microphone follows.
 */
import { Emitter } from '../events/emitter.ts';
import type { LocalMedia } from './media/local-media.ts';
import type { RoomNotice } from './room-types.ts';
import type { RoomState } from './room-state.ts';
import { SignallingError, type SignallingClient } from './signalling-client.ts';

export interface OwnMediaStateEvents {
  notice: [notice: Extract<RoomNotice, { kind: 'muted-by-host' | 'muted-on-entry' | 'unmute-not-allowed' }>];
}

export interface OwnMediaStateOptions {
  signalling: SignallingClient;
  localMedia: LocalMedia;
  state: RoomState;
  /** The server is told only while we are in the meeting. */
  joined: () => boolean;
}

export class OwnMediaState extends Emitter<OwnMediaStateEvents> {
  readonly #options: OwnMediaStateOptions;

  constructor(options: OwnMediaStateOptions) {
    super();
    this.#options = options;
  }

  /** Turns our microphone on or off; not on when the host forbids unmuting and has muted us. */
  setMicEnabled(on: boolean): void {
    const s = this.#options.state;
    if (on && s.settings && !s.settings.allowUnmute && !s.isHost && s.self && !s.self.audio) {
      this.emit('notice', { kind: 'unmute-not-allowed' });
      return;
    }
    this.#options.localMedia.setMicEnabled(on);
  }

  /** On first joining a meeting that mutes on entry, a participant who is not a host comes in muted. */
  muteOnEntry(): void {
    const { state: s, localMedia } = this.#options;
    if (s.settings?.muteOnEntry && !s.isHost && localMedia.micEnabled) {
      localMedia.setMicEnabled(false);
      this.emit('notice', { kind: 'muted-on-entry' });
    }
  }

  /** Tells the server what we send; if unmuting is forbidden, the microphone goes off again. */
  sendMediaState(): void {
    const { signalling, localMedia: media } = this.#options;
    if (!this.#options.joined() || !signalling.isOpen) return;
    const audio = media.micEnabled && media.audioTrack !== null;
    const video = media.cameraEnabled && media.videoTrack !== null;
    signalling.request({ type: 'set-media-state', audio, video }).catch((err: unknown) => {
      if (err instanceof SignallingError && err.code === 'forbidden' && audio) {
        media.setMicEnabled(false);
        this.emit('notice', { kind: 'unmute-not-allowed' });
      }
    });
  }

  /** A true→false change of our own audio that we did not ask for: the host muted us. */
  handleSelfUpdated(audio: boolean, previousAudio: boolean): void {
    const media = this.#options.localMedia;
    if (previousAudio && !audio && media.micEnabled) {
      media.setMicEnabled(false);
      this.emit('notice', { kind: 'muted-by-host' });
    }
  }
}

/**
 * Recording in the meeting view: the hosts' Record button, the consent dialog, the indicator everyone sees, and,
 * in the browser of the host who asked, the recorder itself (composer.ts + recorder.ts). It follows the Room's
 * RecordingConsent (src/client/recording-consent.ts) and never decides on consent itself.
 *
 * The recorder of the host who asked: made at the click (a browser allows sound only after a gesture), started
 * once everyone said yes and the server accepted `recording-start`, and stopped and saved when the server says
 * the recording ended (stopped, consent withdrawn), when we leave or the meeting ends, or when this view goes.
 */
import type { Room } from '../../../client/index.ts';
import type { ConsentPrompt } from '../../../client/recording-consent.ts';
import { h } from '../../dom.ts';
import { icon } from '../../icons.ts';
import { formatList, t } from '../../i18n/index.ts';
import type { Toaster } from '../../toast.ts';
import { RecordingComposer, type CompositionSources } from './composer.ts';
import { showConsentDialog } from './consent-dialog.ts';
import { recordingFileName } from './file-name.ts';
import { RecordingIndicator } from './indicator.ts';
import { MeetingRecorder } from './recorder.ts';

const FPS = 15;

export class RecordingUi {
  readonly indicator: RecordingIndicator;
  /** The hosts' Record button, for the control bar. */
  readonly button: HTMLButtonElement;
  /** Called when an answer from the waiting room arrived (the people panel shows it). */
  onWaitingAnswer: (() => void) | null = null;
  readonly #room: Room;
  readonly #toaster: Toaster;
  readonly #offs: (() => void)[] = [];
  #dialog: { close(): void } | null = null;
  #recorder: MeetingRecorder | null = null;
  #composer: RecordingComposer | null = null;
  #audioSync: ReturnType<typeof setInterval> | undefined;
  #fileName: string | null = null;

  constructor(room: Room, toaster: Toaster) {
    this.#room = room;
    this.#toaster = toaster;
    const consent = room.recording;
    this.indicator = new RecordingIndicator({
      stop: () => void consent.stop().catch(() => toaster.show(t('recording.failed'))),
      withdraw: () => void consent.withdraw().catch(() => toaster.show(t('recording.failed'))),
    });
    this.button = h('button', { class: 'round-button', attrs: { type: 'button', 'data-testid': 'record-button', 'aria-label': t('recording.record.label'), title: t('recording.record.label') } }, icon('record'));
    this.button.addEventListener('click', () => this.#ask());
    this.#offs.push(
      consent.on('status', () => this.#onStatus()),
      consent.on('asked', (prompt) => this.#showPrompt(prompt)),
      consent.on('prompt-closed', () => this.#closePrompt()),
      consent.on('answers', () => {
        this.render();
        this.onWaitingAnswer?.();
      }),
      consent.on('all-consented', () => void this.#begin()),
      consent.on('outcome', (outcome) => this.#sayOutcome(outcome.declined, outcome.unanswered)),
      consent.on('problem', () => toaster.show(t('recording.problem'))),
      room.on('connection', (state) => {
        if (state.name === 'left') void this.#finish(true);
      }),
    );
    for (const event of ['participant-updated', 'participant-joined', 'participant-left', 'reset'] as const) this.#offs.push(room.state.on(event, () => this.render()));
    // Asked before this view existed (entering a recorded meeting with the host link).
    if (consent.prompt && !consent.prompt.waiting) this.#showPrompt(consent.prompt);
    this.render();
  }

  /** Stops following the room; a recording in progress is saved. */
  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#closePrompt();
    void this.#finish(true);
  }

  /** What the hosts see beside a waiting person: their answer about the recording, if they gave one. */
  waitingNote(participantId: string): string | null {
    const answer = this.#room.recording.answers.get(participantId);
    if (!answer?.waiting) return null;
    return t(answer.consent ? 'recording.waiting-answer.yes' : 'recording.waiting-answer.no');
  }

  render(): void {
    const { room } = this;
    const view = room.recording.view;
    const self = room.state.selfId;
    this.button.hidden = !room.state.isHost;
    const idle = view.state === 'idle';
    this.button.setAttribute('aria-disabled', String(!idle));
    this.button.classList.toggle('unavailable', !idle);
    let detail: string | undefined;
    if (view.state === 'asking' && view.by === self) {
      const others = [...room.state.participants.keys()].filter((id) => id !== self);
      const agreed = others.filter((id) => room.recording.answers.get(id)?.consent === true).length;
      detail = t('recording.indicator.answers', { agreed, total: others.length });
    }
    this.indicator.render(view, self, room.state.isHost, detail);
  }

  get room(): Room {
    return this.#room;
  }

  async #ask(): Promise<void> {
    if (this.button.getAttribute('aria-disabled') === 'true' || this.#recorder) return;
    this.#recorder = new MeetingRecorder();
    try {
      await this.#room.recording.ask();
    } catch {
      this.#toaster.show(t('recording.failed'));
      await this.#finish(false);
    }
  }

  /** Everyone said yes: the server is told first, and only once it accepted does the recording begin. */
  async #begin(): Promise<void> {
    const recorder = this.#recorder;
    if (!recorder || recorder.recording) return;
    try {
      await this.#room.recording.start();
      const composer = (this.#composer = new RecordingComposer(() => this.#sources()));
      this.#fileName = recordingFileName(this.#room.state.title, new Date());
      const syncAudio = () => recorder.setAudioTracks(this.#audioTracks());
      syncAudio();
      this.#audioSync = setInterval(syncAudio, 1000);
      recorder.on('progress', (progress) => this.indicator.showProgress(progress));
      recorder.on('saved', (saved) => this.#toaster.show(t('recording.saved', { file: saved.fileName }), 8000));
      recorder.start(composer.start(FPS));
    } catch {
      this.#toaster.show(t('recording.failed'));
      await this.#finish(false);
      void this.#room.recording.stop().catch(() => undefined);
    }
  }

  #onStatus(): void {
    const view = this.#room.recording.view;
    // The server says it is over (stopped, consent withdrawn, declined): what was recorded is saved.
    if (view.state === 'idle' && this.#recorder) void this.#finish(true);
    this.render();
  }

  /** Stops the recorder; saves what it has when `save` and it ever started. Safe to call twice. */
  async #finish(save: boolean): Promise<void> {
    const recorder = this.#recorder;
    const composer = this.#composer;
    this.#recorder = null;
    this.#composer = null;
    clearInterval(this.#audioSync);
    if (!recorder) return;
    const fileName = this.#fileName;
    this.#fileName = null;
    await recorder.stop(save ? fileName : null);
    composer?.stop();
    this.render();
  }

  #sources(): CompositionSources {
    const room = this.#room;
    const names = room.state.participants;
    const own = room.options.localMedia.videoTrack;
    const selfId = room.state.selfId ?? '';
    const remoteVideo = room.remoteTracks.filter((r) => r.kind === 'video' && r.track.readyState === 'live');
    const remoteScreen = remoteVideo.find((r) => r.source === 'screen');
    const ownScreen = room.screenTrack;
    const screen = ownScreen ? { key: 'own-screen', label: '', track: ownScreen } : remoteScreen ? { key: remoteScreen.mid, label: '', track: remoteScreen.track } : null;
    const speakers = [
      ...(own && own.readyState === 'live' ? [{ key: 'own-camera', label: names.get(selfId)?.name ?? '', track: own }] : []),
      ...remoteVideo.filter((r) => r.source === 'camera').map((r) => ({ key: r.mid, label: names.get(r.participantId)?.name ?? '', track: r.track })),
    ];
    return { screen, speakers };
  }

  #audioTracks(): MediaStreamTrack[] {
    const room = this.#room;
    const own = room.options.localMedia.audioTrack;
    return [...(own ? [own] : []), ...room.remoteTracks.filter((r) => r.kind === 'audio').map((r) => r.track)];
  }

  #showPrompt(prompt: ConsentPrompt): void {
    if (prompt.waiting) return; // the waiting screen asks (waiting-consent.ts)
    this.#closePrompt();
    this.#dialog = showConsentDialog(prompt, (consent) => {
      this.#dialog = null;
      void this.#room.recording.answer(consent).catch(() => this.#toaster.show(t('recording.failed')));
    });
  }

  #closePrompt(): void {
    this.#dialog?.close();
    this.#dialog = null;
  }

  #sayOutcome(declined: readonly string[], unanswered: readonly string[]): void {
    const names = (ids: readonly string[]) => formatList(ids.map((id) => this.#room.state.participants.get(id)?.name ?? id));
    const parts = [
      declined.length > 0 ? t('recording.declined-by', { names: names(declined) }) : '',
      unanswered.length > 0 ? t('recording.unanswered', { names: names(unanswered) }) : '',
    ].filter(Boolean);
    this.#toaster.show(parts.length > 0 ? parts.join(' ') : t('recording.not-started'), 15_000);
    this.indicator.element.dataset.outcome = JSON.stringify({ declined, unanswered });
  }
}

/**
 * Changing devices during the meeting: a small settings button beside the microphone and one beside the
 * camera, each opening a panel with the device lists (and the speaker and noise suppression for audio).
 * Choosing a device goes through LocalMedia, which opens it and hands the track to the publisher
 * (RTCRtpSender.replaceTrack: no renegotiation, the SFrame transform and the simulcast layers stay), and
 * remembers it for the next pre-join screen.
 *
 * The speaker: every <audio> element of the meeting plays through HTMLMediaElement.setSinkId where the browser
 * has it (the choice is hidden where it does not). The audio elements come and go with who talks, so they are
 * watched and each new one is sent to the chosen output too.
 */
import { canChooseSpeaker, type LocalMedia } from '../../client/media/local-media.ts';
import { canBlurBackground } from '../../client/media/background-blur.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import type { Toaster } from '../toast.ts';
import { placePopover } from './layout/popover.ts';
import { onLanguageChange, t } from '../i18n/index.ts';

type MenuKind = 'audio' | 'video';

export class DeviceMenus {
  readonly micButton: HTMLButtonElement;
  readonly cameraButton: HTMLButtonElement;
  readonly #media: LocalMedia;
  readonly #popover = h('div', { class: 'device-menu', attrs: { role: 'dialog', hidden: true, 'data-testid': 'device-menu' } });
  readonly #offs: (() => void)[] = [];
  #open: MenuKind | null = null;
  #devices: MediaDeviceInfo[] = [];

  constructor(media: LocalMedia, toaster: Toaster) {
    this.#media = media;
    this.micButton = this.#menuButton('audio', 'mic-options');
    this.cameraButton = this.#menuButton('video', 'camera-options');
    document.body.appendChild(this.#popover);
    this.#offs.push(
      media.on('devices', (all) => {
        this.#devices = all;
        this.#render();
      }),
      media.on('track', () => this.#render()),
      media.on('processing', () => this.#render()),
      media.on('output', () => this.#render()),
      media.on('device-lost', (kind, now) => toaster.show(deviceLostText(kind, now), 8000)),
      media.on('error', (kind) => toaster.show(kind === 'audio' ? t('devices.failed.microphone') : t('devices.failed.camera'))),
      media.on('blur-failed', () => toaster.show(t('devices.blur.failed'))),
    );
    const onDocKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && this.#open) {
        event.stopPropagation();
        this.close(true);
      }
    };
    const onDocClick = (event: MouseEvent) => {
      const target = event.target as Node;
      if (this.#open && !this.#popover.contains(target) && !this.micButton.contains(target) && !this.cameraButton.contains(target)) this.close(false);
    };
    document.addEventListener('keydown', onDocKey, true);
    document.addEventListener('click', onDocClick);
    this.#offs.push(
      () => document.removeEventListener('keydown', onDocKey, true),
      () => document.removeEventListener('click', onDocClick),
    );
    void media.listDevices().catch(() => undefined);
  }

  close(returnFocus: boolean): void {
    const was = this.#open;
    this.#open = null;
    this.#popover.hidden = true;
    for (const button of [this.micButton, this.cameraButton]) button.setAttribute('aria-expanded', 'false');
    if (returnFocus && was) (was === 'audio' ? this.micButton : this.cameraButton).focus();
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#popover.remove();
  }

  #menuButton(kind: MenuKind, testId: string): HTMLButtonElement {
    const labelOf = () => (kind === 'audio' ? t('devices.mic-options') : t('devices.camera-options'));
    const button = h('button', { class: 'device-menu-button', attrs: { type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'data-testid': testId } }, icon('chevron-right', 'icon small'));
    const writeLabel = () => {
      button.setAttribute('aria-label', labelOf());
      button.title = labelOf();
    };
    writeLabel();
    this.#offs.push(onLanguageChange(() => {
      writeLabel();
      this.#render();
    }));
    button.addEventListener('click', () => {
      if (this.#open === kind) return this.close(true);
      this.#open = kind;
      this.micButton.setAttribute('aria-expanded', String(kind === 'audio'));
      this.cameraButton.setAttribute('aria-expanded', String(kind === 'video'));
      this.#popover.setAttribute('aria-label', labelOf());
      this.#popover.hidden = false;
      this.#render();
      placePopover(button, this.#popover);
      this.#popover.querySelector<HTMLElement>('select, input')?.focus();
      // Labels appear once the browser has granted a device: ask again now that it has.
      void this.#media.listDevices().catch(() => undefined);
    });
    return button;
  }

  #render(): void {
    if (!this.#open) return;
    const media = this.#media;
    const focused = document.activeElement instanceof HTMLElement && this.#popover.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
    const parts: HTMLElement[] = [];
    if (this.#open === 'audio') {
      parts.push(this.#select('meeting-microphone-select', t('devices.microphone'), 'audioinput', media.audioTrack?.getSettings().deviceId ?? media.audioDeviceId, (id) => void media.selectMicrophone(id)));
      if (canChooseSpeaker()) parts.push(this.#select('meeting-speaker-select', t('devices.speaker'), 'audiooutput', media.outputDeviceId || 'default', (id) => media.selectSpeaker(id === 'default' ? '' : id)));
      parts.push(
        this.#checkbox('noise-suppression', t('devices.noise-suppression'), t('devices.noise-suppression.hint'), media.audioTrack?.getSettings().noiseSuppression ?? media.noiseSuppression, (on) => void media.setNoiseSuppression(on)),
      );
    } else {
      parts.push(this.#select('meeting-camera-select', t('devices.camera'), 'videoinput', media.videoDeviceId, (id) => void media.selectCamera(id)));
      // The model runs here, on the camera picture; only the blurred picture leaves (background-blur.ts).
      if (canBlurBackground()) parts.push(this.#checkbox('background-blur', t('devices.blur'), t('devices.blur.hint'), media.backgroundBlur, (on) => void media.setBackgroundBlur(on)));
    }
    this.#popover.replaceChildren(...parts);
    if (focused) this.#popover.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
  }

  #select(testId: string, label: string, kind: MediaDeviceKind, current: string | null, choose: (deviceId: string) => void): HTMLElement {
    const id = `device-${testId}`;
    const fallback = kind === 'audioinput' ? t('devices.microphone') : kind === 'videoinput' ? t('devices.camera') : t('devices.speaker');
    const devices = this.#devices.filter((d) => d.kind === kind && d.deviceId !== '');
    const select = h(
      'select',
      { class: 'input', attrs: { id, 'data-testid': testId } },
      ...devices.map((d, i) => {
        const option = h('option', { text: d.deviceId === 'default' && !d.label ? t('devices.default') : d.label || t('devices.numbered', { kind: fallback, number: i + 1 }), attrs: { value: d.deviceId } });
        option.selected = d.deviceId === current;
        return option;
      }),
    );
    select.disabled = devices.length === 0;
    select.addEventListener('change', () => choose(select.value));
    return h('div', { class: 'device-field' }, h('label', { text: label, attrs: { for: id } }), select);
  }

  #checkbox(testId: string, label: string, hint: string, checked: boolean, change: (on: boolean) => void): HTMLElement {
    const id = `device-${testId}`;
    const input = h('input', { attrs: { type: 'checkbox', id, 'data-testid': testId, 'aria-describedby': `${id}-hint` } });
    input.checked = checked;
    input.addEventListener('change', () => change(input.checked));
    return h('div', { class: 'device-field check' }, h('label', { attrs: { for: id } }, input, ` ${label}`), h('p', { class: 'muted small', text: hint, attrs: { id: `${id}-hint` } }));
  }
}

/** What to tell the person when the device in use went away (`now`: the label of the one used instead). */
function deviceLostText(kind: 'audio' | 'video', now: string | null): string {
  if (kind === 'audio') return now ? t('devices.lost.microphone', { device: now }) : t('devices.lost.microphone.none');
  return now ? t('devices.lost.camera', { device: now }) : t('devices.lost.camera.none');
}

/** Sends every <audio> element under `root` to the chosen speaker (where setSinkId exists), new ones included. */
export class SpeakerOutput {
  readonly #observer: MutationObserver | null = null;
  readonly #off: () => void;

  constructor(
    readonly root: HTMLElement,
    readonly media: LocalMedia,
  ) {
    const apply = () => {
      for (const el of root.querySelectorAll('audio')) this.#route(el);
    };
    this.#off = media.on('output', apply);
    if (!canChooseSpeaker()) return;
    this.#observer = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node instanceof HTMLAudioElement) this.#route(node);
          else if (node instanceof HTMLElement) for (const el of node.querySelectorAll('audio')) this.#route(el);
        }
      }
    });
    this.#observer.observe(root, { childList: true, subtree: true });
    apply();
  }

  dispose(): void {
    this.#observer?.disconnect();
    this.#off();
  }

  #route(el: HTMLAudioElement): void {
    const sinkId = this.media.outputDeviceId;
    const element = el as HTMLAudioElement & { sinkId?: string; setSinkId?: (id: string) => Promise<void> };
    if (!element.setSinkId || element.sinkId === sinkId) return;
    // A device that went away in the meantime: the default instead (LocalMedia notices it on devicechange too).
    element.setSinkId(sinkId).catch(() => element.setSinkId?.('').catch(() => undefined));
  }
}

/**
 * Pre-join: name, camera preview, microphone level, device pickers and toggles, and a check that says
 * whether camera, microphone and the way for video and sound work (src/web/connectivity/).
 * The passcode field appears only when the link had none.
 */
import type { LocalMedia } from '../../client/index.ts';
import { isTypedTextAllowed } from '../../protocol/text.ts';
import { h, setAttrs } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { LiveText } from '../i18n/live-text.ts';
import { icon } from '../icons.ts';
import { LevelMeter } from '../level-meter.ts';
import { brandHeader } from './brand.ts';
import { connectivityCheckView } from '../connectivity/check-view.ts';

export interface PrejoinResult {
  name: string;
  passcode: string;
}

export const NAME_KEY = 'sabha.displayName';

export function prejoinView(
  media: LocalMedia,
  options: { needPasscode: boolean; isHost: boolean },
  onJoin: (result: PrejoinResult) => void,
): { element: HTMLElement; dispose(): void; setBusy(busy: boolean): void } {
  // The page stays on screen when the language changes: the name typed and the camera preview stay.
  const live = new LiveText();
  const text = <E extends HTMLElement>(el: E, key: () => PlainKey): E => {
    live.add(() => (el.textContent = t(key())));
    return el;
  };
  let errorKey: PlainKey | null = null;
  const setError = (key: PlainKey | null) => {
    errorKey = key;
    error.textContent = key ? t(key) : '';
  };
  const video = h('video', { class: 'preview-video mirrored', attrs: { autoplay: true, playsinline: true, muted: true } });
  video.muted = true;
  const cameraOffNote = text(h('div', { class: 'preview-off' }), () => 'prejoin.camera-off');
  const meterFill = h('div', { class: 'meter-fill' });
  const meter = h('div', { class: 'meter', attrs: { role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 } }, meterFill);
  live.add(() => {
    setAttrs(video, { 'aria-label': t('prejoin.preview') });
    setAttrs(meter, { 'aria-label': t('prejoin.mic-level') });
  });
  const levelMeter = new LevelMeter((level) => {
    meterFill.style.transform = `scaleX(${level.toFixed(3)})`;
    meter.setAttribute('aria-valuenow', String(Math.round(level * 100)));
  });

  const micToggle = h('button', { class: 'round-button', attrs: { type: 'button', 'data-testid': 'prejoin-mic' } });
  const camToggle = h('button', { class: 'round-button', attrs: { type: 'button', 'data-testid': 'prejoin-camera' } });
  const cameraSelect = h('select', { class: 'select', attrs: { id: 'camera-select', 'data-testid': 'camera-select' } });
  const micSelect = h('select', { class: 'select', attrs: { id: 'mic-select', 'data-testid': 'mic-select' } });

  let storedName = '';
  try {
    storedName = localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    storedName = '';
  }
  const nameInput = h('input', {
    class: 'input',
    attrs: { id: 'name-input', type: 'text', maxlength: 64, required: true, autocomplete: 'name', dir: 'auto', value: storedName, 'data-testid': 'name-input' },
  });
  const passInput = h('input', {
    class: 'input',
    attrs: { id: 'passcode-input', type: 'password', maxlength: 64, autocomplete: 'off', 'data-testid': 'passcode-input' },
  });
  let busy = false;
  const joinButton = text(h('button', { class: 'button primary wide', attrs: { type: 'submit', 'data-testid': 'join-button' } }), () =>
    busy ? 'prejoin.joining' : options.isHost ? 'prejoin.start' : 'prejoin.ask',
  );
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  live.add(() => (error.textContent = errorKey ? t(errorKey) : ''));

  function render(): void {
    const hasVideo = media.cameraEnabled && media.videoTrack !== null;
    const track = media.videoTrack;
    if (hasVideo && track) {
      const current = video.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks()[0] : undefined;
      if (current !== track) video.srcObject = new MediaStream([track]);
    } else video.srcObject = null;
    video.hidden = !hasVideo;
    cameraOffNote.hidden = hasVideo;
    const micOn = media.micEnabled && media.audioTrack !== null;
    micToggle.replaceChildren(icon(micOn ? 'mic' : 'mic-off'));
    micToggle.classList.toggle('off', !micOn);
    micToggle.setAttribute('aria-label', t(micOn ? 'media.mic.off' : 'media.mic.on'));
    micToggle.setAttribute('aria-pressed', String(!micOn));
    camToggle.replaceChildren(icon(hasVideo ? 'camera' : 'camera-off'));
    camToggle.classList.toggle('off', !hasVideo);
    camToggle.setAttribute('aria-label', t(hasVideo ? 'media.camera.off' : 'media.camera.on'));
    camToggle.setAttribute('aria-pressed', String(!hasVideo));
    levelMeter.attach(micOn ? media.audioTrack : null);
  }

  function fillSelect(select: HTMLSelectElement, devices: MediaDeviceInfo[], current: string | null, fallback: 'prejoin.camera.numbered' | 'prejoin.mic.numbered'): void {
    select.replaceChildren(
      ...devices.map((d, i) => {
        const option = h('option', { text: d.label || t(fallback, { number: i + 1 }), attrs: { value: d.deviceId } });
        option.selected = d.deviceId === current;
        return option;
      }),
    );
    select.disabled = devices.length === 0;
  }

  let devices: MediaDeviceInfo[] = [];
  const fillSelects = () => {
    fillSelect(cameraSelect, devices.filter((d) => d.kind === 'videoinput'), media.videoDeviceId, 'prejoin.camera.numbered');
    fillSelect(micSelect, devices.filter((d) => d.kind === 'audioinput'), media.audioDeviceId, 'prejoin.mic.numbered');
  };
  const offs = [
    media.on('track', render),
    media.on('state', render),
    media.on('devices', (all) => {
      devices = all;
      fillSelects();
    }),
    media.on('error', (kind) => setError(kind === 'video' ? 'prejoin.camera.failed' : 'prejoin.mic.failed')),
  ];
  // Unnamed devices are numbered in the page's language; the toggles' names follow it too.
  live.add(() => {
    fillSelects();
    render();
  });
  micToggle.addEventListener('click', () => media.setMicEnabled(!media.micEnabled));
  camToggle.addEventListener('click', () => void media.setCameraEnabled(!(media.cameraEnabled && media.videoTrack)));
  cameraSelect.addEventListener('change', () => void media.selectCamera(cameraSelect.value));
  micSelect.addEventListener('change', () => void media.selectMicrophone(micSelect.value));

  const form = h(
    'form',
    {
      class: 'card prejoin-form',
      on: {
        submit: (event) => {
          event.preventDefault();
          const name = nameInput.value.trim();
          if (!name) {
            setError('prejoin.name.missing');
            nameInput.focus();
            return;
          }
          if (!isTypedTextAllowed(name)) {
            setError('prejoin.name.not-allowed');
            return;
          }
          const passcode = options.needPasscode ? passInput.value.trim() : '';
          if (options.needPasscode && !passcode) {
            setError('prejoin.passcode.missing');
            passInput.focus();
            return;
          }
          try {
            localStorage.setItem(NAME_KEY, name);
          } catch {
            // Not remembering the name is fine.
          }
          onJoin({ name, passcode });
        },
      },
    },
    text(h('h1'), () => (options.isHost ? 'prejoin.title.host' : 'prejoin.title')),
    text(h('label', { class: 'label', attrs: { for: 'name-input' } }), () => 'prejoin.name'),
    nameInput,
    options.needPasscode ? text(h('label', { class: 'label', attrs: { for: 'passcode-input' } }), () => 'prejoin.passcode') : null,
    options.needPasscode ? passInput : null,
    // Each device's on/off toggle sits beside its picker, after the name and before Join, so that the
    // tab order from the name field (focused first) reaches them before the Join button.
    text(h('label', { class: 'label', attrs: { for: 'camera-select' } }), () => 'prejoin.camera'),
    h('div', { class: 'device-row' }, camToggle, cameraSelect),
    text(h('label', { class: 'label', attrs: { for: 'mic-select' } }), () => 'prejoin.mic'),
    h('div', { class: 'device-row' }, micToggle, micSelect),
    h('div', { class: 'actions' }, joinButton),
    error,
  );

  const connectivity = connectivityCheckView(media);
  const element = h(
    'div',
    { class: 'page prejoin' },
    brandHeader(live),
    h(
      'main',
      { class: 'prejoin-main' },
      h(
        'section',
        { class: 'preview' },
        h('div', { class: 'preview-frame' }, video, cameraOffNote),
        h('div', { class: 'meter-row' }, icon('mic', 'icon small'), meter),
        connectivity.element,
      ),
      form,
    ),
  );
  const preview = element.querySelector<HTMLElement>('.preview');
  if (preview) live.add(() => setAttrs(preview, { 'aria-label': t('prejoin.check') }));
  render();
  setTimeout(() => nameInput.focus(), 0);

  return {
    element,
    setBusy(next: boolean) {
      busy = next;
      joinButton.disabled = next;
      joinButton.textContent = t(next ? 'prejoin.joining' : options.isHost ? 'prejoin.start' : 'prejoin.ask');
    },
    dispose() {
      live.dispose();
      for (const off of offs) off();
      connectivity.dispose();
      levelMeter.close();
      video.srcObject = null;
    },
  };
}

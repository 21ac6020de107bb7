/**
 * Pre-join: name, camera preview, microphone level, device pickers and toggles.
 * The passcode field appears only when the link had none.
 */
import type { LocalMedia } from '../../client/index.ts';
import { isTypedTextAllowed } from '../../protocol/text.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import { LevelMeter } from '../level-meter.ts';
import { brandHeader } from './brand.ts';

export interface PrejoinResult {
  name: string;
  passcode: string;
}

const NAME_KEY = 'sabha.displayName';

export function prejoinView(
  media: LocalMedia,
  options: { needPasscode: boolean; isHost: boolean },
  onJoin: (result: PrejoinResult) => void,
): { element: HTMLElement; dispose(): void; setBusy(busy: boolean): void } {
  const video = h('video', { class: 'preview-video mirrored', attrs: { autoplay: true, playsinline: true, muted: true, 'aria-label': 'Your camera preview' } });
  video.muted = true;
  const cameraOffNote = h('div', { class: 'preview-off', text: 'Camera is off' });
  const meterFill = h('div', { class: 'meter-fill' });
  const meter = h('div', { class: 'meter', attrs: { role: 'meter', 'aria-label': 'Microphone level', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 } }, meterFill);
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
  const joinButton = h('button', { class: 'button primary wide', text: options.isHost ? 'Start meeting' : 'Ask to join', attrs: { type: 'submit', 'data-testid': 'join-button' } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });

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
    micToggle.setAttribute('aria-label', micOn ? 'Turn microphone off' : 'Turn microphone on');
    micToggle.setAttribute('aria-pressed', String(!micOn));
    camToggle.replaceChildren(icon(hasVideo ? 'camera' : 'camera-off'));
    camToggle.classList.toggle('off', !hasVideo);
    camToggle.setAttribute('aria-label', hasVideo ? 'Turn camera off' : 'Turn camera on');
    camToggle.setAttribute('aria-pressed', String(!hasVideo));
    levelMeter.attach(micOn ? media.audioTrack : null);
  }

  function fillSelect(select: HTMLSelectElement, devices: MediaDeviceInfo[], current: string | null, fallback: string): void {
    select.replaceChildren(
      ...devices.map((d, i) => {
        const option = h('option', { text: d.label || `${fallback} ${i + 1}`, attrs: { value: d.deviceId } });
        option.selected = d.deviceId === current;
        return option;
      }),
    );
    select.disabled = devices.length === 0;
  }

  const offs = [
    media.on('track', render),
    media.on('state', render),
    media.on('devices', (all) => {
      fillSelect(cameraSelect, all.filter((d) => d.kind === 'videoinput'), media.videoDeviceId, 'Camera');
      fillSelect(micSelect, all.filter((d) => d.kind === 'audioinput'), media.audioDeviceId, 'Microphone');
    }),
    media.on('error', (kind) => {
      error.textContent = kind === 'video' ? 'The camera could not be opened.' : 'The microphone could not be opened.';
    }),
  ];
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
            error.textContent = 'Enter your name.';
            nameInput.focus();
            return;
          }
          if (!isTypedTextAllowed(name)) {
            error.textContent = 'The name contains characters that are not allowed.';
            return;
          }
          const passcode = options.needPasscode ? passInput.value.trim() : '';
          if (options.needPasscode && !passcode) {
            error.textContent = 'Enter the passcode.';
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
    h('h1', { text: options.isHost ? 'Ready to start?' : 'Ready to join?' }),
    h('label', { class: 'label', text: 'Your name', attrs: { for: 'name-input' } }),
    nameInput,
    options.needPasscode ? h('label', { class: 'label', text: 'Passcode', attrs: { for: 'passcode-input' } }) : null,
    options.needPasscode ? passInput : null,
    // Each device's on/off toggle sits beside its picker, after the name and before Join, so that the
    // tab order from the name field (focused first) reaches them before the Join button.
    h('label', { class: 'label', text: 'Camera', attrs: { for: 'camera-select' } }),
    h('div', { class: 'device-row' }, camToggle, cameraSelect),
    h('label', { class: 'label', text: 'Microphone', attrs: { for: 'mic-select' } }),
    h('div', { class: 'device-row' }, micToggle, micSelect),
    h('div', { class: 'actions' }, joinButton),
    error,
  );

  const element = h(
    'div',
    { class: 'page prejoin' },
    brandHeader(),
    h(
      'main',
      { class: 'prejoin-main' },
      h(
        'section',
        { class: 'preview', attrs: { 'aria-label': 'Camera and microphone check' } },
        h('div', { class: 'preview-frame' }, video, cameraOffNote),
        h('div', { class: 'meter-row' }, icon('mic', 'icon small'), meter),
      ),
      form,
    ),
  );
  render();
  setTimeout(() => nameInput.focus(), 0);

  return {
    element,
    setBusy(busy: boolean) {
      joinButton.disabled = busy;
      joinButton.textContent = busy ? 'Joining…' : options.isHost ? 'Start meeting' : 'Ask to join';
    },
    dispose() {
      for (const off of offs) off();
      levelMeter.close();
      video.srcObject = null;
    },
  };
}

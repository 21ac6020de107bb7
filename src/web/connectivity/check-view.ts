/**
 * The pre-join connectivity check: three lines (camera, microphone, the way for video and sound) that
 * say in plain words what works and, when something is blocked, what to ask the IT department for.
 */
import type { LocalMedia } from '../../client/index.ts';
import { h } from '../dom.ts';
import { onLanguageChange, t } from '../i18n/index.ts';
import { deviceLine, mediaPathLine, type CheckLine } from './advice.ts';
import { probeMediaPath, type MediaPathVerdict } from './media-path-probe.ts';

export function connectivityCheckView(media: LocalMedia): { element: HTMLElement; dispose(): void } {
  const row = (testId: string) => h('li', { class: 'check-line', attrs: { 'data-testid': testId, 'data-state': 'checking' } });
  const camera = row('check-camera');
  const microphone = row('check-microphone');
  const path = row('check-media-path');
  const show = (el: HTMLElement, line: CheckLine) => {
    el.dataset.state = line.state;
    el.textContent = line.text;
  };
  let verdict: MediaPathVerdict | null = null;
  const render = () => {
    show(camera, deviceLine('camera', media.videoTrack, media.cameraEnabled));
    show(microphone, deviceLine('microphone', media.audioTrack, media.micEnabled));
    show(path, mediaPathLine(verdict, location.hostname));
  };
  // The lines are written again in the page's language when the person picks another one.
  const offs = [media.on('track', render), media.on('state', render), onLanguageChange(render)];
  let disposed = false;
  void probeMediaPath().then((v) => {
    verdict = v;
    if (!disposed) render();
  });
  render();
  const element = h(
    'section',
    { class: 'connectivity-check', attrs: { 'aria-label': t('check.label'), 'aria-live': 'polite', 'data-testid': 'connectivity-check' } },
    h('ul', { class: 'check-lines' }, camera, microphone, path),
  );
  offs.push(onLanguageChange(() => element.setAttribute('aria-label', t('check.label'))));
  return {
    element,
    dispose() {
      disposed = true;
      for (const off of offs) off();
    },
  };
}

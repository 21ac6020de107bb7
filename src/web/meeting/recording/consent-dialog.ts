/**
 * The question every person must answer before a recording starts, or before entering a meeting that records:
 * who asks, what it means, a countdown when the request has a time limit, and two answers. Closing the dialog
 * any other way (Escape) answers nothing: the request then runs out, which counts as "not answered".
 */
import type { ConsentPrompt } from '../../../client/recording-consent.ts';
import { typedTextAttrs } from '../../bidi.ts';
import { h } from '../../dom.ts';
import { t, tNodes } from '../../i18n/index.ts';

export function showConsentDialog(prompt: ConsentPrompt, answer: (consent: boolean) => void): { close(): void } {
  const name = h('bdi', { text: prompt.byName, attrs: typedTextAttrs });
  const countdown = h('p', { class: 'muted small', attrs: { 'data-testid': 'recording-consent-countdown', 'aria-live': 'off' } });
  const yes = h('button', { class: 'button primary wide', text: t('recording.consent.yes'), attrs: { type: 'button', 'data-testid': 'recording-consent-yes' } });
  const no = h('button', { class: 'button secondary wide', text: t('recording.consent.no'), attrs: { type: 'button', 'data-testid': 'recording-consent-no' } });
  const dialog = h(
    'dialog',
    { class: 'dialog', attrs: { 'aria-labelledby': 'recording-consent-title', 'data-testid': 'recording-consent-dialog', 'data-request': prompt.request } },
    h('h2', { text: t('recording.consent.title'), attrs: { id: 'recording-consent-title' } }),
    h('p', { attrs: { 'data-testid': 'recording-consent-asker' } }, ...tNodes(prompt.recording ? 'recording.consent.running' : 'recording.consent.ask', { name })),
    h('p', { class: 'muted', text: t('recording.consent.detail') }),
    prompt.waiting ? h('p', { class: 'muted', text: t('recording.consent.waiting-detail') }) : null,
    prompt.deadline !== undefined ? countdown : null,
    h('div', { class: 'dialog-stack' }, yes, no),
  );
  const tick = () => {
    if (prompt.deadline === undefined) return;
    const count = Math.max(0, Math.ceil((prompt.deadline - Date.now()) / 1000));
    countdown.textContent = t('recording.consent.time-left', { count });
  };
  tick();
  const timer = setInterval(tick, 1000);
  const close = () => {
    clearInterval(timer);
    if (dialog.open) dialog.close();
    dialog.remove();
  };
  const choose = (consent: boolean) => {
    close();
    answer(consent);
  };
  yes.addEventListener('click', () => choose(true));
  no.addEventListener('click', () => choose(false));
  dialog.addEventListener('close', close);
  document.body.appendChild(dialog);
  dialog.showModal();
  no.focus();
  return { close };
}

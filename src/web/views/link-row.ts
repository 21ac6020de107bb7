/**
 * A read-only value (a meeting link, an enrolment link, a secret) with a button that copies it. Its caption
 * and labels follow the language; if the browser refuses the clipboard the value is selected for copying by hand.
 */
import { copyText, h, setAttrs } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import type { LiveText } from '../i18n/live-text.ts';
import { icon } from '../icons.ts';

/** `value` shown read-only under the caption `label`, with its copy button (test id `copy-<testId>`). */
export function linkRow(live: LiveText, label: PlainKey, value: string, testId: string): HTMLElement {
  const field = h('input', { class: 'input mono', attrs: { type: 'text', readonly: true, value, 'data-testid': testId } });
  const copied = h('span', { class: 'copied', attrs: { 'aria-live': 'polite' } });
  const caption = h('span', { class: 'label' });
  const copy = h(
    'button',
    {
      class: 'icon-button',
      attrs: { type: 'button', 'data-testid': `copy-${testId}` },
      on: {
        click: async () => {
          const ok = await copyText(value);
          if (!ok) field.select();
          copied.textContent = t(ok ? 'landing.copied' : 'landing.copy.by-hand');
          setTimeout(() => (copied.textContent = ''), 2000);
        },
      },
    },
    icon('copy'),
  );
  live.add(() => {
    caption.textContent = t(label);
    setAttrs(field, { 'aria-label': t(label) });
    setAttrs(copy, { 'aria-label': t('landing.copy.label', { label: t(label) }), title: t('landing.copy') });
  });
  return h('div', { class: 'link-row' }, caption, h('div', { class: 'link-field' }, field, copy), copied);
}

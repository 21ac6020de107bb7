/**
 * Links in chat never open on a click: the full address is shown first (with the
 * host name in punycode, so look-alike letters stand out) and the user decides.
 */
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';

export function confirmOpenLink(href: string): void {
  const url = new URL(href);
  const open = h('a', {
    class: 'button primary',
    text: t('link.open'),
    attrs: { href: url.href, target: '_blank', rel: 'noopener noreferrer', referrerpolicy: 'no-referrer', 'data-testid': 'link-open' },
  });
  const cancel = h('button', { class: 'button secondary', text: t('common.cancel'), attrs: { type: 'button', 'data-testid': 'link-cancel' } });
  const dialog = h(
    'dialog',
    { class: 'dialog', attrs: { 'aria-labelledby': 'link-dialog-title', 'data-testid': 'link-dialog' } },
    h('h2', { text: t('link.title'), attrs: { id: 'link-dialog-title' } }),
    h('p', { class: 'muted', text: t('link.text') }),
    h('p', { class: 'link-address mono', text: url.href }),
    h('p', { class: 'muted', text: t('link.site', { host: url.hostname }) }),
    h('div', { class: 'actions end' }, cancel, open),
  );
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  cancel.addEventListener('click', close);
  open.addEventListener('click', () => setTimeout(close, 0));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  cancel.focus();
}

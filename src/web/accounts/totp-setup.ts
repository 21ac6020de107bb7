/**
 * The authenticator-app step of setting a password: the secret key in groups of four (to type into an app by
 * hand), the otpauth:// set-up address (to copy to a password manager), and its QR code (to scan), then the
 * six-digit code that proves the app has it. The secret is shown only here, once, and never stored by the page.
 */
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { qrCode } from './qr-code.ts';
import type { TotpSetup } from './schemas.ts';
import { AccountPage, copyField } from './ui.ts';

/** `ABCDEFGHIJKLMNOP` → `ABCD EFGH IJKL MNOP` (padding left out: apps do not want it). */
export function groupSecret(secret: string): string {
  return (secret.replace(/=+$/, '').match(/.{1,4}/g) ?? []).join(' ');
}

export function totpSetupPanel(page: AccountPage, setup: TotpSetup): HTMLElement {
  const qr = h('div', { class: 'qr-frame', attrs: { 'data-testid': 'totp-qr' } });
  page.live.add(() => qr.replaceChildren(qrCode(setup.otpauthUri, t('enrol.totp.qr'))));
  const secret = h('p', { class: 'totp-secret mono', attrs: { 'data-testid': 'totp-secret', translate: 'no' }, text: groupSecret(setup.secret) });
  return h(
    'div',
    { class: 'totp-setup' },
    qr,
    h('div', { class: 'totp-text' }, page.text(h('span', { class: 'label' }), 'enrol.totp.secret'), secret, copyField(page, 'enrol.totp.uri', setup.otpauthUri, 'totp-uri')),
  );
}

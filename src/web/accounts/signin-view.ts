/**
 * `/signin`. A passkey first: one big button (the browser asks for the fingerprint, face, screen lock or
 * security key). Then, folded away, "Use a password instead": e-mail and password, then the six-digit code
 * of the authenticator app (a password alone never signs in). "Sign in with <organisation>" when the server
 * has an OpenID Connect provider configured (a plain link: the server redirects to the provider).
 *
 * What a person is told: one sentence for a wrong e-mail, password or disabled account (the server gives the
 * same answer for each, so that the page cannot be used to learn which accounts exist), one for a wrong or
 * reused code, and how long to wait when the server slows the attempts down.
 */
import { h } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { apiPost, failureCode } from './api-client.ts';
import { passkeyFailureText } from './passkey-actions.ts';
import { signInWithPasskey } from './passkey-client.ts';
import { done, passwordStep, type SessionInfo } from './schemas.ts';
import { AccountPage, failureText, focusHeading } from './ui.ts';

type Step = 'start' | 'password' | 'code';

/** Codes of the sign-in answers that have their own sentence; others get the shared ones (ui.ts). */
const SIGNIN_ERRORS: Record<string, PlainKey> = {
  'invalid-credentials': 'signin.error.invalid-credentials',
  'invalid-code': 'signin.error.invalid-code',
  'sign-in-again': 'signin.error.expired',
  'bad-request': 'signin.error.check-input',
};

/** Why single sign-on sent the person back (src/server/accounts/oidc/routes.ts); anything else is `failed`. */
const OIDC_ERRORS: Record<string, PlainKey> = {
  unavailable: 'signin.oidc.unavailable',
  cancelled: 'signin.oidc.cancelled',
  refused: 'signin.oidc.refused',
  failed: 'signin.oidc.failed',
};

/** `oidcError`: the code single sign-on came back with, if it did not work. */
export function signinView(session: SessionInfo | null, onSignedIn: () => void, oidcError: string | null = null): { element: HTMLElement; dispose: () => void } {
  const page = new AccountPage();
  const error = page.message('alert', 'signin-error');
  if (oidcError) {
    const key = OIDC_ERRORS[oidcError] ?? 'signin.oidc.failed';
    error.set(() => t(key));
  }
  const showFailure = (failure: unknown) => {
    const key = SIGNIN_ERRORS[failureCode(failure)];
    error.set(key ? () => t(key) : failureText(failure));
  };

  const heading = page.text(h('h1', { attrs: { id: 'signin-heading' } }), 'signin.title');

  // The passkey: first, and largest.
  const passkeyButton = page.text(h('button', { class: 'button primary wide big', attrs: { type: 'button', 'data-testid': 'signin-passkey' } }), 'signin.passkey');
  passkeyButton.addEventListener('click', async () => {
    passkeyButton.disabled = true;
    error.set(null);
    const result = await signInWithPasskey();
    passkeyButton.disabled = false;
    if (result.ok) onSignedIn();
    else error.set(passkeyFailureText(result, 'sign-in'));
  });

  const oidc = session && !session.signedIn ? session.oidc : null;
  const oidcLink = oidc
    ? h('a', { class: 'button secondary wide', attrs: { href: '/api/oidc/start', 'data-testid': 'signin-oidc' } })
    : null;
  if (oidcLink && oidc) page.live.add(() => (oidcLink.textContent = t('signin.oidc', { label: oidc.label })));

  // The password, folded away until asked for.
  const usePassword = page.text(h('button', { class: 'button ghost', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'signin-password-form', 'data-testid': 'signin-use-password' } }), 'signin.use-password');
  const email = page.input('signin-email', 'signin.email', { type: 'email', autocomplete: 'username', required: true, maxlength: 320, 'data-testid': 'signin-email' });
  const password = page.input('signin-password', 'signin.password', { type: 'password', autocomplete: 'current-password', required: true, maxlength: 256, 'data-testid': 'signin-password' });
  const passwordSubmit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'signin-password-submit' } }), 'signin.continue');
  const passwordForm = h(
    'form',
    { attrs: { id: 'signin-password-form', hidden: true, novalidate: true } },
    email.label,
    email.input,
    password.label,
    password.input,
    h('div', { class: 'actions' }, passwordSubmit),
  );
  page.attrs(passwordForm, () => ({ 'aria-label': t('signin.use-password') }));

  const codeHeading = page.text(h('h2', { attrs: { id: 'signin-code-heading' } }), 'signin.code.title');
  const code = page.input('signin-code', 'signin.code', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true, 'data-testid': 'signin-code' });
  const codeSubmit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'signin-code-submit' } }), 'signin.code.submit');
  const codeForm = h('form', { attrs: { hidden: true, 'aria-labelledby': 'signin-code-heading', novalidate: true, 'data-testid': 'signin-code-form' } }, codeHeading, code.label, code.input, h('div', { class: 'actions' }, codeSubmit));

  const startPart = h(
    'div',
    { class: 'signin-start' },
    page.text(h('p', { class: 'muted' }), 'signin.intro'),
    passkeyButton,
    page.text(h('p', { class: 'muted small' }), 'signin.passkey.hint'),
    oidcLink,
    h('div', { class: 'actions center' }, usePassword),
    passwordForm,
  );

  let step: Step = 'start';
  const goTo = (next: Step) => {
    step = next;
    startPart.hidden = next === 'code';
    codeForm.hidden = next !== 'code';
    passwordForm.hidden = next !== 'password';
    usePassword.setAttribute('aria-expanded', String(next === 'password'));
    if (next === 'password') email.input.focus();
    if (next === 'code') {
      code.input.value = '';
      focusHeading(codeHeading);
    }
  };
  usePassword.addEventListener('click', () => goTo(step === 'password' ? 'start' : 'password'));

  passwordForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!email.input.value.trim() || !password.input.value) {
      error.set(() => t('signin.error.check-input'));
      return;
    }
    passwordSubmit.disabled = true;
    error.set(null);
    try {
      const answer = await apiPost('/auth/password', { email: email.input.value.trim(), password: password.input.value }, passwordStep);
      password.input.value = '';
      if (answer.next === 'totp') goTo('code');
      else {
        goTo('start');
        error.set(() => t('signin.error.passkey-only'));
        passkeyButton.focus();
      }
    } catch (failure) {
      showFailure(failure);
    } finally {
      passwordSubmit.disabled = false;
    }
  });

  codeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = code.input.value.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(value)) {
      error.set(() => t('signin.error.code-format'));
      return;
    }
    codeSubmit.disabled = true;
    error.set(null);
    try {
      await apiPost('/auth/totp', { code: value }, done);
      onSignedIn();
    } catch (failure) {
      showFailure(failure);
      // The pending sign-in is gone (expired or refused too often): start again from the e-mail.
      const code = failureCode(failure);
      if (SIGNIN_ERRORS[code] === 'signin.error.expired') goTo('password');
    } finally {
      codeSubmit.disabled = false;
    }
  });

  const card = h('section', { class: 'card account-card', attrs: { 'aria-labelledby': 'signin-heading' } }, heading, startPart, codeForm, error.element);
  return { element: page.frame('signin-page', null, card), dispose: () => page.dispose() };
}

/**
 * The /account page's "Password and authenticator app" section: change (or, for a passkey-only account, set) the
 * password, and set up or replace the authenticator app (src/server/accounts/routes/self-service-routes.ts).
 *
 * Each change first proves it is the account's owner, not whoever found the browser open: the current password
 * and a code of the authenticator app, or a passkey instead of the code; a passkey-only account confirms with its
 * passkey. On success the server signs every other device out and gives this browser a new session (and CSRF
 * token), which the section loads before it redraws itself with the account's new factors.
 */
import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import * as z from 'zod/mini';
import { h } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { apiPost, failureCode } from './api-client.ts';
import { PASSWORD_HINTS } from './enrol-view.ts';
import { passkeyFailureText } from './passkey-actions.ts';
import { passkeysSupported } from './passkey-client.ts';
import { done, totpSetup, type SignedInSession, type TotpSetup } from './schemas.ts';
import { loadSession } from './session.ts';
import { totpSetupPanel } from './totp-setup.ts';
import { AccountPage, failureText } from './ui.ts';

type Factors = SignedInSession['factors'];

/** What the server wants as proof (reauthentication.ts); the passkey assertion passes through unread. */
interface Proof {
  currentPassword?: string;
  code?: string;
  passkey?: unknown;
}

const requestOptions = z.looseObject({ challenge: z.string().check(z.minLength(1), z.maxLength(1400)) });

/** A fresh passkey assertion for the server to check, or what went wrong (for passkeyFailureText). */
async function passkeyAssertion(): Promise<{ ok: true; response: unknown } | { ok: false; reason: 'not-supported' | 'cancelled' | 'failed'; code: string }> {
  if (!passkeysSupported()) return { ok: false, reason: 'not-supported', code: 'not-supported' };
  try {
    const optionsJSON = await apiPost('/passkeys/signin/options', {}, requestOptions);
    return { ok: true, response: await startAuthentication({ optionsJSON: optionsJSON as unknown as PublicKeyCredentialRequestOptionsJSON }) };
  } catch (error) {
    const name = error instanceof Error ? (error.cause instanceof Error ? error.cause.name : error.name) : '';
    if (name === 'NotAllowedError' || name === 'AbortError') return { ok: false, reason: 'cancelled', code: 'cancelled' };
    return { ok: false, reason: 'failed', code: failureCode(error) };
  }
}

function stateKey(factors: Factors): PlainKey {
  const password = factors.password ?? factors.totp;
  if (password && factors.totp) return 'account.totp.on';
  if (password) return 'account.totp.password-only';
  return factors.totp ? 'account.totp.app-only' : 'account.totp.off';
}

export function credentialSection(page: AccountPage, session: SignedInSession): HTMLElement {
  let factors: Factors = session.factors;
  const status = page.message('status', 'credentials-status');
  const error = page.message('alert', 'credentials-error');
  const state = h('p', { attrs: { 'data-testid': 'totp-state' } });
  const panel = h('div', { class: 'credentials-panel' });
  const passwordButton = h('button', { class: 'button secondary', attrs: { type: 'button', 'data-testid': 'password-change' } });
  const totpButton = h('button', { class: 'button secondary', attrs: { type: 'button', 'data-testid': 'totp-replace' } });
  const actions = h('div', { class: 'actions' }, passwordButton, totpButton);

  const draw = () => {
    const hasPassword = factors.password ?? factors.totp;
    state.dataset.enabled = String(factors.totp);
    state.textContent = t(stateKey(factors));
    passwordButton.textContent = t(hasPassword ? 'account.password.change' : 'account.password.add');
    totpButton.textContent = t(factors.totp ? 'account.totp.replace' : 'account.totp.add');
  };
  page.live.add(draw);

  const close = (focus: HTMLElement) => {
    panel.replaceChildren();
    actions.hidden = false;
    focus.focus();
  };

  /** After a change: the new session (its CSRF token) and factors, a message, the buttons back. */
  const changed = async (message: PlainKey, focus: HTMLElement) => {
    const fresh = await loadSession();
    if (fresh?.signedIn) factors = fresh.factors;
    draw();
    close(focus);
    status.set(() => t(message));
  };

  /** The fields that prove it is the owner, and the way to read them into a proof (null: not given, said why). */
  function reauthFields(prefix: string) {
    const hasPassword = factors.password ?? factors.totp;
    const current = page.input(`${prefix}-current`, 'account.reauth.password', { type: 'password', autocomplete: 'current-password', required: true, maxlength: 256, 'data-testid': `${prefix}-current` });
    const code = page.input(`${prefix}-code`, 'account.reauth.code', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true, 'data-testid': `${prefix}-code` });
    const intro = page.text(h('p', { class: 'muted' }), hasPassword ? 'account.reauth.intro' : 'account.reauth.intro-passkey');
    const fields: HTMLElement[] = [intro];
    if (hasPassword) fields.push(current.label, current.input);
    if (hasPassword && factors.totp) fields.push(code.label, code.input);
    const passkeyOnly = !hasPassword || !factors.totp;
    const offerPasskey = hasPassword && factors.totp && factors.passkeys > 0;
    const proof = async (withPasskey: boolean): Promise<Proof | null> => {
      const given: Proof = hasPassword ? { currentPassword: current.input.value } : {};
      if (withPasskey || passkeyOnly) {
        const assertion = await passkeyAssertion();
        if (!assertion.ok) {
          error.set(passkeyFailureText({ ok: false, reason: assertion.reason, code: assertion.code, retryAfterSeconds: null }, 'sign-in'));
          return null;
        }
        given.passkey = assertion.response;
      } else given.code = code.input.value.trim();
      return given;
    };
    const clear = () => (current.input.value = code.input.value = '');
    return { fields, proof, offerPasskey, clear, first: hasPassword ? current.input : null };
  }

  /** Says what a refusal means; a refused password's hints go into `hints`. */
  function refused(failure: unknown, hints: HTMLElement | null): void {
    const code = failureCode(failure);
    if (code === 'reauth-failed') error.set(() => t('account.reauth.failed'));
    else if (code === 'reauth-required') error.set(() => t('account.reauth.required'));
    else if (code === 'same-password') error.set(() => t('account.password.same'));
    else if (code === 'invalid-new-code') error.set(() => t('account.totp.new-code.wrong'));
    else if (code === 'weak-password' && hints) {
      error.set(() => t('enrol.error.weak-password'));
      const keys = [...new Set(((failure as { hints?: readonly string[] }).hints ?? []).map((hint) => PASSWORD_HINTS[hint]).filter((key) => key !== undefined))];
      for (const key of keys) hints.append(page.text(h('li'), key));
    } else error.set(failureText(failure));
  }

  /** The submit buttons: the usual one, and "a passkey instead of a code" when the account has both. */
  function submitButtons(prefix: string, key: PlainKey, reauth: ReturnType<typeof reauthFields>, run: (withPasskey: boolean) => Promise<void>, cancel: () => void) {
    const submit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': `${prefix}-submit` } }), key);
    const viaPasskey = reauth.offerPasskey
      ? page.text(h('button', { class: 'button secondary', attrs: { type: 'button', 'data-testid': `${prefix}-passkey` } }), 'account.reauth.use-passkey')
      : null;
    const back = page.text(h('button', { class: 'button secondary', attrs: { type: 'button', 'data-testid': `${prefix}-cancel` } }), 'account.cancel');
    const busy = async (withPasskey: boolean) => {
      submit.disabled = back.disabled = true;
      if (viaPasskey) viaPasskey.disabled = true;
      error.set(null);
      status.set(null);
      try {
        await run(withPasskey);
      } finally {
        submit.disabled = back.disabled = false;
        if (viaPasskey) viaPasskey.disabled = false;
      }
    };
    viaPasskey?.addEventListener('click', () => void busy(true));
    back.addEventListener('click', cancel);
    return { row: h('div', { class: 'actions' }, submit, viaPasskey, back), onSubmit: (event: Event) => (event.preventDefault(), void busy(false)) };
  }

  function passwordForm(): void {
    const reauth = reauthFields('password');
    const heading = page.text(h('h3', { attrs: { id: 'password-form-heading' } }), 'account.password.heading');
    const first = page.input('password-new', 'account.password.new', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 256, 'aria-describedby': 'password-new-intro', 'data-testid': 'password-new' });
    const again = page.input('password-again', 'account.password.again', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 256, 'data-testid': 'password-again' });
    const hints = h('ul', { class: 'hints', attrs: { 'data-testid': 'password-hints' } });
    const run = async (withPasskey: boolean) => {
      hints.replaceChildren();
      if (first.input.value !== again.input.value) {
        error.set(() => t('enrol.password.mismatch'));
        again.input.focus();
        return;
      }
      const proof = await reauth.proof(withPasskey);
      if (!proof) return;
      try {
        await apiPost('/account/password', { newPassword: first.input.value, ...proof }, done);
        await changed('account.password.changed', passwordButton);
      } catch (failure) {
        if (failureCode(failure) === 'reauth-failed') reauth.clear();
        refused(failure, hints);
        (failureCode(failure) === 'weak-password' ? first.input : (reauth.first ?? first.input)).focus();
      }
    };
    const buttons = submitButtons('password', 'account.password.change', reauth, run, () => close(passwordButton));
    const form = h(
      'form',
      { attrs: { 'aria-labelledby': 'password-form-heading', novalidate: true, 'data-testid': 'password-form' }, on: { submit: buttons.onSubmit } },
      heading,
      page.text(h('p', { class: 'muted', attrs: { id: 'password-new-intro' } }), 'enrol.password.intro'),
      first.label,
      first.input,
      again.label,
      again.input,
      hints,
      ...reauth.fields,
      buttons.row,
    );
    show(form, first.input);
  }

  async function totpForm(): Promise<void> {
    let setup: TotpSetup;
    try {
      setup = await apiPost('/account/totp/begin', {}, totpSetup);
    } catch (failure) {
      error.set(failureText(failure));
      return;
    }
    const reauth = reauthFields('totp');
    const heading = page.text(h('h3', { attrs: { id: 'totp-form-heading' } }), 'account.totp.setup.heading');
    const newCode = page.input('totp-new-code', 'account.totp.new-code', { type: 'text', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]{6}', maxlength: 6, required: true, 'data-testid': 'totp-new-code' });
    const run = async (withPasskey: boolean) => {
      const proof = await reauth.proof(withPasskey);
      if (!proof) return;
      try {
        await apiPost('/account/totp/finish', { newCode: newCode.input.value.trim(), ...proof }, done);
        await changed('account.totp.changed', totpButton);
      } catch (failure) {
        if (failureCode(failure) === 'reauth-failed') reauth.clear();
        refused(failure, null);
        (failureCode(failure) === 'invalid-new-code' ? newCode.input : (reauth.first ?? newCode.input)).focus();
      }
    };
    const buttons = submitButtons('totp', 'account.totp.submit', reauth, run, () => close(totpButton));
    const form = h(
      'form',
      { attrs: { 'aria-labelledby': 'totp-form-heading', novalidate: true, 'data-testid': 'totp-form' }, on: { submit: buttons.onSubmit } },
      heading,
      page.text(h('p', { class: 'muted' }), 'account.totp.setup.intro'),
      totpSetupPanel(page, setup),
      newCode.label,
      newCode.input,
      ...reauth.fields,
      buttons.row,
    );
    show(form, newCode.input);
  }

  /** Puts a form in place of the buttons; the first field to fill takes the focus (the heading names the form). */
  const show = (form: HTMLElement, focus: HTMLElement) => {
    error.set(null);
    status.set(null);
    actions.hidden = true;
    panel.replaceChildren(form);
    focus.focus();
  };

  passwordButton.addEventListener('click', passwordForm);
  totpButton.addEventListener('click', () => void totpForm());

  return h(
    'section',
    { class: 'card account-card', attrs: { 'aria-labelledby': 'totp-heading' } },
    page.text(h('h2', { attrs: { id: 'totp-heading' } }), 'account.totp.heading'),
    state,
    status.element,
    error.element,
    actions,
    panel,
  );
}

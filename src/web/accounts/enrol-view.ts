/**
 * `/enrol#<token>`: a new user (or one whose account an administrator reset) sets up how they sign in.
 *
 * The one-time token comes in the URL fragment (never sent to the server by the browser, never in its logs);
 * app.ts takes it out of the address bar before this page is drawn, and the page keeps it in memory only and
 * sends it in request bodies. A reload therefore loses it: the page then says to open the link again.
 *
 * Steps: check the link (`inspect`: whose account it is; the first-start link of a new server asks the first
 * administrator's e-mail and name first) → choose: a passkey (first choice: one step, the
 * token is spent and the person signed in) or a password → the authenticator app (secret, set-up address,
 * QR code) → the code that proves the app has it (the token is spent, signed in) → done.
 */
import { h } from '../dom.ts';
import { t, tNodes, type PlainKey } from '../i18n/index.ts';
import { apiPost, failureCode } from './api-client.ts';
import { passkeyFailureText } from './passkey-actions.ts';
import { registerPasskey } from './passkey-client.ts';
import { done, enrolSetup, enrolment, totpSetup } from './schemas.ts';
import { totpSetupPanel } from './totp-setup.ts';
import { AccountPage, failureText, focusHeading } from './ui.ts';

/** What zxcvbn and the server's own checks say about a refused password (src/server/accounts/passwords.ts). */
export const PASSWORD_HINTS: Record<string, PlainKey> = {
  'too-short': 'enrol.hint.too-short',
  'too-long': 'enrol.hint.too-long',
  'too-guessable': 'enrol.hint.guessable',
  topTen: 'enrol.hint.common',
  topHundred: 'enrol.hint.common',
  common: 'enrol.hint.common',
  similarToCommon: 'enrol.hint.common',
  pwned: 'enrol.hint.common',
  userInputs: 'enrol.hint.personal',
  straightRow: 'enrol.hint.pattern',
  keyPattern: 'enrol.hint.pattern',
  longerKeyboardPattern: 'enrol.hint.pattern',
  sequences: 'enrol.hint.pattern',
  simpleRepeat: 'enrol.hint.pattern',
  extendedRepeat: 'enrol.hint.pattern',
  repeated: 'enrol.hint.pattern',
  dates: 'enrol.hint.dates',
  recentYears: 'enrol.hint.dates',
  associatedYears: 'enrol.hint.dates',
  wordByItself: 'enrol.hint.more-words',
  namesByThemselves: 'enrol.hint.more-words',
  commonNames: 'enrol.hint.more-words',
  anotherWord: 'enrol.hint.more-words',
  useWords: 'enrol.hint.more-words',
};

/** Answers that mean the link itself is of no use (spent, expired, replaced, mangled). */
const DEAD_LINK = new Set(['invalid-token', 'bad-request']);

export function enrolView(token: string | null, onDone: () => void): { element: HTMLElement; dispose: () => void } {
  const page = new AccountPage();
  const error = page.message('alert', 'enrol-error');
  const heading = page.text(h('h1', { attrs: { id: 'enrol-heading' } }), 'enrol.title');
  const body = h('div', { class: 'enrol-body', attrs: { 'aria-busy': 'true' } }, page.text(h('p', { class: 'muted' }), 'accounts.loading'));
  const card = h('section', { class: 'card account-card', attrs: { 'aria-labelledby': 'enrol-heading' } }, heading, body, error.element);
  const element = page.frame('enrol-page', null, card);

  const fail = (failure: unknown) => {
    if (DEAD_LINK.has(failureCode(failure))) deadLink();
    else error.set(failureText(failure));
  };

  function deadLink(): void {
    error.set(null);
    body.removeAttribute('aria-busy');
    body.replaceChildren(h('div', { attrs: { 'data-testid': 'enrol-invalid' } }, page.text(h('h2', { attrs: { id: 'enrol-invalid-heading' } }), 'enrol.invalid'), page.text(h('p', { class: 'muted' }), 'enrol.invalid.detail')));
    focusHeading(body.querySelector('h2')!);
  }

  /** The first-start link: the first administrator says who they are, then sets up how they sign in. */
  function setupStep(secret: string): void {
    body.removeAttribute('aria-busy');
    const stepHeading = page.text(h('h2', { attrs: { id: 'enrol-setup-heading' } }), 'enrol.setup.heading');
    const email = page.input('enrol-setup-email', 'admin.add.email', { type: 'email', autocomplete: 'email', required: true, maxlength: 254, 'data-testid': 'enrol-setup-email' });
    const name = page.input('enrol-setup-name', 'admin.add.name', { type: 'text', autocomplete: 'name', required: true, maxlength: 100, dir: 'auto', 'data-testid': 'enrol-setup-name' });
    const submit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'enrol-setup-submit' } }), 'signin.continue');
    const form = h(
      'form',
      { attrs: { 'aria-labelledby': 'enrol-setup-heading', novalidate: true } },
      stepHeading,
      page.text(h('p', { class: 'muted' }), 'enrol.setup.intro'),
      email.label,
      email.input,
      name.label,
      name.input,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const address = email.input.value.trim();
      const displayName = name.input.value.trim();
      if (!address.includes('@') || !displayName) {
        error.set(() => t('admin.error.bad-request'));
        return;
      }
      submit.disabled = true;
      error.set(null);
      try {
        choose(await apiPost('/enrol/setup', { token: secret, email: address, displayName }, enrolSetup), secret);
      } catch (failure) {
        if (failureCode(failure) === 'email-taken') error.set(() => t('admin.error.email-taken'));
        else if (failureCode(failure) === 'bad-request') error.set(() => t('admin.error.bad-request'));
        else fail(failure);
      } finally {
        submit.disabled = false;
      }
    });
    body.replaceChildren(form);
    email.input.focus();
  }

  function choose(who: { email: string; displayName: string }, secret: string): void {
    body.removeAttribute('aria-busy');
    const welcome = h('p', { attrs: { 'data-testid': 'enrol-who' } });
    page.live.add(() => welcome.replaceChildren(...tNodes('enrol.welcome', { name: h('bdi', { text: who.displayName }), email: h('bdi', { class: 'enrol-email', text: who.email }) })));

    const passkeyButton = page.text(h('button', { class: 'button primary wide big', attrs: { type: 'button', 'data-testid': 'enrol-passkey' } }), 'enrol.passkey');
    passkeyButton.addEventListener('click', async () => {
      passkeyButton.disabled = true;
      error.set(null);
      const result = await registerPasskey({ token: secret });
      passkeyButton.disabled = false;
      if (result.ok) finished();
      else if (result.reason === 'refused' && DEAD_LINK.has(result.code)) deadLink();
      else error.set(passkeyFailureText(result, 'register'));
    });
    const usePassword = page.text(h('button', { class: 'button ghost', attrs: { type: 'button', 'data-testid': 'enrol-use-password' } }), 'enrol.use-password');
    usePassword.addEventListener('click', () => passwordStep(secret));
    body.replaceChildren(
      welcome,
      page.text(h('h2', { attrs: { id: 'enrol-passkey-heading' } }), 'enrol.passkey.heading'),
      page.text(h('p', { class: 'muted' }), 'enrol.passkey.intro'),
      passkeyButton,
      h('div', { class: 'actions center' }, usePassword),
    );
  }

  function passwordStep(secret: string): void {
    error.set(null);
    const stepHeading = page.text(h('h2', { attrs: { id: 'enrol-password-heading' } }), 'enrol.password.heading');
    const first = page.input('enrol-password', 'enrol.password', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 256, 'aria-describedby': 'enrol-password-intro', 'data-testid': 'enrol-password' });
    const again = page.input('enrol-password-again', 'enrol.password.again', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 256, 'data-testid': 'enrol-password-again' });
    const hints = h('ul', { class: 'hints', attrs: { 'data-testid': 'enrol-hints' } });
    const submit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'enrol-password-submit' } }), 'enrol.password.submit');
    const form = h(
      'form',
      { attrs: { 'aria-labelledby': 'enrol-password-heading', novalidate: true } },
      stepHeading,
      page.text(h('p', { class: 'muted', attrs: { id: 'enrol-password-intro' } }), 'enrol.password.intro'),
      first.label,
      first.input,
      again.label,
      again.input,
      hints,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      hints.replaceChildren();
      if (first.input.value !== again.input.value) {
        error.set(() => t('enrol.password.mismatch'));
        again.input.focus();
        return;
      }
      submit.disabled = true;
      error.set(null);
      try {
        await apiPost('/enrol/password', { token: secret, password: first.input.value }, done);
        const setup = await apiPost('/enrol/totp/begin', { token: secret }, totpSetup);
        first.input.value = again.input.value = '';
        totpStep(secret, setup);
      } catch (failure) {
        if (failureCode(failure) === 'weak-password') {
          error.set(() => t('enrol.error.weak-password'));
          const keys = [...new Set(((failure as { hints?: readonly string[] }).hints ?? []).map((hint) => PASSWORD_HINTS[hint]).filter((key) => key !== undefined))];
          for (const key of keys) hints.append(page.text(h('li'), key));
          first.input.focus();
        } else fail(failure);
      } finally {
        submit.disabled = false;
      }
    });
    body.replaceChildren(form);
    first.input.focus();
  }

  function totpStep(secret: string, setup: { secret: string; otpauthUri: string }): void {
    const stepHeading = page.text(h('h2', { attrs: { id: 'enrol-totp-heading' } }), 'enrol.totp.heading');
    const code = page.input('enrol-code', 'enrol.totp.code', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true, 'data-testid': 'enrol-code' });
    const submit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'enrol-code-submit' } }), 'enrol.totp.submit');
    const form = h(
      'form',
      { attrs: { 'aria-labelledby': 'enrol-totp-heading', novalidate: true } },
      stepHeading,
      page.text(h('p', { class: 'muted' }), 'enrol.totp.intro'),
      totpSetupPanel(page, setup),
      code.label,
      code.input,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = code.input.value.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(value)) {
        error.set(() => t('signin.error.code-format'));
        return;
      }
      submit.disabled = true;
      error.set(null);
      try {
        await apiPost('/enrol/totp/finish', { token: secret, code: value }, done);
        finished();
      } catch (failure) {
        if (failureCode(failure) === 'invalid-code') error.set(() => t('signin.error.invalid-code'));
        else fail(failure);
      } finally {
        submit.disabled = false;
      }
    });
    body.replaceChildren(form);
    focusHeading(stepHeading);
  }

  function finished(): void {
    error.set(null);
    const doneHeading = page.text(h('h2', { attrs: { id: 'enrol-done-heading' } }), 'enrol.done.title');
    const home = page.text(h('button', { class: 'button primary', attrs: { type: 'button', 'data-testid': 'enrol-continue' } }), 'enrol.done.continue');
    home.addEventListener('click', onDone);
    body.replaceChildren(h('div', { attrs: { 'data-testid': 'enrol-done' } }, doneHeading, page.text(h('p', { class: 'muted' }), 'enrol.done.detail'), h('div', { class: 'actions' }, home)));
    focusHeading(doneHeading);
  }

  if (!token) deadLink();
  else
    void apiPost('/enrol/inspect', { token }, enrolment).then(
      (who) => (who.email === null || who.displayName === null ? setupStep(token) : choose({ email: who.email, displayName: who.displayName }, token)),
      (failure: unknown) => {
        body.removeAttribute('aria-busy');
        fail(failure);
      },
    );

  return { element, dispose: () => page.dispose() };
}

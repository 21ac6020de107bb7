/**
 * `/account`: who is signed in, their passkeys (add one on this device, remove one), their password and
 * authenticator app (change or set up: credential-forms.ts), and the two ways out: sign out (this browser) and
 * sign out everywhere (every session of the account, this one too: after a lost phone or a shared computer).
 */
import { h } from '../dom.ts';
import { formatNumber, language, t, tNodes } from '../i18n/index.ts';
import { failureCode } from './api-client.ts';
import { credentialSection } from './credential-forms.ts';
import { passkeyFailureText } from './passkey-actions.ts';
import { deletePasskey, listPasskeys, registerPasskey, type PasskeySummary } from './passkey-client.ts';
import type { SignedInSession } from './schemas.ts';
import { signOut } from './session.ts';
import { AccountPage, failureText } from './ui.ts';
import { userMenu } from './user-menu.ts';

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleString(language() === 'hi' ? 'hi-IN' : 'en-IN', { dateStyle: 'medium', timeStyle: 'short' });
}

export function accountView(session: SignedInSession, navigate: (url: string) => void): { element: HTMLElement; dispose: () => void } {
  const page = new AccountPage();
  const status = page.message('status', 'account-status');
  const error = page.message('alert', 'account-error');
  const user = session.user;

  const who = h('p', { attrs: { 'data-testid': 'account-who' } });
  page.live.add(() =>
    who.replaceChildren(...tNodes('account.signed-in-as', { name: h('bdi', { text: user.displayName }), email: h('bdi', { text: user.email }), role: t(user.role === 'admin' ? 'account.role.admin' : 'account.role.member') })),
  );

  // Passkeys.
  const list = h('ul', { class: 'item-list', attrs: { 'data-testid': 'passkey-list', 'aria-labelledby': 'passkeys-heading' } });
  let passkeys: PasskeySummary[] = [];
  const drawPasskeys = () => {
    if (passkeys.length === 0) {
      list.replaceChildren(h('li', { class: 'muted', attrs: { 'data-testid': 'passkey-none' } }, t('account.passkeys.none')));
      return;
    }
    list.replaceChildren(
      ...passkeys.map((passkey, index) => {
        const name = passkey.name || t('account.passkeys.unnamed', { number: formatNumber(index + 1) });
        const remove = h('button', {
          class: 'button tiny danger',
          text: t('account.passkeys.remove'),
          attrs: { type: 'button', 'aria-label': t('account.passkeys.remove.label', { name }), 'data-testid': `passkey-remove-${passkey.id}` },
          on: { click: () => void removePasskey(passkey, name, remove) },
        });
        const when = passkey.lastUsedAt === null ? t('account.passkeys.created', { date: formatDate(passkey.createdAt) }) : t('account.passkeys.used', { date: formatDate(passkey.lastUsedAt) });
        return h('li', { class: 'item', attrs: { 'data-testid': 'passkey-item' } }, h('div', { class: 'item-text' }, h('bdi', { class: 'item-name', text: name }), h('span', { class: 'muted small', text: when })), remove);
      }),
    );
  };
  page.live.add(drawPasskeys);

  async function refreshPasskeys(): Promise<void> {
    try {
      passkeys = await listPasskeys();
      drawPasskeys();
    } catch (failure) {
      error.set(failureText(failure));
    }
  }

  async function removePasskey(passkey: PasskeySummary, name: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    error.set(null);
    try {
      await deletePasskey(passkey.id);
      status.set(() => t('account.passkeys.removed', { name }));
      await refreshPasskeys();
      addButton.focus();
    } catch (failure) {
      button.disabled = false;
      error.set(failureCode(failure) === 'last-sign-in-method' ? () => t('account.passkeys.last') : failureText(failure));
    }
  }

  const addButton = page.text(h('button', { class: 'button secondary', attrs: { type: 'button', 'data-testid': 'passkey-add' } }), 'account.passkeys.add');
  addButton.addEventListener('click', async () => {
    addButton.disabled = true;
    error.set(null);
    status.set(null);
    const result = await registerPasskey();
    addButton.disabled = false;
    if (result.ok) {
      status.set(() => t('account.passkeys.added'));
      await refreshPasskeys();
    } else error.set(passkeyFailureText(result, 'register'));
  });


  const signOutButton = page.text(h('button', { class: 'button secondary', attrs: { type: 'button', 'data-testid': 'signout' } }), 'account.signout');
  const everywhereButton = page.text(h('button', { class: 'button danger', attrs: { type: 'button', 'aria-describedby': 'signout-everywhere-detail', 'data-testid': 'signout-everywhere' } }), 'account.signout-everywhere');
  const leave = (everywhere: boolean) => async () => {
    signOutButton.disabled = everywhereButton.disabled = true;
    error.set(null);
    try {
      await signOut(everywhere);
      navigate(everywhere ? '/signin' : '/');
    } catch (failure) {
      signOutButton.disabled = everywhereButton.disabled = false;
      error.set(failureText(failure));
    }
  };
  signOutButton.addEventListener('click', leave(false));
  everywhereButton.addEventListener('click', leave(true));

  const heading = page.text(h('h1'), 'account.title');
  const content = h(
    'div',
    { class: 'account-sections' },
    h('section', { class: 'card account-card' }, heading, who, status.element, error.element),
    h(
      'section',
      { class: 'card account-card', attrs: { 'aria-labelledby': 'passkeys-heading' } },
      page.text(h('h2', { attrs: { id: 'passkeys-heading' } }), 'account.passkeys.heading'),
      page.text(h('p', { class: 'muted' }), 'account.passkeys.intro'),
      list,
      h('div', { class: 'actions' }, addButton),
    ),
    credentialSection(page, session),
    h(
      'section',
      { class: 'card account-card', attrs: { 'aria-labelledby': 'sessions-heading' } },
      page.text(h('h2', { attrs: { id: 'sessions-heading' } }), 'account.sessions.heading'),
      page.text(h('p', { class: 'muted', attrs: { id: 'signout-everywhere-detail' } }), 'account.signout-everywhere.detail'),
      h('div', { class: 'actions' }, signOutButton, everywhereButton),
    ),
  );
  void refreshPasskeys();
  return { element: page.frame('account-page', userMenu(page.live, session, navigate), content), dispose: () => page.dispose() };
}

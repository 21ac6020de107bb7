/**
 * The signed-in person's menu in the header of the pages outside a meeting: a button with their name that
 * opens a list of links (their account, scheduled meetings, the admin page for administrators) and "Sign out".
 * A disclosure (button with aria-expanded + a list), not an ARIA menu: links and a button a keyboard reaches
 * with Tab, and Escape closes it and gives the focus back to the button.
 */
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import type { LiveText } from '../i18n/live-text.ts';
import type { SignedInSession } from './schemas.ts';
import { signOut } from './session.ts';

export function userMenu(live: LiveText, session: SignedInSession, navigate: (url: string) => void): HTMLElement {
  const listId = 'user-menu-list';
  const name = h('bdi', { text: session.user.displayName || session.user.email });
  const toggle = h('button', {
    class: 'button secondary user-menu-button',
    attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': listId, 'data-testid': 'user-menu' },
  }, name);
  const link = (href: string, testId: string) => h('a', { class: 'user-menu-item', attrs: { href, 'data-testid': testId } });
  const account = link('/account', 'menu-account');
  const schedule = link('/schedule', 'menu-schedule');
  const admin = session.user.role === 'admin' ? link('/admin', 'menu-admin') : null;
  const signOutButton = h('button', {
    class: 'user-menu-item',
    attrs: { type: 'button', 'data-testid': 'menu-signout' },
    on: {
      click: async () => {
        signOutButton.disabled = true;
        try {
          await signOut(false);
        } catch {
          // The session may be gone already; the home page asks the server again.
        }
        navigate('/');
      },
    },
  });
  live.add(() => {
    account.textContent = t('account.title');
    schedule.textContent = t('menu.schedule');
    if (admin) admin.textContent = t('admin.title');
    signOutButton.textContent = t('account.signout');
  });
  const list = h('ul', { class: 'user-menu-list', attrs: { id: listId, hidden: true } }, ...[account, schedule, admin, signOutButton].map((item) => (item ? h('li', {}, item) : null)));
  const setOpen = (open: boolean) => {
    list.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  const menu = h('nav', { class: 'user-menu' }, toggle, list);
  menu.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || list.hidden) return;
    setOpen(false);
    toggle.focus();
  });
  // Leaving the menu (a click or the focus elsewhere) closes it.
  menu.addEventListener('focusout', (event) => {
    if (!menu.contains(event.relatedTarget as Node | null)) setOpen(false);
  });
  live.add(() => menu.setAttribute('aria-label', t('menu.nav')));
  return menu;
}

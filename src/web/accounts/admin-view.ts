/**
 * `/admin`, for administrators: the users (role and state), adding a user (the page shows the set-up link to
 * send them), disabling and enabling, resetting (signs the user out everywhere, removes their password and
 * passkeys, and gives a new set-up link), and the audit log of security events, newest first, a page at a time.
 *
 * A member who opens it is told it is for administrators; the server refuses the API to them anyway.
 */
import { h } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { apiGet, apiPost, failureCode } from './api-client.ts';
import { formatDate } from './account-view.ts';
import { adminUsers, auditPage, createdUser, done as doneSchema, enrolLink, type AdminUser, type AuditEntry, type SignedInSession } from './schemas.ts';
import { AccountPage, copyField, failureText, focusHeading } from './ui.ts';
import { userMenu } from './user-menu.ts';

/** The server's page of audit events (src/server/accounts/routes/admin-routes.ts): fewer means the oldest was reached. */
const AUDIT_PAGE_SIZE = 100;

const ADMIN_ERRORS: Record<string, PlainKey> = {
  'email-taken': 'admin.error.email-taken',
  'bad-request': 'admin.error.bad-request',
  'not-on-yourself': 'admin.error.not-on-yourself',
  'not-found': 'admin.error.not-found',
};

export function adminRefusedView(session: SignedInSession, navigate: (url: string) => void): { element: HTMLElement; dispose: () => void } {
  const page = new AccountPage();
  const card = h(
    'section',
    { class: 'card account-card', attrs: { 'data-testid': 'admin-refused' } },
    page.text(h('h1'), 'admin.refused.title'),
    page.text(h('p', { class: 'muted' }), 'admin.refused.detail'),
    h('div', { class: 'actions' }, page.text(h('a', { class: 'button primary', attrs: { href: '/' } }), 'unavailable.home')),
  );
  return { element: page.frame('admin-page', userMenu(page.live, session, navigate), card), dispose: () => page.dispose() };
}

export function adminView(session: SignedInSession, navigate: (url: string) => void): { element: HTMLElement; dispose: () => void } {
  const page = new AccountPage();
  const status = page.message('status', 'admin-status');
  const error = page.message('alert', 'admin-error');
  const showFailure = (failure: unknown) => {
    const key = ADMIN_ERRORS[failureCode(failure)];
    error.set(key ? () => t(key) : failureText(failure));
  };

  // A set-up link just made (add or reset): shown until the next one, to copy and send.
  const linkBox = h('div', { class: 'enrol-link-box', attrs: { hidden: true, 'data-testid': 'admin-link-box' } });
  const showLink = (user: { email: string }, link: string) => {
    const title = h('h2', { attrs: { id: 'admin-link-heading' } });
    page.live.add(() => (title.textContent = t('admin.link.for', { email: user.email })));
    linkBox.replaceChildren(title, page.text(h('p', { class: 'muted' }), 'admin.link.detail'), copyField(page, 'admin.link.label', link, 'admin-enrol-link'));
    linkBox.hidden = false;
    focusHeading(title);
  };

  // Users.
  const tbody = h('tbody', { attrs: { 'data-testid': 'admin-users' } });
  let users: AdminUser[] = [];
  const drawUsers = () => tbody.replaceChildren(...users.map(userRow));
  page.live.add(drawUsers);

  function userRow(user: AdminUser): HTMLTableRowElement {
    const self = user.id === session.user.id;
    const action = (key: PlainKey, labelKey: 'admin.disable.label' | 'admin.enable.label' | 'admin.reset.label', testId: string, run: () => Promise<void>, danger = false) => {
      const button = h('button', {
        class: `button tiny ${danger ? 'danger' : 'secondary'}`,
        text: t(key),
        attrs: { type: 'button', 'aria-label': t(labelKey, { email: user.email }), 'data-testid': `${testId}-${user.id}` },
      });
      button.addEventListener('click', async () => {
        button.disabled = true;
        error.set(null);
        status.set(null);
        try {
          await run();
        } catch (failure) {
          showFailure(failure);
        } finally {
          button.disabled = false;
        }
      });
      return button;
    };
    const toggle = user.disabled
      ? action('admin.enable', 'admin.enable.label', 'admin-enable', async () => {
          await apiPost(`/admin/users/${encodeURIComponent(user.id)}/enable`, {}, doneSchema);
          status.set(() => t('admin.enabled', { email: user.email }));
          await refreshAll();
        })
      : action('admin.disable', 'admin.disable.label', 'admin-disable', async () => {
          await apiPost(`/admin/users/${encodeURIComponent(user.id)}/disable`, {}, doneSchema);
          status.set(() => t('admin.disabled', { email: user.email }));
          await refreshAll();
        });
    const reset = action(
      'admin.reset',
      'admin.reset.label',
      'admin-reset',
      async () => {
        const answer = await apiPost(`/admin/users/${encodeURIComponent(user.id)}/reset`, {}, enrolLink);
        showLink(user, answer.enrolLink);
        await refreshAll();
      },
      true,
    );
    return h(
      'tr',
      { attrs: { 'data-testid': 'admin-user', 'data-email': user.email, 'data-user-id': user.id } },
      h('td', {}, h('bdi', { text: user.email }), self ? h('span', { class: 'muted small', text: ` ${t('admin.you')}` }) : null),
      h('td', {}, h('bdi', { text: user.displayName })),
      h('td', { text: t(user.role === 'admin' ? 'account.role.admin' : 'account.role.member') }),
      h('td', { attrs: { 'data-testid': 'admin-user-state' } }, h('span', { class: `pill ${user.disabled ? 'pill-off' : 'pill-on'}`, text: t(user.disabled ? 'admin.state.disabled' : 'admin.state.active') })),
      h('td', { class: 'row-actions' }, self ? null : toggle, self ? null : reset),
    );
  }

  /** After a change: the users, and the audit log that recorded it. */
  async function refreshAll(): Promise<void> {
    await refreshUsers();
    await loadAudit(null);
  }

  async function refreshUsers(): Promise<void> {
    try {
      users = (await apiGet('/admin/users', adminUsers)).users;
      drawUsers();
    } catch (failure) {
      showFailure(failure);
    }
  }

  // Adding a user.
  const email = page.input('admin-add-email', 'admin.add.email', { type: 'email', autocomplete: 'off', required: true, maxlength: 320, 'data-testid': 'admin-add-email' });
  const name = page.input('admin-add-name', 'admin.add.name', { type: 'text', autocomplete: 'off', required: true, maxlength: 64, dir: 'auto', 'data-testid': 'admin-add-name' });
  const role = h('select', { class: 'select', attrs: { id: 'admin-add-role', 'data-testid': 'admin-add-role' } }, h('option', { attrs: { value: 'member' } }), h('option', { attrs: { value: 'admin' } }));
  page.live.add(() => {
    role.options[0]!.textContent = t('account.role.member');
    role.options[1]!.textContent = t('account.role.admin');
  });
  const addSubmit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'admin-add-submit' } }), 'admin.add.submit');
  const addForm = h(
    'form',
    { class: 'admin-add', attrs: { 'aria-labelledby': 'admin-add-heading', novalidate: true } },
    page.text(h('h2', { attrs: { id: 'admin-add-heading' } }), 'admin.add.heading'),
    h('div', { class: 'field-grid' }, h('div', {}, email.label, email.input), h('div', {}, name.label, name.input), h('div', {}, page.text(h('label', { class: 'label', attrs: { for: 'admin-add-role' } }), 'admin.add.role'), role)),
    h('div', { class: 'actions' }, addSubmit),
  );
  addForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const address = email.input.value.trim();
    const displayName = name.input.value.trim();
    if (!address || !displayName) {
      error.set(() => t('admin.error.bad-request'));
      return;
    }
    addSubmit.disabled = true;
    error.set(null);
    status.set(null);
    try {
      const answer = await apiPost('/admin/users', { email: address, displayName, role: role.value }, createdUser);
      email.input.value = name.input.value = '';
      role.value = 'member';
      showLink(answer.user, answer.enrolLink);
      await refreshAll();
    } catch (failure) {
      showFailure(failure);
    } finally {
      addSubmit.disabled = false;
    }
  });

  // The audit log, newest first; "Older events" fetches the page before the oldest shown.
  const auditBody = h('tbody', { attrs: { 'data-testid': 'admin-audit' } });
  let events: AuditEntry[] = [];
  const emailOf = (userId: string | null) => (userId ? (users.find((u) => u.id === userId)?.email ?? userId) : '');
  const drawAudit = () =>
    auditBody.replaceChildren(
      ...(events.length === 0
        ? [h('tr', {}, h('td', { class: 'muted', text: t('admin.audit.none'), attrs: { colspan: 5 } }))]
        : events.map((event) =>
            h(
              'tr',
              { attrs: { 'data-testid': 'audit-event', 'data-type': event.type } },
              h('td', { text: formatDate(event.at) }),
              h('td', { class: 'mono', text: event.type }),
              h('td', {}, h('bdi', { text: emailOf(event.userId) })),
              h('td', { class: 'mono', text: event.address }),
              h('td', { class: 'mono', text: event.detail ?? '' }),
            ),
          )),
    );
  page.live.add(drawAudit);
  const older = page.text(h('button', { class: 'button secondary', attrs: { type: 'button', hidden: true, 'data-testid': 'admin-audit-older' } }), 'admin.audit.older');
  async function loadAudit(before: number | null): Promise<void> {
    older.disabled = true;
    try {
      const answer = await apiGet(`/admin/audit${before === null ? '' : `?before=${before}`}`, auditPage);
      events = before === null ? answer.events : [...events, ...answer.events];
      drawAudit();
      older.hidden = answer.events.length < AUDIT_PAGE_SIZE;
    } catch (failure) {
      showFailure(failure);
    } finally {
      older.disabled = false;
    }
  }
  older.addEventListener('click', () => void loadAudit(events.at(-1)?.at ?? null));

  const header = (keys: PlainKey[]) => h('thead', {}, h('tr', {}, ...keys.map((key) => page.text(h('th', { attrs: { scope: 'col' } }), key))));
  const content = h(
    'div',
    { class: 'account-sections wide' },
    h('section', { class: 'card account-card' }, page.text(h('h1'), 'admin.title'), status.element, error.element, linkBox),
    h('section', { class: 'card account-card' }, addForm),
    h(
      'section',
      { class: 'card account-card' },
      page.text(h('h2', { attrs: { id: 'admin-users-heading' } }), 'admin.users.heading'),
      h('div', { class: 'table-scroll', attrs: { tabindex: 0, 'aria-labelledby': 'admin-users-heading', role: 'region' } }, h('table', { class: 'data-table' }, header(['admin.add.email', 'admin.add.name', 'admin.add.role', 'admin.users.state', 'admin.users.actions']), tbody)),
    ),
    h(
      'section',
      { class: 'card account-card' },
      page.text(h('h2', { attrs: { id: 'admin-audit-heading' } }), 'admin.audit.heading'),
      page.text(h('p', { class: 'muted' }), 'admin.audit.intro'),
      h('div', { class: 'table-scroll', attrs: { tabindex: 0, 'aria-labelledby': 'admin-audit-heading', role: 'region' } }, h('table', { class: 'data-table' }, header(['admin.audit.time', 'admin.audit.event', 'admin.audit.user', 'admin.audit.address', 'admin.audit.detail']), auditBody)),
      h('div', { class: 'actions' }, older),
    ),
  );
  void refreshUsers().then(() => loadAudit(null));
  return { element: page.frame('admin-page', userMenu(page.live, session, navigate), content), dispose: () => page.dispose() };
}

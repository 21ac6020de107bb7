/**
 * The administrators' API (role admin, CSRF on every POST):
 *
 *   GET  /api/admin/users                    → {users: [...]}
 *   POST /api/admin/users {email, displayName, role} → {user, enrolLink}
 *   POST /api/admin/users/:id/disable        → sessions revoked at once
 *   POST /api/admin/users/:id/enable
 *   POST /api/admin/users/:id/reset          → {enrolLink}; password, TOTP and passkeys removed, sessions revoked
 *   GET  /api/admin/audit?before=<ms>        → {events: [...]} newest first, 100 a page
 *
 * An administrator cannot disable or reset themselves here (the CLI can), so that the last one cannot lock the
 * organisation out by a slip.
 */
import { ApiError, notFoundApi, readJson } from '../../http/json-api.ts';
import { enrolLink, type AccountsContext } from '../context.ts';
import type { HttpRoute, User } from '../types.ts';
import { jsonRoute } from './router.ts';
import * as schemas from './schemas.ts';

const AUDIT_PAGE = 100;
const USER_PATH = (action: string) => new RegExp(`^/api/admin/users/([A-Za-z0-9_-]{1,64})/${action}$`);

export function userView(user: User) {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, disabled: user.disabled, createdAt: user.createdAt };
}

export function adminRoutes(context: AccountsContext): HttpRoute[] {
  const { users, sessions, audit, log } = context;
  const admin = (method: 'GET' | 'POST', path: string | RegExp, handle: Parameters<typeof jsonRoute>[0]['handle']) =>
    jsonRoute({ method, path, auth: 'admin', handle }, sessions, log);

  const target = async (id: string | undefined, self: string) => {
    const user = id ? await users.byId(id) : undefined;
    if (!user) throw notFoundApi();
    if (user.id === self) throw new ApiError(409, 'not-on-yourself');
    return user;
  };

  return [
    admin('GET', '/api/admin/users', async () => ({ users: (await users.list()).map(userView) })),
    admin('POST', '/api/admin/users', async ({ req, signedIn }) => {
      const body = await readJson(req, schemas.newUser);
      const user = await users.create(body);
      const token = await context.enrolment.issue(user.id, 'enrol');
      const address = context.clientAddress(req);
      await audit.record({ type: 'user-created', userId: user.id, address, detail: `by:${signedIn!.userId}` });
      await audit.record({ type: 'enrolment-created', userId: user.id, address });
      return { user: userView(user), enrolLink: enrolLink(context, token) };
    }),
    admin('POST', USER_PATH('disable'), async ({ req, params, signedIn }) => {
      await readJson(req, schemas.empty);
      const user = await target(params[0], signedIn!.userId);
      await users.setDisabled(user.id, true);
      await sessions.revokeAll(user.id);
      await audit.record({ type: 'user-disabled', userId: user.id, address: context.clientAddress(req), detail: `by:${signedIn!.userId}` });
      return { ok: true };
    }),
    admin('POST', USER_PATH('enable'), async ({ req, params, signedIn }) => {
      await readJson(req, schemas.empty);
      const user = await target(params[0], signedIn!.userId);
      await users.setDisabled(user.id, false);
      await audit.record({ type: 'user-enabled', userId: user.id, address: context.clientAddress(req), detail: `by:${signedIn!.userId}` });
      return { ok: true };
    }),
    admin('POST', USER_PATH('reset'), async ({ req, params, signedIn }) => {
      await readJson(req, schemas.empty);
      const user = await target(params[0], signedIn!.userId);
      const token = await resetUser(context, user.id);
      await audit.record({ type: 'user-reset', userId: user.id, address: context.clientAddress(req), detail: `by:${signedIn!.userId}` });
      return { enrolLink: enrolLink(context, token) };
    }),
    admin('GET', '/api/admin/audit', async ({ req }) => {
      const raw = new URL(req.url ?? '/', 'http://x').searchParams.get('before');
      const before = raw === null ? undefined : Number(raw);
      if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) throw new ApiError(400, 'bad-request');
      const events = await audit.list({ before, limit: AUDIT_PAGE });
      return { events };
    }),
  ];
}

/** Removes every credential of the user, revokes their sessions, and issues a reset link (admin page and CLI). */
export async function resetUser(context: Pick<AccountsContext, 'db' | 'credentials' | 'sessions' | 'enrolment'>, userId: string): Promise<string> {
  await context.db.transaction((tx) => context.credentials.removeAll(userId, tx));
  await context.sessions.revokeAll(userId);
  return context.enrolment.issue(userId, 'reset');
}

/**
 * `GET /api/session` (who is signed in, with which factors, and the CSRF token), `POST /api/auth/signout`,
 * `POST /api/auth/signout-everywhere`.
 */
import { readJson } from '../../http/json-api.ts';
import type { AccountsContext } from '../context.ts';
import type { HttpRoute } from '../types.ts';
import { jsonRoute } from './router.ts';
import * as schemas from './schemas.ts';

export function sessionRoutes(context: AccountsContext): HttpRoute[] {
  const { sessions, credentials, log } = context;
  const oidc = context.config.oidc ? { label: context.config.oidc.label } : null;
  return [
    jsonRoute(
      {
        method: 'GET',
        path: '/api/session',
        auth: 'none',
        handle: async ({ signedIn }) => {
          if (!signedIn) return { signedIn: false, whoMayHost: context.whoMayHost, oidc };
          const [totp, passkeys, password] = await Promise.all([
            credentials.totp(signedIn.userId),
            credentials.passkeyCount(signedIn.userId),
            credentials.passwordHash(signedIn.userId),
          ]);
          return {
            signedIn: true,
            user: { id: signedIn.userId, email: signedIn.email, displayName: signedIn.displayName, role: signedIn.role },
            csrf: signedIn.csrf,
            whoMayHost: context.whoMayHost,
            factors: { password: password !== undefined, totp: totp !== undefined, passkeys },
          };
        },
      },
      sessions,
      log,
    ),
    jsonRoute(
      {
        method: 'POST',
        path: '/api/auth/signout',
        auth: 'user',
        handle: async ({ req, res }) => {
          await readJson(req, schemas.empty);
          await sessions.signOut(req, res);
          return { signedIn: false };
        },
      },
      sessions,
      log,
    ),
    jsonRoute(
      {
        method: 'POST',
        path: '/api/auth/signout-everywhere',
        auth: 'user',
        handle: async ({ req, res, signedIn }) => {
          await readJson(req, schemas.empty);
          await sessions.revokeAll(signedIn!.userId);
          await sessions.signOut(req, res);
          await context.audit.record({ type: 'sign-out-everywhere', userId: signedIn!.userId, address: context.clientAddress(req) });
          return { signedIn: false };
        },
      },
      sessions,
      log,
    ),
  ];
}

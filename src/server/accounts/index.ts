/**
 * Opens the accounts subsystem over an open, migrated database: users, credentials, sessions, the sign-in
 * throttle, the audit log, enrolment, and every /api route of accounts (AUTH's, then KEYS' passkeys and OIDC).
 * app.ts calls `openAccounts` once at start, and the `sabha` CLI for its commands.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../log/logger.ts';
import type { SabhaConfig } from '../config.ts';
import { TokenBucket } from '../security/rate-limiter.ts';
import type { Database } from '../store/database.ts';
import { enrolLink, type AccountsContext, type RouteFactory } from './context.ts';
import { createAuditLog } from './audit.ts';
import { CookieJar } from './cookies.ts';
import { createCredentials } from './credentials.ts';
import { createEnrolment } from './enrolment.ts';
import { oidcRoutes } from './oidc/routes.ts';
import { passkeyRoutes } from './passkeys/routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { enrolRoutes } from './routes/enrol-routes.ts';
import { passwordSignInRoutes } from './routes/password-signin.ts';
import { selfServiceRoutes } from './routes/self-service-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { createSessions, type SessionSettings } from './sessions.ts';
import { createSignInThrottle, type ThrottleSettings } from './throttle.ts';
import type { Accounts, AuditEvent } from './types.ts';
import { createUsers } from './users.ts';

export type { Accounts } from './types.ts';
export type { AccountsContext } from './context.ts';

/** Every route factory of the accounts API, in the order requests try them. */
const ROUTE_FACTORIES: readonly RouteFactory[] = [
  sessionRoutes,
  passwordSignInRoutes,
  enrolRoutes,
  selfServiceRoutes,
  adminRoutes,
  passkeyRoutes,
  oidcRoutes,
];

/** Expired sessions, pre-auth states and tokens are deleted this often (and kept a day past expiry for the audit trail). */
const SWEEP_EVERY_MS = 10 * 60_000;
const KEEP_EXPIRED_MS = 24 * 60 * 60_000;
/** Refusals audited per address: a burst, then one a second; the rest are counted only by the throttle. */
const REFUSAL_AUDIT = { rate: 1, burst: 20 };
const MAX_REFUSAL_ADDRESSES = 10_000;

export interface OpenAccountsOptions {
  config: SabhaConfig;
  db: Database;
  log: Logger;
  /** The server's URL, known once it listens; `config.publicUrl` wins when set. */
  listenUrl?: () => string;
  /** Whether the site is served over TLS (the cookies then carry the `__Host-` prefix). */
  tls?: boolean;
  /** Tests: a clock to move time (throttle delays, expiries, TOTP steps). */
  now?: () => number;
  throttle?: ThrottleSettings;
  sessions?: SessionSettings;
}

export interface OpenedAccounts extends Accounts {
  context: AccountsContext;
  /**
   * At first start (no administrator has finished enrolment, `whoMayHost` is `accounts`): a new one-time setup
   * link for the first administrator, valid 24 hours; older unspent setup links stop working. Otherwise undefined.
   */
  firstAdministratorLink(): Promise<string | undefined>;
}

export async function openAccounts(options: OpenAccountsOptions): Promise<OpenedAccounts> {
  const { config, db } = options;
  const log = options.log.child('accounts');
  const now = options.now ?? Date.now;
  const cookies = new CookieJar(options.tls ?? false);
  const clientAddress = (req: IncomingMessage): string => {
    const forwarded = config.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
    return forwarded || req.socket.remoteAddress || 'unknown';
  };
  const audit = createAuditLog(db, now);
  const users = createUsers(db, now);
  const credentials = createCredentials(db, now);
  const enrolment = createEnrolment(db, credentials, now);
  const sessions = createSessions({ db, audit, cookies, clientAddress, now, ...(options.sessions ? { settings: options.sessions } : {}) });
  const throttle = createSignInThrottle(options.throttle, now);

  const refusalBuckets = new Map<string, TokenBucket>();
  const auditRefusal = async (event: AuditEvent) => {
    let bucket = refusalBuckets.get(event.address);
    if (!bucket) {
      if (refusalBuckets.size >= MAX_REFUSAL_ADDRESSES) refusalBuckets.delete(refusalBuckets.keys().next().value as string);
      bucket = new TokenBucket(REFUSAL_AUDIT, now);
      refusalBuckets.set(event.address, bucket);
    }
    if (bucket.take()) await audit.record(event);
  };

  const context: AccountsContext = {
    config,
    whoMayHost: config.whoMayHost,
    db,
    log,
    users,
    sessions,
    credentials,
    enrolment,
    audit,
    auditRefusal,
    throttle,
    cookies,
    clientAddress,
    publicUrl: () => (config.publicUrl ?? options.listenUrl?.() ?? `http://${config.host}:${config.port}`).replace(/\/+$/, ''),
    now,
  };

  const sweep = async () => {
    const before = now() - KEEP_EXPIRED_MS;
    await db.run('DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?', [before, before]);
    await db.run('DELETE FROM pending_sign_ins WHERE expires_at < ?', [now()]);
    await db.run('DELETE FROM enrolment_tokens WHERE expires_at < ?', [before]);
  };
  const sweeper = setInterval(() => sweep().catch((error: unknown) => log.warn('sweep failed', { error })), SWEEP_EVERY_MS);
  sweeper.unref();

  return {
    whoMayHost: config.whoMayHost,
    users,
    sessions,
    audit,
    throttle,
    routes: ROUTE_FACTORIES.flatMap((factory) => factory(context)),
    clientAddress,
    context,
    async firstAdministratorLink() {
      if (config.whoMayHost !== 'accounts') return undefined;
      const enrolled = await db.get(
        `SELECT u.id FROM users u
          WHERE u.role = 'admin' AND u.disabled = 0
            AND (EXISTS (SELECT 1 FROM totp_secrets t WHERE t.user_id = u.id) OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id))`,
      );
      if (enrolled) return undefined;
      return enrolLink(context, await enrolment.issue(null, 'setup'));
    },
    async close() {
      clearInterval(sweeper);
    },
  };
}

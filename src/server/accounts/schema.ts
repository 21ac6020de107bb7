/**
 * The accounts tables (migrations applied in order by src/server/store/migrate.ts; the full list is
 * src/server/store/migrations.ts). What is stored, and why it is safe to store:
 *
 * - `users`: who may sign in. E-mail lower-cased and unique.
 * - `password_credentials`: an Argon2id PHC string per user (salted; the password itself never).
 * - `totp_secrets`: the RFC 6238 shared secret (it must be readable to check codes) and the last time step a
 *   code was accepted at, so that a code is accepted once (a replayed code is refused).
 * - `enrolment_tokens`: one-time links. Only the SHA-256 of the token is kept, so the table alone cannot be used
 *   to enrol. A first-start `setup` token has no user until the first administrator gives an e-mail and name
 *   (`user_id` NULL until then); a password and TOTP secret chosen during enrolment wait here (`pending_*`) until the second factor
 *   is proven, then move to the credential tables when the token is spent.
 * - `sessions`: only the SHA-256 of the cookie's session id (a database leak gives no live cookie), the user,
 *   creation, last use, absolute expiry, revocation, and the CSRF token pages echo back.
 * - `pending_sign_ins`: the short-lived state between a correct password and the second factor (SHA-256 of the
 *   pre-auth cookie), never a session.
 * - `audit_events`: security events; `detail` is a short code, never content (no password, code, token, e-mail,
 *   name or meeting title).
 *
 * Times are integers (milliseconds since 1970), booleans 0/1, as src/server/store/database.ts asks.
 */
import type { Migration } from '../store/database.ts';

const TABLES = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE TABLE password_credentials (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE totp_secrets (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  last_used_step BIGINT NOT NULL DEFAULT -1,
  created_at BIGINT NOT NULL
);
CREATE TABLE enrolment_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'enrol', 'reset')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  pending_password_hash TEXT,
  pending_totp_secret TEXT
);
CREATE INDEX enrolment_tokens_user ON enrolment_tokens (user_id);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  method TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE pending_sign_ins (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
`;

const AUDIT = (id: string) => `
CREATE TABLE audit_events (
  id ${id},
  at BIGINT NOT NULL,
  type TEXT NOT NULL,
  user_id TEXT,
  address TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
`;

export const ACCOUNTS_MIGRATIONS: readonly Migration[] = [
  {
    id: 'accounts-001-users-credentials-sessions-audit',
    sql: {
      sqlite: TABLES + AUDIT('INTEGER PRIMARY KEY AUTOINCREMENT'),
      postgres: TABLES + AUDIT('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'),
    },
  },
];

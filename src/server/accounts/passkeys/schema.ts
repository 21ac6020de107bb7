/**
 * The passkey tables (applied after the accounts tables; the full ordered list is src/server/store/migrations.ts).
 * What is stored, and why it is safe to store:
 *
 * - `passkeys`: one WebAuthn credential per row. `credential_id` (base64url, as the browser reports it) is what
 *   an assertion names; `public_key` is the COSE public key (public by nature: a leak lets nobody sign in);
 *   `counter` is the last signature counter seen, so that an assertion from a cloned authenticator, whose counter
 *   lags, is refused; `transports` (JSON array) and `name` only help the person tell their passkeys apart.
 * - `passkey_challenges`: each challenge handed out, until it is used once or its five minutes pass. `purpose`
 *   says which ceremony may consume it, `user_id` (registration) binds it to the account it was issued for, and
 *   `address` lets one client address hold only a bounded number at once.
 *
 * Times are integers (milliseconds since 1970), as src/server/store/database.ts asks.
 */
import type { Migration } from '../../store/database.ts';

const PASSKEYS = (bytes: string) => `
CREATE TABLE passkeys (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  credential_id TEXT NOT NULL UNIQUE,
  public_key ${bytes} NOT NULL,
  counter BIGINT NOT NULL,
  transports TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  name TEXT NOT NULL
);
CREATE INDEX passkeys_user ON passkeys (user_id);
CREATE TABLE passkey_challenges (
  challenge TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('register', 'signin')),
  user_id TEXT,
  address TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX passkey_challenges_expiry ON passkey_challenges (expires_at);
CREATE INDEX passkey_challenges_address ON passkey_challenges (address, created_at);
`;

export const PASSKEYS_MIGRATIONS: readonly Migration[] = [
  {
    id: 'passkeys-001-passkeys-and-challenges',
    sql: { sqlite: PASSKEYS('BLOB'), postgres: PASSKEYS('BYTEA') },
  },
];

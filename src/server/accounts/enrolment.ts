/**
 * One-time enrolment links: `<publicUrl>/enrol#<token>` (the fragment never reaches a server log; the page reads
 * it, clears the address bar and sends the token in request bodies). A token is made for the first administrator
 * at first start, by `sabha user add|reset` and by the admin page. Only its SHA-256 is stored.
 *
 * Token states: issued → (password chosen, TOTP secret issued: kept as `pending_*` on the token) → spent, or
 * expired, or superseded (a newer token for the same user deletes the unspent older ones). Spending is one
 * conditional UPDATE, so a token is spent once even when two requests race; the pending credentials move to the
 * user's credentials in the same transaction.
 */
import type { Database, Row } from '../store/database.ts';
import type { Credentials } from './credentials.ts';
import { hashId, newOpaqueId } from './cookies.ts';

export type EnrolmentPurpose = 'setup' | 'enrol' | 'reset';

/** Links from the CLI, the admin page and first start are valid for 24 hours. */
export const ENROLMENT_TTL_MS = 24 * 60 * 60_000;

export interface EnrolmentTicket {
  /** null: a first-start setup token whose administrator has not yet given an e-mail and name (`bind`). */
  userId: string | null;
  purpose: EnrolmentPurpose;
  pendingPasswordHash: string | null;
  pendingTotpSecret: string | null;
}

export interface Enrolment {
  /**
   * A new token for the user (older unspent ones of the user are deleted); returns the token itself, shown once.
   * `userId` null: a first-start setup token (every older unspent setup token is deleted).
   */
  issue(userId: string | null, purpose: EnrolmentPurpose, ttlMs?: number): Promise<string>;
  /** Binds an unbound setup token to the administrator just created for it; false if the token is not such. */
  bind(token: string, userId: string, tx?: Database): Promise<boolean>;
  /** The live (unspent, unexpired) ticket of a token, or undefined. */
  inspect(token: string): Promise<EnrolmentTicket | undefined>;
  setPendingPassword(token: string, hash: string): Promise<boolean>;
  setPendingTotp(token: string, secret: string): Promise<boolean>;
  /**
   * Spends the token: true for exactly one caller. In the same transaction it moves a pending password (and, when
   * `totpStep` is given, the pending TOTP secret with that step marked used) to the user's credentials.
   * `extra` runs inside that transaction too (KEYS stores the new passkey there). An unbound token never spends.
   */
  spend(token: string, options?: { totpStep?: number; extra?: (tx: Database, userId: string) => Promise<void> }): Promise<string | undefined>;
}

interface TokenRow extends Row {
  user_id: string | null;
  purpose: string;
  pending_password_hash: string | null;
  pending_totp_secret: string | null;
}

export function createEnrolment(db: Database, credentials: Credentials, now: () => number = Date.now): Enrolment {
  const live = (token: string) =>
    db.get<TokenRow>(
      'SELECT user_id, purpose, pending_password_hash, pending_totp_secret FROM enrolment_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
      [hashId(token), now()],
    );
  return {
    async issue(userId, purpose, ttlMs = ENROLMENT_TTL_MS) {
      const token = newOpaqueId();
      const at = now();
      await db.transaction(async (tx) => {
        // A new first-start link voids every unspent earlier one, named or not.
        if (userId === null) await tx.run("DELETE FROM enrolment_tokens WHERE purpose = 'setup' AND used_at IS NULL");
        else await tx.run('DELETE FROM enrolment_tokens WHERE user_id = ? AND used_at IS NULL', [userId]);
        await tx.run('INSERT INTO enrolment_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [hashId(token), userId, purpose, at, at + ttlMs]);
      });
      return token;
    },
    async bind(token, userId, tx = db) {
      const { changes } = await tx.run(
        "UPDATE enrolment_tokens SET user_id = ? WHERE token_hash = ? AND purpose = 'setup' AND user_id IS NULL AND used_at IS NULL AND expires_at > ?",
        [userId, hashId(token), now()],
      );
      return changes === 1;
    },
    async inspect(token) {
      const row = await live(token);
      if (!row) return undefined;
      return {
        userId: row.user_id,
        purpose: row.purpose as EnrolmentPurpose,
        pendingPasswordHash: row.pending_password_hash,
        pendingTotpSecret: row.pending_totp_secret,
      };
    },
    async setPendingPassword(token, hash) {
      const { changes } = await db.run('UPDATE enrolment_tokens SET pending_password_hash = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [hash, hashId(token), now()]);
      return changes === 1;
    },
    async setPendingTotp(token, secret) {
      const { changes } = await db.run('UPDATE enrolment_tokens SET pending_totp_secret = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [secret, hashId(token), now()]);
      return changes === 1;
    },
    async spend(token, options = {}) {
      return db.transaction(async (tx) => {
        const at = now();
        const row = await tx.get<TokenRow>(
          'SELECT user_id, purpose, pending_password_hash, pending_totp_secret FROM enrolment_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
          [hashId(token), at],
        );
        if (!row || row.user_id === null) return undefined;
        const userId = row.user_id;
        const { changes } = await tx.run('UPDATE enrolment_tokens SET used_at = ?, pending_password_hash = NULL, pending_totp_secret = NULL WHERE token_hash = ? AND used_at IS NULL', [
          at,
          hashId(token),
        ]);
        if (changes !== 1) return undefined;
        if (row.pending_password_hash) await credentials.setPassword(userId, row.pending_password_hash, tx);
        if (options.totpStep !== undefined && row.pending_totp_secret) await credentials.setTotp(userId, row.pending_totp_secret, options.totpStep, tx);
        await options.extra?.(tx, userId);
        return userId;
      });
    },
  };
}

/**
 * The password and TOTP credentials of users (tables `password_credentials`, `totp_secrets`), and the count and
 * removal of their passkeys (KEYS' `passkeys` table) where a decision needs all of a user's factors: which second
 * factor a password sign-in continues with, and a reset that removes every credential.
 */
import type { Database, Row } from '../store/database.ts';

interface TotpRow extends Row {
  secret: string;
  last_used_step: number;
}

export interface Credentials {
  passwordHash(userId: string): Promise<string | undefined>;
  setPassword(userId: string, hash: string, tx?: Database): Promise<void>;
  totp(userId: string): Promise<{ secret: string; lastUsedStep: number } | undefined>;
  setTotp(userId: string, secret: string, usedStep: number, tx?: Database): Promise<void>;
  /**
   * Records that a code of `step` was accepted, only if no code of that step or a later one was: true when this
   * call won. Two requests racing with the same code cannot both win (one UPDATE with the condition).
   */
  spendTotpStep(userId: string, step: number): Promise<boolean>;
  passkeyCount(userId: string): Promise<number>;
  /** Removes the password, TOTP secret and passkeys of a user (reset). */
  removeAll(userId: string, tx?: Database): Promise<void>;
}

export function createCredentials(db: Database, now: () => number = Date.now): Credentials {
  return {
    async passwordHash(userId) {
      const row = await db.get<{ hash: string }>('SELECT hash FROM password_credentials WHERE user_id = ?', [userId]);
      return row?.hash;
    },
    async setPassword(userId, hash, tx = db) {
      await tx.run(
        'INSERT INTO password_credentials (user_id, hash, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at',
        [userId, hash, now()],
      );
    },
    async totp(userId) {
      const row = await db.get<TotpRow>('SELECT secret, last_used_step FROM totp_secrets WHERE user_id = ?', [userId]);
      return row ? { secret: row.secret, lastUsedStep: Number(row.last_used_step) } : undefined;
    },
    async setTotp(userId, secret, usedStep, tx = db) {
      await tx.run(
        'INSERT INTO totp_secrets (user_id, secret, last_used_step, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_used_step = excluded.last_used_step, created_at = excluded.created_at',
        [userId, secret, usedStep, now()],
      );
    },
    async spendTotpStep(userId, step) {
      const { changes } = await db.run('UPDATE totp_secrets SET last_used_step = ? WHERE user_id = ? AND last_used_step < ?', [step, userId, step]);
      return changes === 1;
    },
    async passkeyCount(userId) {
      const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', [userId]);
      return Number(row?.n ?? 0);
    },
    async removeAll(userId, tx = db) {
      await tx.run('DELETE FROM password_credentials WHERE user_id = ?', [userId]);
      await tx.run('DELETE FROM totp_secrets WHERE user_id = ?', [userId]);
      await tx.run('DELETE FROM passkeys WHERE user_id = ?', [userId]);
    },
  };
}

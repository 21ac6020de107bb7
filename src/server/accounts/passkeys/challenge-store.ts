/**
 * WebAuthn challenges: random, single-use, valid for five minutes, kept in the database (so that several Sabha
 * nodes sharing it accept each other's challenges).
 *
 * Consuming is one `DELETE ... WHERE` that matches the challenge, its purpose, its account (for registration) and
 * its expiry: only the request whose DELETE removed the row may go on, so two verifications racing with the same
 * challenge cannot both pass, and a replayed response finds nothing. A challenge is consumed before its response
 * is checked: a wrong response spends it too.
 *
 * Sign-in options need no account, so anyone may ask for them: one client address holds at most
 * MAX_PER_ADDRESS live challenges (asking for more drops its oldest), and expired rows are swept as new ones
 * are written, so the table stays small whatever a client does.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../store/database.ts';

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_PER_ADDRESS = 20;

export type ChallengePurpose = 'register' | 'signin';

export interface ChallengeStore {
  /** A fresh challenge (32 random bytes, base64url) for `purpose`, bound to `userId` when registering. */
  issue(purpose: ChallengePurpose, address: string, userId: string | null): Promise<string>;
  /** True once for a live challenge of this purpose (and account); false for unknown, used, expired or foreign. */
  consume(challenge: string, purpose: ChallengePurpose, userId: string | null): Promise<boolean>;
}

export function createChallengeStore(db: Database, now: () => number = Date.now): ChallengeStore {
  return {
    async issue(purpose, address, userId) {
      const challenge = randomBytes(32).toString('base64url');
      const at = now();
      await db.transaction(async (tx) => {
        await tx.run('DELETE FROM passkey_challenges WHERE expires_at <= ?', [at]);
        await tx.run(
          'INSERT INTO passkey_challenges (challenge, purpose, user_id, address, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
          [challenge, purpose, userId, address, at, at + CHALLENGE_TTL_MS],
        );
        // Keep this address's newest MAX_PER_ADDRESS: a client asking in a loop only displaces its own.
        const excess = await tx.all<{ challenge: string }>(
          'SELECT challenge FROM passkey_challenges WHERE address = ? ORDER BY created_at DESC, challenge LIMIT 1000 OFFSET ?',
          [address, MAX_PER_ADDRESS],
        );
        for (const row of excess) await tx.run('DELETE FROM passkey_challenges WHERE challenge = ?', [row.challenge]);
      });
      return challenge;
    },
    async consume(challenge, purpose, userId) {
      const { changes } = await db.run(
        userId === null
          ? 'DELETE FROM passkey_challenges WHERE challenge = ? AND purpose = ? AND user_id IS NULL AND expires_at > ?'
          : 'DELETE FROM passkey_challenges WHERE challenge = ? AND purpose = ? AND user_id = ? AND expires_at > ?',
        userId === null ? [challenge, purpose, now()] : [challenge, purpose, userId, now()],
      );
      return changes === 1;
    },
  };
}

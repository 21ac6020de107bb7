/**
 * The `passkeys` table: a user's WebAuthn credentials. The signature counter only moves forward, and only through
 * `advanceCounter`, whose conditional UPDATE makes the check and the write one step (two sign-ins racing with
 * the same counter cannot both pass).
 */
import { randomBytes } from 'node:crypto';
import type { Database, Row } from '../../store/database.ts';

export interface StoredPasskey {
  id: string;
  userId: string;
  /** base64url, as the browser reports it in `response.id`. */
  credentialId: string;
  /** COSE_Key bytes. */
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  createdAt: number;
  lastUsedAt: number | null;
  name: string;
}

interface PasskeyRow extends Row {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: string;
  created_at: number;
  last_used_at: number | null;
  name: string;
}

const COLUMNS = 'id, user_id, credential_id, public_key, counter, transports, created_at, last_used_at, name';
/** A person keeps a handful of passkeys (phone, laptop, a security key); more is a client misbehaving. */
export const MAX_PASSKEYS_PER_USER = 20;

function toPasskey(row: PasskeyRow): StoredPasskey {
  let transports: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.transports);
    if (Array.isArray(parsed)) transports = parsed.filter((t): t is string => typeof t === 'string');
  } catch {
    // Stored by this module, so always JSON; an unreadable value only loses a hint to the browser.
  }
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: new Uint8Array(row.public_key),
    counter: Number(row.counter),
    transports,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    name: row.name,
  };
}

export interface PasskeyStore {
  byCredentialId(credentialId: string): Promise<StoredPasskey | undefined>;
  listForUser(userId: string): Promise<StoredPasskey[]>;
  countForUser(userId: string): Promise<number>;
  /** Inserts; false when the credential id is already registered (to anyone). Runs on `db`, which may be a transaction. */
  add(db: Database, passkey: Omit<StoredPasskey, 'id' | 'lastUsedAt'>): Promise<StoredPasskey | undefined>;
  /**
   * Records a sign-in with `newCounter`: true when the stored counter was still `expected` (so the counter went
   * forward exactly once), false when another sign-in moved it meanwhile.
   */
  advanceCounter(id: string, expected: number, newCounter: number, at: number): Promise<boolean>;
  /** Deletes one of the user's passkeys; false when it is not theirs or does not exist. */
  remove(userId: string, id: string): Promise<boolean>;
}

export function createPasskeyStore(db: Database): PasskeyStore {
  return {
    async byCredentialId(credentialId) {
      const row = await db.get<PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE credential_id = ?`, [credentialId]);
      return row ? toPasskey(row) : undefined;
    },
    async listForUser(userId) {
      const rows = await db.all<PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE user_id = ? ORDER BY created_at, id`, [userId]);
      return rows.map(toPasskey);
    },
    async countForUser(userId) {
      const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', [userId]);
      return Number(row?.n ?? 0);
    },
    async add(tx, passkey) {
      const stored: StoredPasskey = { ...passkey, id: randomBytes(12).toString('base64url'), lastUsedAt: null };
      const { changes } = await tx.run(
        `INSERT INTO passkeys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (credential_id) DO NOTHING`,
        [stored.id, stored.userId, stored.credentialId, stored.publicKey, stored.counter, JSON.stringify(stored.transports), stored.createdAt, stored.name],
      );
      return changes === 1 ? stored : undefined;
    },
    async advanceCounter(id, expected, newCounter, at) {
      const { changes } = await db.run('UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ? AND counter = ?', [newCounter, at, id, expected]);
      return changes === 1;
    },
    async remove(userId, id) {
      const { changes } = await db.run('DELETE FROM passkeys WHERE id = ? AND user_id = ?', [id, userId]);
      return changes === 1;
    },
  };
}

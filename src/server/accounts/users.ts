/**
 * The users table: who may sign in, with which role, and whether the account is disabled. E-mail addresses are
 * compared lower-cased (stored lower-cased). Ids are random (they reveal neither order nor count).
 */
import { randomBytes } from 'node:crypto';
import type { Database, Row } from '../store/database.ts';
import { ApiError } from '../http/json-api.ts';
import type { Role, User, Users } from './types.ts';

interface UserRow extends Row {
  id: string;
  email: string;
  display_name: string;
  role: string;
  disabled: number;
  created_at: number;
}

const COLUMNS = 'id, email, display_name, role, disabled, created_at';

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** A plausible address: something@something.tld, no spaces, bounded (RFC 5321 caps a path at 254). */
export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{1,63}$/;

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role === 'admin' ? 'admin' : 'member',
    disabled: Number(row.disabled) !== 0,
    createdAt: Number(row.created_at),
  };
}

export function createUsers(db: Database, now: () => number = Date.now): Users {
  return {
    async byId(id) {
      const row = await db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]);
      return row ? toUser(row) : undefined;
    },
    async byEmail(email) {
      const row = await db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = ?`, [normaliseEmail(email)]);
      return row ? toUser(row) : undefined;
    },
    async create({ email, displayName, role }: { email: string; displayName: string; role: Role }) {
      const normalised = normaliseEmail(email);
      if (!EMAIL_PATTERN.test(normalised)) throw new ApiError(400, 'bad-email');
      const user: User = { id: randomBytes(12).toString('base64url'), email: normalised, displayName: displayName.trim(), role, disabled: false, createdAt: now() };
      const inserted = await db.run(
        'INSERT INTO users (id, email, display_name, role, disabled, created_at) VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (email) DO NOTHING',
        [user.id, user.email, user.displayName, user.role, user.createdAt],
      );
      if (inserted.changes === 0) throw new ApiError(409, 'email-taken');
      return user;
    },
    async setDisabled(id, disabled) {
      await db.run('UPDATE users SET disabled = ? WHERE id = ?', [disabled ? 1 : 0, id]);
    },
    async list() {
      const rows = await db.all<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY created_at, email`);
      return rows.map(toUser);
    },
    async count() {
      const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users');
      return Number(row?.n ?? 0);
    },
  };
}

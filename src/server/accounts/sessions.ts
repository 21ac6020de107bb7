/**
 * Signed-in sessions. The cookie holds a random 256-bit id; the database holds only its SHA-256, with the
 * user, the sign-in method, a CSRF token, creation, last use and an absolute expiry.
 *
 * - Rotation: every sign-in makes a new id, and revokes the session the browser had, so a session id planted or
 *   seen before sign-in is worth nothing after it.
 * - Expiry: idle (no use for `idleMs`) and absolute (`absoluteMs` after sign-in), whichever comes first.
 * - Revocation: sign-out revokes the one session; sign-out-everywhere, disable and reset revoke every session of
 *   the user. A revoked or expired id is refused even if the browser (or a thief) still sends it.
 * - A disabled user's sessions are refused at once, whatever their state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database, Row } from '../store/database.ts';
import { CookieJar, hashId, newOpaqueId, SESSION_COOKIE } from './cookies.ts';
import type { AuditLog, Role, Sessions, SignedIn, SignInMethod } from './types.ts';

export interface SessionSettings {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSIONS: SessionSettings = { idleMs: 24 * 60 * 60_000, absoluteMs: 7 * 24 * 60 * 60_000 };
/** last_seen_at is written at most this often per session: a page polling /api/session costs no write. */
const TOUCH_EVERY_MS = 60_000;

interface SessionRow extends Row {
  user_id: string;
  csrf: string;
  last_seen_at: number;
  email: string;
  display_name: string;
  role: string;
}

export interface SessionDeps {
  db: Database;
  audit: AuditLog;
  cookies: CookieJar;
  clientAddress(req: IncomingMessage): string;
  settings?: SessionSettings;
  now?: () => number;
}

export function createSessions(deps: SessionDeps): Sessions {
  const { db, audit, cookies, clientAddress } = deps;
  const settings = deps.settings ?? DEFAULT_SESSIONS;
  const now = deps.now ?? Date.now;

  const revokeByHash = (idHash: string) => db.run('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL', [now(), idHash]);

  return {
    async signIn(req: IncomingMessage, res: ServerResponse, userId: string, method: SignInMethod) {
      const previous = cookies.read(req, SESSION_COOKIE);
      if (previous) await revokeByHash(hashId(previous));
      const id = newOpaqueId();
      const at = now();
      await db.run('INSERT INTO sessions (id_hash, user_id, method, csrf, created_at, last_seen_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)', [
        hashId(id),
        userId,
        method,
        newOpaqueId(),
        at,
        at,
        at + settings.absoluteMs,
      ]);
      cookies.set(res, SESSION_COOKIE, id, Math.floor(settings.absoluteMs / 1000));
      await audit.record({ type: 'sign-in', userId, address: clientAddress(req), detail: method });
    },

    async current(req: IncomingMessage): Promise<SignedIn | null> {
      const id = cookies.read(req, SESSION_COOKIE);
      if (!id) return null;
      const idHash = hashId(id);
      const at = now();
      const row = await db.get<SessionRow>(
        `SELECT s.user_id, s.csrf, s.last_seen_at, u.email, u.display_name, u.role
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at > ? AND u.disabled = 0`,
        [idHash, at, at - settings.idleMs],
      );
      if (!row) return null;
      if (at - Number(row.last_seen_at) > TOUCH_EVERY_MS) await db.run('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?', [at, idHash]);
      const role: Role = row.role === 'admin' ? 'admin' : 'member';
      return { userId: row.user_id, email: row.email, displayName: row.display_name, role, sessionId: idHash, csrf: row.csrf };
    },

    async signOut(req: IncomingMessage, res: ServerResponse) {
      const id = cookies.read(req, SESSION_COOKIE);
      cookies.clear(res, SESSION_COOKIE);
      if (!id) return;
      const idHash = hashId(id);
      const row = await db.get<{ user_id: string }>('SELECT user_id FROM sessions WHERE id_hash = ?', [idHash]);
      const { changes } = await revokeByHash(idHash);
      if (changes > 0) await audit.record({ type: 'sign-out', userId: row?.user_id ?? null, address: clientAddress(req) });
    },

    async isLive(sessionId: string) {
      const at = now();
      const row = await db.get(
        `SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at > ? AND u.disabled = 0`,
        [sessionId, at, at - settings.idleMs],
      );
      return row !== undefined;
    },

    async revokeAll(userId: string) {
      await db.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [now(), userId]);
    },
  };
}

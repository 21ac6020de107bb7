/**
 * The audit log of security events (sign-ins and their failures, enrolment, admin actions, meetings created),
 * in the `audit_events` table. It records who (a user id), from where (an address), what (a type) and a short
 * machine `detail` (a method, a reason): never content. The database is the only sink: nothing here reaches the
 * process log, which has no use for addresses of people signing in.
 */
import type { Database, Row } from '../store/database.ts';
import type { AuditEventType, AuditLog, StoredAuditEvent } from './types.ts';

/** A detail is a word or two from the code, never user input: bounded and restricted to be sure. */
const DETAIL = /^[A-Za-z0-9:._-]{1,80}$/;
const MAX_ADDRESS_LENGTH = 64;

interface AuditRow extends Row {
  id: number;
  at: number;
  type: string;
  user_id: string | null;
  address: string;
  detail: string | null;
}

export function createAuditLog(db: Database, now: () => number = Date.now): AuditLog {
  return {
    async record(event) {
      const detail = event.detail && DETAIL.test(event.detail) ? event.detail : null;
      await db.run('INSERT INTO audit_events (at, type, user_id, address, detail) VALUES (?, ?, ?, ?, ?)', [
        now(),
        event.type,
        event.userId ?? null,
        event.address.slice(0, MAX_ADDRESS_LENGTH),
        detail,
      ]);
    },
    async list({ before, limit }) {
      const rows =
        before === undefined
          ? await db.all<AuditRow>('SELECT id, at, type, user_id, address, detail FROM audit_events ORDER BY at DESC, id DESC LIMIT ?', [limit])
          : await db.all<AuditRow>('SELECT id, at, type, user_id, address, detail FROM audit_events WHERE at < ? ORDER BY at DESC, id DESC LIMIT ?', [before, limit]);
      return rows.map(
        (r): StoredAuditEvent => ({ id: Number(r.id), at: Number(r.at), type: r.type as AuditEventType, userId: r.user_id, address: r.address, detail: r.detail }),
      );
    },
  };
}

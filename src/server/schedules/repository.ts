/**
 * Schedules and invitations in the database (schema.ts), through the portable `Database` interface. Every
 * query that a member's request leads to is scoped by the owner's user id, so one member cannot read or change
 * another's schedules whatever ids they send.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Row } from '../store/database.ts';

export interface Schedule {
  id: string;
  ownerUserId: string;
  title: string;
  startsAt: number;
  durationMinutes: number;
  weekly: boolean;
  invitedOnly: boolean;
  cancelled: boolean;
  createdAt: number;
}

export interface Invitation {
  id: string;
  scheduleId: string;
  email: string;
  revoked: boolean;
  createdAt: number;
}

export interface NewSchedule {
  ownerUserId: string;
  title: string;
  startsAt: number;
  durationMinutes: number;
  weekly: boolean;
  invitedOnly: boolean;
  /** One per invitee: the address and the SHA-256 of its link's token. */
  invitations: readonly { email: string; tokenHash: string }[];
}

const newId = (): string => randomBytes(10).toString('hex');

interface ScheduleRow extends Row {
  id: string;
  owner_user_id: string;
  title: string;
  starts_at: number;
  duration_minutes: number;
  weekly: number;
  invited_only: number;
  cancelled: number;
  created_at: number;
}

interface InvitationRow extends Row {
  id: string;
  schedule_id: string;
  email: string;
  revoked: number;
  created_at: number;
}

const SCHEDULE_COLUMNS = 'id, owner_user_id, title, starts_at, duration_minutes, weekly, invited_only, cancelled, created_at';
const INVITATION_COLUMNS = 'id, schedule_id, email, revoked, created_at';

export class ScheduleRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores a schedule and its invitations together (both or neither). */
  async create(input: NewSchedule, now = Date.now()): Promise<{ schedule: Schedule; invitations: Invitation[] }> {
    const schedule: Schedule = { id: newId(), ownerUserId: input.ownerUserId, title: input.title, startsAt: input.startsAt, durationMinutes: input.durationMinutes, weekly: input.weekly, invitedOnly: input.invitedOnly, cancelled: false, createdAt: now };
    const invitations = input.invitations.map((i) => ({ id: newId(), scheduleId: schedule.id, email: i.email, tokenHash: i.tokenHash, revoked: false, createdAt: now }));
    await this.#db.transaction(async (tx) => {
      await tx.run(`INSERT INTO schedules (${SCHEDULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`, [
        schedule.id, schedule.ownerUserId, schedule.title, schedule.startsAt, schedule.durationMinutes, schedule.weekly ? 1 : 0, schedule.invitedOnly ? 1 : 0, now,
      ]);
      for (const i of invitations) {
        await tx.run('INSERT INTO invitations (id, schedule_id, email, token_hash, revoked, created_at) VALUES (?, ?, ?, ?, 0, ?)', [i.id, i.scheduleId, i.email, i.tokenHash, now]);
      }
    });
    return { schedule, invitations: invitations.map(({ tokenHash: _, ...rest }) => rest) };
  }

  /** The owner's schedules, newest first, each with its invitations. */
  async listForOwner(ownerUserId: string, limit = 200): Promise<{ schedule: Schedule; invitations: Invitation[] }[]> {
    const rows = await this.#db.all<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE owner_user_id = ? ORDER BY created_at DESC, id LIMIT ?`, [ownerUserId, limit]);
    const out: { schedule: Schedule; invitations: Invitation[] }[] = [];
    for (const row of rows) out.push({ schedule: toSchedule(row), invitations: await this.invitationsOf(row.id) });
    return out;
  }

  /** A schedule, only if `ownerUserId` owns it. */
  async getOwned(id: string, ownerUserId: string): Promise<Schedule | undefined> {
    const row = await this.#db.get<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = ? AND owner_user_id = ?`, [id, ownerUserId]);
    return row && toSchedule(row);
  }

  async get(id: string): Promise<Schedule | undefined> {
    const row = await this.#db.get<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = ?`, [id]);
    return row && toSchedule(row);
  }

  async invitationsOf(scheduleId: string): Promise<Invitation[]> {
    const rows = await this.#db.all<InvitationRow>(`SELECT ${INVITATION_COLUMNS} FROM invitations WHERE schedule_id = ? ORDER BY created_at, email`, [scheduleId]);
    return rows.map(toInvitation);
  }

  /** The invitation a token's hash belongs to, revoked or not. */
  async invitationByTokenHash(tokenHash: string): Promise<Invitation | undefined> {
    const row = await this.#db.get<InvitationRow>(`SELECT ${INVITATION_COLUMNS} FROM invitations WHERE token_hash = ?`, [tokenHash]);
    return row && toInvitation(row);
  }

  /** Whether `email` holds a live (not revoked) invitation to the schedule. */
  async isInvited(scheduleId: string, email: string): Promise<boolean> {
    const row = await this.#db.get('SELECT id FROM invitations WHERE schedule_id = ? AND email = ? AND revoked = 0', [scheduleId, email.toLowerCase()]);
    return row !== undefined;
  }

  /** Cancels the owner's schedule; false when there is no such schedule of theirs. */
  async cancel(id: string, ownerUserId: string): Promise<boolean> {
    const { changes } = await this.#db.run('UPDATE schedules SET cancelled = 1 WHERE id = ? AND owner_user_id = ?', [id, ownerUserId]);
    return changes > 0;
  }

  /** Revokes an invitation of the owner's schedule; false when there is no such invitation of theirs. */
  async revoke(scheduleId: string, invitationId: string, ownerUserId: string): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const owned = await tx.get('SELECT id FROM schedules WHERE id = ? AND owner_user_id = ?', [scheduleId, ownerUserId]);
      if (!owned) return false;
      const { changes } = await tx.run('UPDATE invitations SET revoked = 1 WHERE id = ? AND schedule_id = ?', [invitationId, scheduleId]);
      return changes > 0;
    });
  }
}

function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    ownerUserId: row.owner_user_id,
    title: row.title,
    startsAt: Number(row.starts_at),
    durationMinutes: Number(row.duration_minutes),
    weekly: Number(row.weekly) === 1,
    invitedOnly: Number(row.invited_only) === 1,
    cancelled: Number(row.cancelled) === 1,
    createdAt: Number(row.created_at),
  };
}

function toInvitation(row: InvitationRow): Invitation {
  return { id: row.id, scheduleId: row.schedule_id, email: row.email, revoked: Number(row.revoked) === 1, createdAt: Number(row.created_at) };
}

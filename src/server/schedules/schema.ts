/**
 * The stored part of scheduled meetings: what a host planned and whom they invited. Which occurrence is live (the
 * meeting it started, its id and passcode) is memory state (live-occurrences.ts), gone with the meeting, like all
 * meeting state.
 *
 * - `schedules`: one planned meeting, or a weekly series (`weekly` 1: every 7 days from `starts_at`). Times are
 *   milliseconds since 1970 (UTC). `owner_user_id` is the account that made it (accounts' `users.id`; not a foreign
 *   key, so that this domain's migrations do not depend on the order of another's). `cancelled` 1: over for good.
 * - `invitations`: one personal link per invitee. Only the SHA-256 of the link's token is stored (hex), so a copy of
 *   the database does not hold working links. `revoked` 1: the link is dead.
 */
import type { Migration } from '../store/database.ts';

export const SCHEDULES_MIGRATIONS: readonly Migration[] = [
  {
    id: 'schedules-001-schedules-and-invitations',
    sql: `
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  owner_user_id TEXT NOT NULL,
  title TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  duration_minutes INTEGER NOT NULL,
  weekly INTEGER NOT NULL,
  invited_only INTEGER NOT NULL,
  cancelled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX schedules_by_owner ON schedules (owner_user_id);
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  schedule_id TEXT NOT NULL REFERENCES schedules (id),
  email TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  revoked INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX invitations_by_schedule ON invitations (schedule_id);
`,
  },
];

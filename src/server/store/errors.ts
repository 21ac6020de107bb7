/**
 * Portable recognition of the database errors a repository handles rather than reports. Both drivers throw
 * their own errors (node:sqlite's carry `errcode`, pg's a SQLSTATE `code`); these predicates read either.
 */

/** SQLite extended result codes (https://sqlite.org/rescode.html). */
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
/** PostgreSQL SQLSTATE unique_violation. */
const PG_UNIQUE_VIOLATION = '23505';

/** True when `error` is an INSERT or UPDATE refused by a UNIQUE or PRIMARY KEY constraint (e.g. an e-mail taken). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { errcode, code } = error as { errcode?: unknown; code?: unknown };
  return errcode === SQLITE_CONSTRAINT_UNIQUE || errcode === SQLITE_CONSTRAINT_PRIMARYKEY || code === PG_UNIQUE_VIOLATION;
}

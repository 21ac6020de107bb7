/**
 * The one database interface of Sabha's stored data: accounts, sessions, schedules, invitations and the audit
 * log, never meeting content. Two drivers implement it: embedded SQLite (the default, `node:sqlite`) and
 * PostgreSQL (`pg`, for several nodes sharing accounts). Repositories write portable SQL against it:
 *
 * - placeholders are `?`, in order (the PostgreSQL driver numbers them);
 * - column names are lower-case snake_case; times are integers, milliseconds since 1970 (BIGINT), and both
 *   drivers return them as JavaScript numbers; booleans are INTEGER 0/1; bytes are BLOB/BYTEA (see Migration);
 * - a statement that must be dialect-specific (an upsert is not: both speak `ON CONFLICT ... DO UPDATE`) asks
 *   `dialect`;
 * - one statement per call (a second one is refused with TypeError); a refused duplicate is recognised with
 *   `isUniqueViolation` (errors.ts); integers beyond 2^53 are refused with RangeError rather than rounded.
 *
 * Open it with `openDatabase` (open.ts); unit tests use `openTestDatabase()` (test/helpers/databases.ts).
 */
export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface Database {
  readonly dialect: 'sqlite' | 'postgres';
  /** Every row of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement that returns no rows; `changes` is the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Statements inside
   * go through `tx`, never the outer database (which throws if used there); nothing else interleaves with
   * them. `tx.transaction` nests as a savepoint. Keep slow work (password hashing) outside: on SQLite the
   * transaction holds the file's write lock and every other statement of the process waits for it.
   */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * One schema change, applied once, in the order of the list in migrations.ts, and recorded in
 * `schema_migrations`. `sql` may hold several statements. Where the dialects differ (BLOB vs BYTEA), give both.
 */
export interface Migration {
  readonly id: string;
  readonly sql: string | { readonly sqlite: string; readonly postgres: string };
}

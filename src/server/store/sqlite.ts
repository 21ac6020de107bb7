/**
 * The SQLite driver (node:sqlite, built into Node 24): Sabha's default store, one file in the data directory.
 *
 * node:sqlite is synchronous and a file has one connection per process, so every statement and every
 * transaction goes through one SerialQueue: a transaction holds the queue from BEGIN to COMMIT, and a
 * statement sent meanwhile waits for it instead of landing inside it. Another process on the same file (the
 * `sabha` CLI while the server runs) waits up to BUSY_TIMEOUT_MS for the write lock, so a transaction's work
 * should be statements only: hash a password before the transaction, not inside it.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { SerialQueue } from '../../events/serial-queue.ts';
import type { Database, Row, SqlValue } from './database.ts';
import { inSavepoint, type SavepointControl } from './savepoint.ts';
import { assertOneStatement } from './sql-text.ts';
import { TransactionScope } from './transaction-scope.ts';
import { checkParams } from './values.ts';

/** How long a statement waits for another process's write lock before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** Prepared statements kept, least recently used dropped first (repositories use a few dozen). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * One connection per file in this process, shared by every `openSqlite` of that file. Two connections in
 * one process would deadlock: while one holds the write lock across an `await` in a transaction, the
 * other's BEGIN waits for it synchronously (busy_timeout), blocking the event loop that would let the
 * first one finish. That happens as soon as a test, or the CLI code, opens the file a server has open.
 */
const connections = new Map<string, Connection>();

/** Opens (creating if needed) the database at `location`: a file path, or `:memory:` (a new one each time). */
export function openSqlite(location: string): Database {
  if (location === ':memory:') return new SqliteDatabase(Connection.open(location, () => {}));
  const key = connectionKey(location);
  let connection = connections.get(key);
  if (!connection) {
    connection = Connection.open(location, () => connections.delete(key));
    connections.set(key, connection);
  }
  return new SqliteDatabase(connection);
}

function connectionKey(location: string): string {
  try {
    return realpathSync(location);
  } catch {
    return resolve(location); // not created yet: DatabaseSync creates it
  }
}

/** The connection, its one queue and its transaction scope, closed when the last database using it closes. */
class Connection {
  readonly queue = new SerialQueue();
  readonly scope = new TransactionScope();
  readonly statements: Statements;
  #users = 0;
  readonly #onClosed: () => void;

  static open(location: string, onClosed: () => void): Connection {
    const db = new DatabaseSync(location);
    try {
      // WAL: readers never block the writer; synchronous stays FULL so a committed sign-in survives power loss.
      if (location !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA foreign_keys = ON');
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (error) {
      db.close();
      throw error;
    }
    return new Connection(db, onClosed);
  }

  private constructor(db: DatabaseSync, onClosed: () => void) {
    this.statements = new Statements(db);
    this.#onClosed = onClosed;
  }

  acquire(): void {
    this.#users++;
  }

  /** Closes the connection after every queued statement once its last user has released it. */
  async release(): Promise<void> {
    if (--this.#users > 0) return;
    this.#onClosed(); // a later open of the same file gets a new connection
    await this.queue.run(() => this.statements.close());
  }
}

/** Runs single statements on the connection, synchronously; shared by the database and its transactions. */
class Statements {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  all<T extends Row>(sql: string, params: readonly SqlValue[] | undefined): T[] {
    return this.#prepare(sql)
      .all(...checkParams(params))
      .map((row) => ({ ...row }) as T); // plain objects: node:sqlite's rows have a null prototype
  }

  get<T extends Row>(sql: string, params: readonly SqlValue[] | undefined): T | undefined {
    const row = this.#prepare(sql).get(...checkParams(params));
    return row === undefined ? undefined : ({ ...row } as T);
  }

  run(sql: string, params: readonly SqlValue[] | undefined): { changes: number } {
    return { changes: Number(this.#prepare(sql).run(...checkParams(params)).changes) };
  }

  /** Transaction control (BEGIN, COMMIT, SAVEPOINT…): fixed text, never parameters. */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  close(): void {
    this.#cache.clear();
    this.#db.close();
  }

  #prepare(sql: string): StatementSync {
    const cached = this.#cache.get(sql);
    if (cached) {
      this.#cache.delete(sql); // re-inserted below: the Map's order is the recency order
      this.#cache.set(sql, cached);
      return cached;
    }
    assertOneStatement(sql);
    const statement = this.#db.prepare(sql);
    this.#cache.set(sql, statement);
    if (this.#cache.size > STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return statement;
  }
}

class SqliteDatabase implements Database {
  readonly dialect = 'sqlite';
  readonly #connection: Connection;
  readonly #statements: Statements;
  #closed = false;

  constructor(connection: Connection) {
    connection.acquire();
    this.#connection = connection;
    this.#statements = connection.statements;
  }

  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#enqueue(() => this.#statements.all<T>(sql, params));
  }

  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.#enqueue(() => this.#statements.get<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.#enqueue(() => this.#statements.run(sql, params));
  }

  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      // IMMEDIATE takes the write lock now, so a second process cannot make this transaction fail halfway.
      this.#statements.exec('BEGIN IMMEDIATE');
      const tx = new SqliteTransaction(this.#statements, 0);
      try {
        const result = await this.#connection.scope.enter(() => work(tx));
        this.#statements.exec('COMMIT');
        return result;
      } catch (error) {
        rollBack(this.#statements, 'ROLLBACK');
        throw error;
      } finally {
        tx.finish();
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.release();
  }

  #enqueue<T>(task: () => T | Promise<T>): Promise<T> {
    try {
      this.#connection.scope.assertOutside();
      if (this.#closed) throw new Error('the database is closed');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#connection.queue.run(task);
  }
}

/**
 * The `tx` a transaction's work receives. It runs statements directly (the transaction already holds the
 * queue); a nested `transaction` is a SAVEPOINT, so a repository method that opens its own transaction
 * also works inside a caller's. Used after its transaction ended, it throws.
 */
class SqliteTransaction implements Database {
  readonly dialect = 'sqlite';
  readonly #statements: Statements;
  readonly #depth: number;
  #finished = false;

  constructor(statements: Statements, depth: number) {
    this.#statements = statements;
    this.#depth = depth;
  }

  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#now(() => this.#statements.all<T>(sql, params));
  }

  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.#now(() => this.#statements.get<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.#now(() => this.#statements.run(sql, params));
  }

  async transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const statements = this.#statements;
    const control: SavepointControl = {
      savepoint: (name) => statements.exec(`SAVEPOINT ${name}`),
      release: (name) => statements.exec(`RELEASE ${name}`),
      rollBack: (name) => {
        rollBack(statements, `ROLLBACK TO ${name}`);
        rollBack(statements, `RELEASE ${name}`);
      },
    };
    return inSavepoint(this.#depth, control, (depth) => new SqliteTransaction(statements, depth), work);
  }

  close(): Promise<void> {
    return Promise.reject(new TypeError('close the database, not a transaction'));
  }

  finish(): void {
    this.#finished = true;
  }

  async #now<T>(task: () => T): Promise<T> {
    this.#assertOpen();
    return task();
  }

  #assertOpen(): void {
    if (this.#finished) throw new Error('this transaction has already ended');
  }
}

/**
 * Rolls back without hiding why: SQLite ends some transactions itself on error (SQLITE_FULL, an interrupted
 * statement), and then ROLLBACK fails with "no transaction is active"; the caller rethrows the first error.
 */
function rollBack(statements: Statements, sql: string): void {
  try {
    statements.exec(sql);
  } catch {
    // Nothing left to roll back.
  }
}

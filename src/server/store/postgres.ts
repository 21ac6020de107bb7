/**
 * The PostgreSQL driver (`pg`), for organisations that run several Sabha nodes on shared accounts.
 *
 * It speaks the portable SQL of database.ts: `?` placeholders are numbered `$1…` (outside strings,
 * quoted identifiers and comments), BIGINT and NUMERIC come back as JavaScript numbers (refused beyond
 * 2^53, where a number would silently lose digits), BYTEA as a plain Uint8Array. A transaction holds one
 * pooled client from BEGIN to COMMIT. The connection URL carries the password: it is handed to `pg` and
 * never put in a message, a log line or an error.
 */
import pg from 'pg';
import type { Database, Row, SqlValue } from './database.ts';
import { inSavepoint, type SavepointControl } from './savepoint.ts';
import { assertOneStatement, numberPlaceholders } from './sql-text.ts';
import { TransactionScope } from './transaction-scope.ts';
import { checkParams } from './values.ts';

/** Connections per node; Sabha's queries are short, and PostgreSQL's default limit is 100 for every node. */
const POOL_SIZE = 10;
const IDLE_CLIENT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Placeholder rewrites kept (one per distinct statement text). */
const SQL_CACHE_SIZE = 512;

const OID = { int8: 20, numeric: 1700, bytea: 17 } as const;

function parseSafeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && !(Number.isFinite(value) && text.includes('.'))) {
    throw new RangeError('a PostgreSQL number does not fit a JavaScript number exactly');
  }
  return value;
}

/** Type parsers of this pool only (pg's global `types` stays untouched for any other user of `pg`). */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === OID.int8 || oid === OID.numeric) return parseSafeNumber;
      if (oid === OID.bytea) {
        const parseBuffer = pg.types.getTypeParser(OID.bytea, 'text') as (text: string) => Buffer;
        // A copy: a small Buffer is a view into Node's shared pool, which a caller must never see.
        return (text: string) => Uint8Array.from(parseBuffer(text));
      }
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Connects to `url` and checks the server answers. Errors name the problem (refused, wrong password,
 * unknown database) but never contain the URL.
 */
export async function openPostgres(url: string): Promise<Database> {
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({
      connectionString: url,
      max: POOL_SIZE,
      idleTimeoutMillis: IDLE_CLIENT_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      types: typeParsers,
    });
  } catch (error) {
    // pg parses the URL with `new URL`, whose error carries the whole input (password included).
    throw new Error(`the PostgreSQL URL cannot be parsed (${safeMessage(error)})`);
  }
  // An idle client whose connection dropped: the pool discards it and the next query opens a new one.
  // Without a listener the 'error' event would end the process.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`cannot connect to PostgreSQL: ${safeMessage(error)}`);
  }
  return new PostgresDatabase(pool);
}

/** An error's message with anything URL-like removed (a defence: pg's own messages carry no URL). */
function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/postgres(ql)?:\/\/\S*/gi, '<url>');
}

/** The `?` → `$n` rewrite of each statement text, computed once. */
class StatementTexts {
  readonly #cache = new Map<string, string>();

  text(sql: string): string {
    let text = this.#cache.get(sql);
    if (text === undefined) {
      assertOneStatement(sql);
      const numbered = numberPlaceholders(sql);
      text = numbered.text;
      if (this.#cache.size >= SQL_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(sql, text);
    }
    return text;
  }
}

type Queryable = Pick<pg.Pool, 'query'>;

async function query<T extends Row>(
  target: Queryable,
  texts: StatementTexts,
  sql: string,
  params: readonly SqlValue[] | undefined,
): Promise<{ rows: T[]; changes: number }> {
  const values = checkParams(params);
  const text = texts.text(sql);
  const result = await target.query<T>({ text, values: values as unknown[] });
  return { rows: result.rows, changes: result.rowCount ?? 0 };
}

class PostgresDatabase implements Database {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;
  readonly #texts = new StatementTexts();
  readonly #scope = new TransactionScope();
  #closed = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.#assertUsable();
    return (await query<T>(this.#pool, this.#texts, sql, params)).rows;
  }

  async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    this.#assertUsable();
    return (await query<T>(this.#pool, this.#texts, sql, params)).rows[0];
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    this.#assertUsable();
    return { changes: (await query(this.#pool, this.#texts, sql, params)).changes };
  }

  async transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    this.#assertUsable();
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no 'error' listener of the pool's: a connection lost mid-transaction would
    // otherwise end the process. Its pending query rejects anyway; the client is discarded at release.
    const onLost = (error: Error) => (broken = error);
    client.on('error', onLost);
    const tx = new PostgresTransaction(client, this.#texts, 0);
    try {
      await client.query('BEGIN');
      const result = await this.#scope.enter(() => work(tx));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error; // the connection is unusable: release(error) discards it
      }
      throw error;
    } finally {
      tx.finish();
      client.off('error', onLost);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #assertUsable(): void {
    this.#scope.assertOutside();
    if (this.#closed) throw new Error('the database is closed');
  }
}

/**
 * The `tx` a transaction's work receives: statements on the transaction's own client (pg runs them in the
 * order given). A nested `transaction` is a SAVEPOINT. Used after its transaction ended, it throws.
 */
class PostgresTransaction implements Database {
  readonly dialect = 'postgres';
  readonly #client: pg.PoolClient;
  readonly #texts: StatementTexts;
  readonly #depth: number;
  #finished = false;

  constructor(client: pg.PoolClient, texts: StatementTexts, depth: number) {
    this.#client = client;
    this.#texts = texts;
    this.#depth = depth;
  }

  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.#assertOpen();
    return (await query<T>(this.#client, this.#texts, sql, params)).rows;
  }

  async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    this.#assertOpen();
    return (await query<T>(this.#client, this.#texts, sql, params)).rows[0];
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    this.#assertOpen();
    return { changes: (await query(this.#client, this.#texts, sql, params)).changes };
  }

  async transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const client = this.#client;
    const control: SavepointControl = {
      savepoint: async (name) => void (await client.query(`SAVEPOINT ${name}`)),
      release: async (name) => void (await client.query(`RELEASE SAVEPOINT ${name}`)),
      // If even this fails, the outer transaction's ROLLBACK reports the broken connection.
      rollBack: async (name) => void (await client.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {})),
    };
    return inSavepoint(this.#depth, control, (depth) => new PostgresTransaction(client, this.#texts, depth), work);
  }

  close(): Promise<void> {
    return Promise.reject(new TypeError('close the database, not a transaction'));
  }

  finish(): void {
    this.#finished = true;
  }

  #assertOpen(): void {
    if (this.#finished) throw new Error('this transaction has already ended');
  }
}

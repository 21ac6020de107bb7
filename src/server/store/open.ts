/**
 * Opens the database the configuration names and brings its schema up to date: what the server and the
 * `sabha` CLI call once at start.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

/** The `database` configuration key (src/server/config.ts). */
export interface DatabaseOptions {
  readonly kind: 'sqlite' | 'postgres';
  /** null: `<dataDir>/sabha.db`. */
  readonly sqliteFile: string | null;
  /** Needed for `postgres`; a secret (it holds the password): never log it. */
  readonly postgresUrl?: string | undefined;
}

/** The SQLite file `options` point at: `sqliteFile`, or `sabha.db` in the data directory. */
export function sqliteFileOf(options: DatabaseOptions, dataDir: string): string {
  return resolve(options.sqliteFile ?? join(dataDir, 'sabha.db'));
}

/** Opens and migrates the configured database. On a migration error the database is closed again. */
export async function openDatabase(options: DatabaseOptions, dataDir: string): Promise<Database> {
  const db = await connect(options, dataDir);
  try {
    await migrate(db, MIGRATIONS);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

async function connect(options: DatabaseOptions, dataDir: string): Promise<Database> {
  if (options.kind === 'postgres') {
    if (!options.postgresUrl) throw new Error('database.kind "postgres" needs database.postgresUrl');
    return openPostgres(options.postgresUrl);
  }
  const file = sqliteFileOf(options, dataDir);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // The file holds password hashes, TOTP secrets and session hashes: only Sabha's user may read it. Created
  // here with 0600 (SQLite would use 0644), and tightened if it already existed (with the -wal and -shm files
  // a previous run left); SQLite creates those two with the database file's mode.
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
  return openSqlite(file);
}

/**
 * Applies schema migrations: each once, in the order of the list, each in its own transaction together with
 * its row in `schema_migrations`, so a crash leaves every migration either wholly applied or not at all.
 */
import type { Database, Migration } from './database.ts';
import { isUniqueViolation } from './errors.ts';
import { splitStatements } from './sql-text.ts';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Brings `db` up to date with `migrations` and returns the ids it applied now. Refuses (MigrationError,
 * nothing applied) when the database records a migration this code does not know: a newer Sabha ran on
 * it, and this older code would misread its data.
 */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  checkList(migrations);
  await createLedger(db);
  const applied = new Set((await db.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  const known = new Set(migrations.map((m) => m.id));
  const unknown = [...applied].filter((id) => !known.has(id)).sort();
  if (unknown.length > 0) {
    throw new MigrationError(
      `the database has migrations this version of Sabha does not know (${unknown.join(', ')}): ` +
        'a newer Sabha has used it; run that version, or restore a backup made before the upgrade',
    );
  }
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    const sql = typeof migration.sql === 'string' ? migration.sql : migration.sql[db.dialect];
    try {
      await db.transaction(async (tx) => {
        // Recorded first: of two nodes sharing one PostgreSQL that start together, the slower one waits here
        // on the primary key until the faster one commits, then fails and rolls back instead of applying
        // the migration twice.
        await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [migration.id, Date.now()]);
        for (const statement of splitStatements(sql)) await tx.run(statement);
      });
    } catch (error) {
      if (isUniqueViolation(error) && (await isApplied(db, migration.id))) continue; // the other node did it
      throw error;
    }
    done.push(migration.id);
  }
  return done;
}

const LEDGER = 'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)';

async function createLedger(db: Database): Promise<void> {
  try {
    await db.run(LEDGER);
  } catch (error) {
    // PostgreSQL: a node starting at the same moment created it between our check and our CREATE.
    if (!isUniqueViolation(error)) throw error;
    await db.run(LEDGER);
  }
}

async function isApplied(db: Database, id: string): Promise<boolean> {
  return (await db.get('SELECT id FROM schema_migrations WHERE id = ?', [id])) !== undefined;
}

function checkList(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new TypeError(`migration id "${id}" is not lower-case-with-dashes`);
    if (seen.has(id)) throw new TypeError(`migration id "${id}" appears twice`);
    seen.add(id);
  }
}

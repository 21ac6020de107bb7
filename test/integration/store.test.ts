/**
 * The storage layer (src/server/store/) on both drivers: the portable SQL of database.ts behaves the same on
 * SQLite and on a real PostgreSQL, transactions commit, roll back and keep others out, and migrations are
 * applied once, in their own transactions, and refused when the database is newer than the code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Database, Migration } from '../../src/server/store/database.ts';
import { isUniqueViolation } from '../../src/server/store/errors.ts';
import { migrate, MigrationError } from '../../src/server/store/migrate.ts';
import { MIGRATIONS } from '../../src/server/store/migrations.ts';
import { type DatabaseOptions, openDatabase } from '../../src/server/store/open.ts';
import { openPostgres } from '../../src/server/store/postgres.ts';
import { openSqlite } from '../../src/server/store/sqlite.ts';
import { forEachDatabase, openTestDatabase } from '../helpers/databases.ts';

const NOTES: Migration = {
  id: 'test-001-notes',
  sql: `CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL, -- may hold '?' and ';'
    n BIGINT NOT NULL DEFAULT 0
  );
  CREATE INDEX notes_by_n ON notes (n);`,
};
const BLOBS: Migration = {
  id: 'test-002-blobs',
  sql: {
    sqlite: 'CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)',
    postgres: 'CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BYTEA NOT NULL)',
  },
};
const TEST_MIGRATIONS = [NOTES, BLOBS];

/** A promise and the function that resolves it: a step a test holds open until it says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Opens the same database again, as a restarted server would, without migrating. */
function reopen(options: DatabaseOptions): Promise<Database> | Database {
  return options.kind === 'sqlite' ? openSqlite(options.sqliteFile!) : openPostgres(options.postgresUrl!);
}

forEachDatabase(
  'Rows are inserted, read, updated and deleted with ? placeholders',
  async (db) => {
    assert.deepEqual(await db.run('INSERT INTO notes (id, body, n) VALUES (?, ?, ?)', ['a', 'first', 1]), { changes: 1 });
    await db.run('INSERT INTO notes (id, body, n) VALUES (?, ?, ?)', ['b', 'second', 2]);
    assert.deepEqual(await db.all('SELECT id, body, n FROM notes ORDER BY id'), [
      { id: 'a', body: 'first', n: 1 },
      { id: 'b', body: 'second', n: 2 },
    ]);
    assert.deepEqual(await db.get('SELECT body FROM notes WHERE id = ?', ['b']), { body: 'second' });
    assert.equal(await db.get('SELECT body FROM notes WHERE id = ?', ['zzz']), undefined);
    assert.deepEqual(await db.run('UPDATE notes SET n = n + ? WHERE n >= ?', [10, 1]), { changes: 2 });
    assert.deepEqual(await db.run('DELETE FROM notes WHERE id = ?', ['a']), { changes: 1 });
    assert.deepEqual(await db.all('SELECT id, n FROM notes'), [{ id: 'b', n: 12 }]);
    await assert.rejects(db.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['b', 'again']), (e) => isUniqueViolation(e));
    assert.equal(isUniqueViolation(new Error('something else')), false);
    await assert.rejects(db.run('SELECT 1; SELECT 2'), TypeError, 'a second statement is refused, not dropped');
    await assert.rejects(db.run('UPDATE notes SET n = ?', [true as unknown as number]), TypeError, 'booleans are 0/1');
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'A question mark inside a string, a quoted identifier or a comment is not a placeholder',
  async (db) => {
    await db.run("INSERT INTO notes (id, body) VALUES ('it''s?', ?) -- a comment? yes", ['one?']);
    await db.run("INSERT INTO notes (id, body) VALUES (?, 'why? because; /* not a comment */')", ['two']);
    assert.deepEqual(await db.all('SELECT id, body FROM notes ORDER BY id'), [
      { id: "it's?", body: 'one?' },
      { id: 'two', body: 'why? because; /* not a comment */' },
    ]);
    const row = await db.get(`SELECT body AS "what?", ? AS p /* ? */ FROM notes WHERE id = ?`, ['x', 'two']);
    assert.deepEqual(row, { 'what?': 'why? because; /* not a comment */', p: 'x' });
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'BIGINT columns and aggregates come back as JavaScript numbers',
  async (db) => {
    const times = [1_795_000_000_000, Number.MAX_SAFE_INTEGER, -1];
    for (const [i, n] of times.entries()) await db.run('INSERT INTO notes (id, body, n) VALUES (?, ?, ?)', [String(i), '', n]);
    const rows = await db.all<{ n: number }>('SELECT n FROM notes ORDER BY id');
    assert.deepEqual(rows.map((r) => r.n), times);
    for (const r of rows) assert.equal(typeof r.n, 'number');
    assert.deepEqual(await db.get('SELECT COUNT(*) AS c, SUM(n) AS s, MAX(n) AS m FROM notes WHERE n < ?', [2_000_000_000_000]), {
      c: 2,
      s: 1_795_000_000_000 - 1,
      m: 1_795_000_000_000,
    });
    // Beyond 2^53 a number would silently lose digits: both drivers refuse, and go on working.
    await db.run('INSERT INTO notes (id, body, n) VALUES (?, ?, ?)', ['big', '', Number.MAX_SAFE_INTEGER]);
    await assert.rejects(db.get('SELECT n + 2 AS n FROM notes WHERE id = ?', ['big']), RangeError);
    assert.deepEqual(await db.get('SELECT n - 1 AS n FROM notes WHERE id = ?', ['big']), { n: Number.MAX_SAFE_INTEGER - 1 });
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'Bytes go in and come back as the same plain Uint8Array',
  async (db) => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const big = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 251);
    await db.run('INSERT INTO blobs (id, data) VALUES (?, ?)', [1, every]);
    await db.run('INSERT INTO blobs (id, data) VALUES (?, ?)', [2, new Uint8Array(0)]);
    await db.run('INSERT INTO blobs (id, data) VALUES (?, ?)', [3, big]);
    const rows = await db.all<{ id: number; data: Uint8Array }>('SELECT id, data FROM blobs ORDER BY id');
    assert.deepStrictEqual(rows, [
      { id: 1, data: every },
      { id: 2, data: new Uint8Array(0) },
      { id: 3, data: big },
    ]);
    for (const r of rows) assert.equal(Object.getPrototypeOf(r.data), Uint8Array.prototype, 'not a Buffer');
    assert.deepEqual(await db.get('SELECT id FROM blobs WHERE data = ?', [every]), { id: 1 });
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'A transaction commits when its work resolves and rolls back everything when it throws',
  async (db) => {
    const value = await db.transaction(async (tx) => {
      await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['kept', '']);
      await tx.run('UPDATE notes SET n = 5 WHERE id = ?', ['kept']);
      return 'result';
    });
    assert.equal(value, 'result');
    const failure = new Error('work failed');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['lost', '']);
        await tx.run('UPDATE notes SET n = 99 WHERE id = ?', ['kept']);
        throw failure;
      }),
      (e) => e === failure,
    );
    // A failing statement rolls back the statements before it, too.
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['lost too', '']);
        await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['kept', 'duplicate']);
      }),
      (e) => isUniqueViolation(e),
    );
    assert.deepEqual(await db.all('SELECT id, n FROM notes'), [{ id: 'kept', n: 5 }]);
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'A nested transaction is a savepoint: its failure undoes only its own statements',
  async (db) => {
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['outer', '']);
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['inner', '']);
          throw new Error('inner failed');
        }),
        /inner failed/,
      );
      await tx.transaction((inner) => inner.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['inner kept', '']));
    });
    assert.deepEqual(await db.all('SELECT id FROM notes ORDER BY id'), [{ id: 'inner kept' }, { id: 'outer' }]);
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'Inside a transaction the outer database refuses statements, and a finished transaction refuses them too',
  async (db) => {
    let escaped: Database | undefined;
    await assert.rejects(
      db.transaction(async (tx) => {
        escaped = tx;
        await db.get('SELECT 1 AS one'); // would wait for itself on SQLite, escape the transaction on PostgreSQL
      }),
      /use its tx argument/,
    );
    await assert.rejects(escaped!.get('SELECT 1 AS one'), /already ended/);
    assert.deepEqual(await db.get('SELECT 1 AS one'), { one: 1 }, 'the database still works');
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'Concurrent transactions do not see or overwrite each other’s uncommitted work',
  async (db, { kind }) => {
    await db.run('INSERT INTO notes (id, body, n) VALUES (?, ?, ?)', ['counter', '', 0]);
    const inserted = gate();
    const release = gate();
    const events: string[] = [];
    const open = db.transaction(async (tx) => {
      await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['pending', '']);
      inserted.open();
      await release.promise;
      events.push('committing');
    });
    await inserted.promise;
    const count = () => db.get<{ c: number }>('SELECT COUNT(*) AS c FROM notes');
    if (kind === 'postgres') {
      // Readers are not blocked, and do not see the uncommitted row.
      assert.deepEqual(await count(), { c: 1 });
      release.open();
      await open;
    } else {
      // One connection: a statement sent meanwhile waits until the transaction has committed.
      const read = count().then((row) => {
        events.push('read');
        return row;
      });
      await new Promise((resolve) => setImmediate(resolve));
      release.open();
      await open;
      assert.deepEqual(await read, { c: 2 });
      assert.deepEqual(events, ['committing', 'read']);
    }
    assert.deepEqual(await count(), { c: 2 });

    // Read-modify-write in many concurrent transactions: none is lost. SQLite runs them one after another;
    // PostgreSQL makes each wait for the row lock of the one before (SELECT ... FOR UPDATE).
    const lock = kind === 'postgres' ? ' FOR UPDATE' : '';
    await Promise.all(
      Array.from({ length: 10 }, () =>
        db.transaction(async (tx) => {
          const row = await tx.get<{ n: number }>(`SELECT n FROM notes WHERE id = ?${lock}`, ['counter']);
          await new Promise((resolve) => setImmediate(resolve)); // give the others every chance to interleave
          await tx.run('UPDATE notes SET n = ? WHERE id = ?', [row!.n + 1, 'counter']);
        }),
      ),
    );
    assert.deepEqual(await db.get('SELECT n FROM notes WHERE id = ?', ['counter']), { n: 10 });
  },
  { migrations: TEST_MIGRATIONS },
);

forEachDatabase(
  'Migrations are applied once each, in order, and a restart applies nothing again',
  async (db, { options }) => {
    assert.deepEqual(await migrate(db, TEST_MIGRATIONS), ['test-001-notes', 'test-002-blobs']);
    assert.deepEqual(await migrate(db, TEST_MIGRATIONS), []);
    await db.run('INSERT INTO notes (id, body) VALUES (?, ?)', ['survives', '']);
    const later: Migration = { id: 'test-003-tags', sql: 'CREATE TABLE tags (note_id TEXT NOT NULL REFERENCES notes(id))' };
    await db.close(); // the last user of the SQLite file: the next open is a new connection
    const restarted = await reopen(options);
    try {
      assert.deepEqual(await migrate(restarted, [...TEST_MIGRATIONS, later]), ['test-003-tags'], 'only the new one');
      assert.deepEqual(await migrate(restarted, [...TEST_MIGRATIONS, later]), []);
      const ids = await restarted.all<{ id: string; applied_at: number }>('SELECT id, applied_at FROM schema_migrations ORDER BY applied_at, id');
      assert.deepEqual(ids.map((r) => r.id), ['test-001-notes', 'test-002-blobs', 'test-003-tags']);
      for (const r of ids) assert.equal(typeof r.applied_at, 'number');
      assert.deepEqual(await restarted.all('SELECT id FROM notes'), [{ id: 'survives' }]);
      // Foreign keys are enforced on both drivers.
      await assert.rejects(restarted.run('INSERT INTO tags (note_id) VALUES (?)', ['no such note']));
    } finally {
      await restarted.close();
    }
  },
  { migrations: [] },
);

forEachDatabase(
  'Two nodes migrating the same database at the same moment apply each migration once',
  async (db, { options }) => {
    // On SQLite both opens share the process's one connection to the file (two would deadlock each other).
    const other = await reopen(options);
    try {
      const [a, b] = await Promise.all([migrate(db, TEST_MIGRATIONS), migrate(other, TEST_MIGRATIONS)]);
      assert.deepEqual([...a, ...b].sort(), ['test-001-notes', 'test-002-blobs']);
      assert.equal((await db.all('SELECT id FROM schema_migrations')).length, 2);
    } finally {
      await other.close();
    }
  },
  { migrations: [] },
);

forEachDatabase(
  'A migration that fails leaves nothing of itself behind, and the ones before it stay applied',
  async (db) => {
    const broken: Migration = { id: 'test-003-broken', sql: 'CREATE TABLE half (x INTEGER); CREATE TABLE nonsense (' };
    await assert.rejects(migrate(db, [...TEST_MIGRATIONS, broken]));
    const ids = await db.all<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
    assert.deepEqual(ids.map((r) => r.id), ['test-001-notes', 'test-002-blobs']);
    await assert.rejects(db.get('SELECT * FROM half'), 'the first statement was rolled back with the second');
  },
  { migrations: [] },
);

forEachDatabase(
  'A database migrated by a newer Sabha is refused, and nothing is applied to it',
  async (db) => {
    const newer: Migration = { id: 'test-009-from-the-future', sql: 'CREATE TABLE future (x INTEGER)' };
    await migrate(db, [NOTES, newer]);
    await assert.rejects(migrate(db, [NOTES, BLOBS]), (e) => e instanceof MigrationError && /test-009-from-the-future/.test(e.message));
    await assert.rejects(db.get('SELECT * FROM blobs'), 'BLOBS was not applied');
    await assert.rejects(migrate(db, [NOTES, NOTES]), TypeError, 'a duplicated id is a programming error');
  },
  { migrations: [] },
);

forEachDatabase(
  'openDatabase applies every migration of Sabha, and opening again applies none',
  async (db, { options }) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sabha-data-'));
    try {
      const first = await openDatabase(options, dataDir);
      await first.close();
      const applied = await db.all<{ id: string }>('SELECT id FROM schema_migrations');
      assert.deepEqual(applied.map((r) => r.id).sort(), MIGRATIONS.map((m) => m.id).sort());
      const second = await openDatabase(options, dataDir);
      await second.close();
      assert.equal((await db.all('SELECT id FROM schema_migrations')).length, MIGRATIONS.length);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
  { migrations: [] },
);

describe('Opening the configured database', () => {
  it('creates the SQLite file and its -wal and -shm files in the data directory, readable by their owner only', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'sabha-data-'));
    const dataDir = join(parent, 'var'); // not there yet: openDatabase makes it
    try {
      const db = await openDatabase({ kind: 'sqlite', sqliteFile: null }, dataDir);
      await db.run('CREATE TABLE t (x INTEGER)');
      // Checked while open: a clean close removes the -wal and -shm files.
      for (const file of ['sabha.db', 'sabha.db-wal', 'sabha.db-shm']) {
        assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
      }
      await db.close();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('never puts the PostgreSQL URL or its password in an error', async () => {
    const secret = 'pa55-w0rd-never-shown';
    for (const url of [`postgresql://sabha:${secret}@/sabha?host=/nonexistent-sabha-dir`, `postgresql://sabha:${secret}@[::1/x`]) {
      await assert.rejects(openDatabase({ kind: 'postgres', sqliteFile: null, postgresUrl: url }, tmpdir()), (e: Error) => {
        assert.ok(!JSON.stringify({ ...e, message: e.message, stack: e.stack }).includes(secret), e.message);
        return true;
      });
    }
  });

  it('gives unit tests a migrated in-memory database of their own', async () => {
    const a = await openTestDatabase();
    const b = await openTestDatabase();
    try {
      assert.equal((await a.all('SELECT id FROM schema_migrations')).length, MIGRATIONS.length);
      await a.run('CREATE TABLE only_in_a (x INTEGER)');
      await assert.rejects(b.get('SELECT * FROM only_in_a'));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

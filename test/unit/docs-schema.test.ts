/**
 * docs/accounts.md "Schema" stays true to the migrations: every table and column they create is listed, and
 * nothing is listed that they do not create.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { openTestDatabase } from '../helpers/databases.ts';

const doc = readFileSync(new URL('../../docs/accounts.md', import.meta.url), 'utf8');

/** `{table: [columns]}` as the "Schema" section lists them: a `### \`table\`` heading, then `- \`column\`: …` lines. */
function documentedSchema(): Map<string, string[]> {
  const start = doc.indexOf('\n## Schema\n');
  assert.ok(start >= 0, 'docs/accounts.md has a "Schema" section');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  const tables = new Map<string, string[]>();
  for (const block of section.split('\n### ').slice(1)) {
    const [heading, ...lines] = block.split('\n');
    const table = /^`([a-z_]+)`/.exec(heading!)?.[1];
    assert.ok(table, `a table heading names its table: ${heading}`);
    const columns = lines
      .filter((line) => line.startsWith('- `'))
      .flatMap((line) => [...line.slice(0, line.indexOf(':')).matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!));
    tables.set(table, columns);
  }
  return tables;
}

it('lists exactly the tables and columns that the migrations create', async () => {
  const db = await openTestDatabase();
  try {
    const tables = await db.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    assert.ok(tables.length >= 2, 'the migrations were read');
    const documented = documentedSchema();
    for (const { name } of tables) {
      const columns = (await db.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [name])).map((c) => c.name);
      assert.deepEqual(documented.get(name)?.slice().sort(), columns.slice().sort(), `the columns of ${name}`);
    }
    assert.deepEqual([...documented.keys()].sort(), tables.map((t) => t.name), 'no table is listed that does not exist');
  } finally {
    await db.close();
  }
});

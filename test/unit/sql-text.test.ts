/**
 * The SQL lexer the drivers and the migration runner share (src/server/store/sql-text.ts): only code is
 * split at semicolons and has its `?` numbered; strings, quoted identifiers and comments pass untouched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertOneStatement, numberPlaceholders, splitStatements } from '../../src/server/store/sql-text.ts';

describe('SQL text', () => {
  it('numbers each placeholder of the code and none inside strings, identifiers or comments', () => {
    const sql = `SELECT ?, 'a?''b?', "c?", E'd\\'?', $$e?$$, $t$f?$t$ -- g?
      FROM x /* h? */ WHERE y = ? AND z = ?`;
    const { text, count } = numberPlaceholders(sql);
    assert.equal(count, 3);
    assert.equal(
      text,
      `SELECT $1, 'a?''b?', "c?", E'd\\'?', $$e?$$, $t$f?$t$ -- g?
      FROM x /* h? */ WHERE y = $2 AND z = $3`,
    );
  });

  it('splits a migration at top-level semicolons only, leaving out empty and comment-only pieces', () => {
    const sql = `
      -- the users; all of them
      CREATE TABLE a (x TEXT DEFAULT ';');
      /* a; b */
      CREATE TABLE "b;c" (y TEXT);;
      CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
      -- trailing comment; nothing else
    `;
    assert.deepEqual(splitStatements(sql), [
      "-- the users; all of them\n      CREATE TABLE a (x TEXT DEFAULT ';')",
      '/* a; b */\n      CREATE TABLE "b;c" (y TEXT)',
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql',
    ]);
  });

  it('accepts exactly one statement, with or without a final semicolon, and refuses two', () => {
    assertOneStatement('SELECT 1');
    assertOneStatement("SELECT ';' ; -- done");
    assert.throws(() => assertOneStatement('SELECT 1; SELECT 2'), TypeError);
    assert.throws(() => assertOneStatement('-- nothing'), TypeError);
  });

  it('treats a dollar sign inside a name or a number as code, not as a dollar quote', () => {
    assert.deepEqual(numberPlaceholders('SELECT a$b$ FROM t WHERE c = ?'), { text: 'SELECT a$b$ FROM t WHERE c = $1', count: 1 });
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/server/cli.ts';
import { openDatabase } from '../../src/server/store/open.ts';
import { createEnrolment } from '../../src/server/accounts/enrolment.ts';
import { createCredentials } from '../../src/server/accounts/credentials.ts';

describe('the sabha user command line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sabha-cli-'));
  const env = { SABHA_DATA_DIR: dataDir, SABHA_PUBLIC_URL: 'https://meet.example.org' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function sabha(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, env, (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('adds a user and prints a one-time enrolment link that the server accepts', async () => {
    const added = await sabha('user', 'add', 'Priya@Example.org', '--name', 'Priya Sharma', '--admin');
    assert.equal(added.code, 0, added.err);
    const link = /https:\/\/meet\.example\.org\/enrol#([A-Za-z0-9_-]{43})/.exec(added.out);
    assert.ok(link, added.out);
    const db = await openDatabase({ kind: 'sqlite', sqliteFile: null }, dataDir);
    try {
      const ticket = await createEnrolment(db, createCredentials(db)).inspect(link[1]!);
      assert.equal(ticket?.purpose, 'enrol');
    } finally {
      await db.close();
    }
    const list = await sabha('user', 'list');
    assert.equal(list.out, 'priya@example.org\tPriya Sharma\tadmin\tactive');
  });

  it('disables, enables and resets by e-mail, and a reset prints a new link', async () => {
    assert.equal((await sabha('user', 'disable', 'priya@example.org')).code, 0);
    assert.match((await sabha('user', 'list')).out, /\tdisabled$/);
    assert.equal((await sabha('user', 'enable', 'PRIYA@example.org')).code, 0);
    assert.match((await sabha('user', 'list')).out, /\tactive$/);
    const reset = await sabha('user', 'reset', 'priya@example.org');
    assert.equal(reset.code, 0);
    assert.match(reset.out, /enrol#[A-Za-z0-9_-]{43}/);
  });

  it('refuses a second user with the same e-mail, an unknown user and wrong usage', async () => {
    const twice = await sabha('user', 'add', 'priya@example.org');
    assert.equal(twice.code, 1);
    assert.match(twice.err, /already exists/);
    assert.equal((await sabha('user', 'disable', 'nobody@example.org')).code, 1);
    assert.equal((await sabha('user', 'add')).code, 2);
    assert.equal((await sabha('user', 'list', '--admin')).code, 2);
    assert.equal((await sabha('users', 'list')).code, 2);
  });
});

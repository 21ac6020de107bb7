/**
 * The `database` configuration key (src/server/config.ts): SQLite by default, PostgreSQL only with a URL,
 * both settable from the environment.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.ts';

describe('The database configuration', () => {
  it('defaults to SQLite in the data directory', () => {
    assert.deepEqual(loadConfig({ env: {} }).database, { kind: 'sqlite', sqliteFile: null });
  });

  it('takes PostgreSQL and its URL from the environment', () => {
    const config = loadConfig({ env: { SABHA_DATABASE_KIND: 'postgres', SABHA_DATABASE_URL: 'postgresql://sabha:pw@db/sabha' } });
    assert.deepEqual(config.database, { kind: 'postgres', sqliteFile: null, postgresUrl: 'postgresql://sabha:pw@db/sabha' });
  });

  it('refuses PostgreSQL without a URL, a URL of another scheme, and an unknown kind, without echoing the URL', () => {
    assert.throws(() => loadConfig({ env: { SABHA_DATABASE_KIND: 'postgres' } }), /database.kind "postgres" needs database.postgresUrl/);
    assert.throws(
      () => loadConfig({ env: { SABHA_DATABASE_KIND: 'postgres', SABHA_DATABASE_URL: 'mysql://u:secret-pw@h/d' } }),
      (e: Error) => e instanceof ConfigError && /database\.postgresUrl/.test(e.message) && !e.message.includes('secret-pw'),
    );
    assert.throws(() => loadConfig({ env: { SABHA_DATABASE_KIND: 'oracle' } }), /database\.kind/);
  });
});

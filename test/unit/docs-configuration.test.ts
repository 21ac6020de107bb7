/**
 * docs/configuration.md stays true to src/server/config.ts: every key of the schema has a row, the row shows
 * the key's default, and every environment variable the code reads is documented next to the key it sets.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadConfig, sabhaConfigSchema } from '../../src/server/config.ts';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const rows = doc.split('\n').filter((line) => line.startsWith('| '));
const configSource = readFileSync(new URL('../../src/server/config.ts', import.meta.url), 'utf8');

/** Every leaf of the default configuration, as dotted paths, with its default value. */
function leaves(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]) =>
    v !== null && typeof v === 'object' ? leaves(v as Record<string, unknown>, `${prefix}${key}.`) : [[`${prefix}${key}`, v] as [string, unknown]],
  );
}

/** Every key of the schema, optional ones (no default) included, as dotted paths, read from the schema itself. */
function schemaKeys(schema: unknown, prefix = ''): string[] {
  type Def = { type: string; innerType?: unknown; shape?: Record<string, unknown> };
  const defOf = (s: unknown) => (s as { _zod: { def: Def } })._zod.def;
  let def = defOf(schema);
  while (def.innerType !== undefined && ['default', 'optional', 'nullable', 'prefault'].includes(def.type)) def = defOf(def.innerType);
  if (def.type !== 'object' || !def.shape) return prefix ? [prefix.slice(0, -1)] : [];
  return Object.entries(def.shape).flatMap(([key, child]) => schemaKeys(child, `${prefix}${key}.`));
}

/** The first cell of a table row that documents `key`: rows may name several keys, e.g. `tlsCertFile`, `tlsKeyFile`. */
const rowFor = (key: string) => rows.find((row) => row.split('|')[1]?.includes(`\`${key}\``));

describe('docs/configuration.md', () => {
  it('has a row for every key of the configuration schema, showing its default', () => {
    const defaults = leaves(loadConfig({ env: {} }) as unknown as Record<string, unknown>);
    assert.ok(defaults.length >= 15, 'the schema was read');
    for (const [key, value] of defaults) {
      const row = rowFor(key);
      assert.ok(row, `${key} is documented`);
      assert.ok(row.split('|')[2]?.includes(`\`${String(value)}\``), `${key}'s row shows its default ${String(value)}`);
    }
    // Keys without a default (optional) are documented too.
    const keys = schemaKeys(sabhaConfigSchema);
    for (const key of ['tlsCertFile', 'janus.url', 'janus.natPublicIp', 'metrics.token']) assert.ok(keys.includes(key), `the schema walk finds ${key}`);
    for (const key of keys) assert.ok(rowFor(key), `${key} is documented`);
  });

  it('names every environment variable the code reads, beside the key it sets', () => {
    const overrides = [...configSource.matchAll(/(SABHA_[A-Z_]+): \{ path: \[([^\]]+)\]/g)].map((m) => [m[1]!, m[2]!.replace(/['\s]/g, '').split(',').join('.')] as const);
    assert.ok(overrides.length >= 15, 'the overrides were read');
    for (const [name, key] of overrides) {
      const row = rows.find((r) => r.includes(`\`${name}\``));
      assert.ok(row, `${name} is documented`);
      assert.ok(row.includes(`\`${key}\``), `${name} is documented beside ${key}`);
    }
    for (const name of ['SABHA_CONFIG', 'SABHA_LOG_LEVEL']) assert.ok(doc.includes(`\`${name}`), `${name} is documented`);
  });
});

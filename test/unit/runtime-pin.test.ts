/**
 * The supported Node.js is named in several places: the version install.sh pins, package.json's engines,
 * the major the server warns below, the README and docs/operations.md. A bump of one must bump them all.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the pinned Node.js runtime', () => {
  const install = read('scripts/install.sh');
  const version = /^SABHA_NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(install)?.[1];
  const integrity = /^SABHA_NODE_INTEGRITY=(\S+)$/m.exec(install)?.[1];
  const major = Number(version?.split('.')[0]);

  it('is pinned in install.sh to an exact version with a SHA-512 checksum', () => {
    assert.ok(version, 'SABHA_NODE_VERSION is an exact version');
    assert.match(integrity ?? '', /^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('is the version package.json requires, and the major the server warns below', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
    assert.equal(pkg.engines.node, `>=${version}`);
    assert.match(pkg.devDependencies['@types/node'] ?? '', new RegExp(`^\\^${major}\\.`), '@types/node matches the major');
    assert.match(read('src/server/main.ts'), new RegExp(`const SUPPORTED_NODE_MAJOR = ${major};`));
  });

  it('is the version the README and docs/operations.md name', () => {
    assert.ok(read('README.md').includes(`Node.js ${version}`), 'README names it');
    assert.ok(read('docs/operations.md').includes(`**Node.js ${version}**`), 'docs/operations.md names it');
  });
});

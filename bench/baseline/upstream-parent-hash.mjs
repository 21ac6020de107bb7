/**
 * The unpatched parentHash.js of ts-mls 1.6.4, made at run time (nothing of ts-mls is kept in this
 * repository): the installed, patched file with the parentHash.js part of patches/ts-mls+1.6.4.patch
 * reversed, its relative imports pointed back at the installed package. The MLS churn benchmark's baseline
 * runs it, and test/unit/mls-tampered-tree.test.ts checks that the patched code gives the same verdicts.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSTALLED = join(ROOT, 'node_modules', 'ts-mls', 'dist', 'src');
const PATCH = join(ROOT, 'patches', 'ts-mls+1.6.4.patch');

let made;

/** A file URL of the unpatched module; made once per process (and per loader thread). */
export function upstreamParentHashUrl() {
  if (made) return made;
  const sections = readFileSync(PATCH, 'utf8').split(/^(?=diff --git )/m);
  const section = sections.find((s) => s.startsWith('diff --git a/node_modules/ts-mls/dist/src/parentHash.js '));
  if (!section) throw new Error('the ts-mls patch has no parentHash.js part');
  const dir = mkdtempSync(join(tmpdir(), 'sabha-ts-mls-upstream-'));
  const patched = join(dir, 'patched.js');
  const upstream = join(dir, 'parentHash.js');
  copyFileSync(join(INSTALLED, 'parentHash.js'), patched);
  execFileSync('patch', ['--reverse', '--silent', '--force', '--output', upstream, patched], { input: section });
  const source = readFileSync(upstream, 'utf8').replace(/from "\.\/([^"]+)"/g, (_, path) => `from "${pathToFileURL(join(INSTALLED, path)).href}"`);
  writeFileSync(upstream, source);
  made = pathToFileURL(upstream).href;
  return made;
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/sframe/rfc9605-test-vectors.json');
const scratch = mkdtempSync(join(tmpdir(), 'sframe-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  lastLine: string;
  stdout: string;
}

function runCheck(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'tools/sframe-check.ts', ...args], { cwd: ROOT }, (err, stdout) => {
      const lines = stdout.trimEnd().split('\n');
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, lastLine: lines[lines.length - 1] ?? '', stdout });
    });
  });
}

describe('sframe-check tool', () => {
  it('passes every vector of the RFC 9605 fixture and exits 0', async () => {
    const run = await runCheck(FIXTURE);
    assert.equal(run.lastLine, '297 passed, 0 failed');
    assert.equal(run.code, 0);
  });

  it('reports one failure and exits non-zero when one ciphertext in a copy is corrupted', async () => {
    const file = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { sframe: Array<{ ct: string }> };
    const ct = file.sframe[2]!.ct;
    const last = ct.at(-1) === '0' ? '1' : '0';
    // Only the sframe section is rewritten; the header section stays verbatim so its
    // values above 2^53 survive this round trip through JSON.parse.
    const original = readFileSync(FIXTURE, 'utf8');
    const corrupted = original.replace(`"${ct}"`, `"${ct.slice(0, -1)}${last}"`);
    assert.notEqual(corrupted, original);
    const path = join(scratch, 'corrupted.json');
    writeFileSync(path, corrupted);
    const run = await runCheck(path);
    assert.equal(run.lastLine, '296 passed, 1 failed');
    assert.match(run.stdout, /FAIL sframe\[2\]/);
    assert.notEqual(run.code, 0);
  });

  it('exits non-zero without a count for a missing file or one that is not a vector file', async () => {
    const missing = await runCheck(join(scratch, 'does-not-exist.json'));
    assert.notEqual(missing.code, 0);
    assert.doesNotMatch(missing.stdout, /passed/);
    const junk = join(scratch, 'junk.json');
    writeFileSync(junk, '{"header": []}');
    const bad = await runCheck(junk);
    assert.notEqual(bad.code, 0);
    assert.doesNotMatch(bad.stdout, /passed/);
  });
});

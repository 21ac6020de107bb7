/**
 * Checks an SFrame test-vector file (RFC 9605 appendix C format) against Sabha's
 * implementation. Usage: node --import tsx tools/sframe-check.ts <file>
 * Prints one line per failing vector, then `N passed, M failed` as the last line.
 * Exit status: 0 all passed, 1 some failed, 2 the file could not be read or parsed (then no
 * count is printed, since nothing was checked).
 */
import { readFile } from 'node:fs/promises';
import { checkVectorFile } from '../src/e2ee/sframe/conformance/check.ts';
import { parseVectorFile } from '../src/e2ee/sframe/conformance/vectors.ts';

async function main(argv: readonly string[]): Promise<number> {
  const path = argv[0];
  if (argv.length !== 1 || path === undefined) {
    process.stderr.write('usage: sframe-check <test-vector-file.json>\n');
    return 2;
  }
  let file;
  try {
    file = parseVectorFile(await readFile(path, 'utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    process.stderr.write(`sframe-check: cannot use ${path}: ${reason}\n`);
    return 2;
  }
  const results = await checkVectorFile(file);
  let passed = 0;
  for (const r of results) {
    if (r.ok) passed++;
    else process.stdout.write(`FAIL ${r.group}[${r.index}]: ${r.problem}\n`);
  }
  process.stdout.write(`${passed} passed, ${results.length - passed} failed\n`);
  return passed === results.length ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));

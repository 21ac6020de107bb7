// Runs every test file with node's test runner, one file at a time (browser and
// Janus suites must not compete for the two cores). Node 20 takes no globs, so
// the files are listed here. `--only unit|attack|integration|network|browser` narrows it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const GROUPS = ['unit', 'attack', 'integration', 'network', 'browser'];
const onlyIndex = process.argv.indexOf('--only');
const groups = onlyIndex > 0 ? process.argv[onlyIndex + 1].split(',') : GROUPS;

const find = (dir) => {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
};

const files = groups.flatMap((g) => find(join('test', g)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// --test-force-exit: werift (the synthetic WebRTC client of the Janus tests) leaves UDP sockets
// open after RTCPeerConnection.close(), which would keep a finished test file alive forever.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

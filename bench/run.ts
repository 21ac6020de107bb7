/**
 * `npm run bench`: every benchmark in one run, each printing its figures beside a
 * baseline measured in the same run. `--only sframe,mls,join,load` narrows it.
 * Timings belong here, never in tests.
 */
import { benchSFrame } from './sframe.ts';
import { benchMls } from './mls.ts';

const benches: Record<string, () => Promise<void>> = {
  sframe: benchSFrame,
  mls: benchMls,
  join: async () => (await import('./join-time.ts')).benchJoinTime(),
  load: async () => (await import('./meeting-load.ts')).benchMeetingLoad(),
};

const onlyIndex = process.argv.indexOf('--only');
const selected = onlyIndex > 0 ? process.argv[onlyIndex + 1]!.split(',') : Object.keys(benches);
for (const name of selected) {
  const run = benches[name];
  if (!run) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
  process.stdout.write(`\n== ${name} ==\n`);
  await run();
}

/**
 * `npm run bench`: every benchmark in one run, each printing its figures beside a
 * baseline measured in the same run. `--only sframe,mls,mls-churn,transform,join,load,scale` narrows it.
 * Timings belong here, never in tests.
 */
import { benchSFrame } from './sframe.ts';
import { benchMls } from './mls.ts';

const benches: Record<string, () => Promise<void>> = {
  sframe: benchSFrame,
  mls: benchMls,
  // MLS at 100 and 1000 after removals: join, commit and process, with and without the ts-mls tree-hash cache.
  'mls-churn': async () => (await import('./mls-churn.ts')).benchMlsChurn(),
  // Per-frame cost of the E2EE worker's transform path (every meeting is encrypted, so join time includes E2EE).
  transform: async () => (await import('./e2ee-transform.ts')).benchE2eeTransform(),
  join: async () => (await import('./join-time.ts')).benchJoinTime(),
  load: async () => (await import('./meeting-load.ts')).benchMeetingLoad(),
  // Synthetic participants at 25, 50 and 100 in one encrypted meeting: Janus and server CPU, downlinks, admission.
  scale: async () => (await import('./scale.ts')).benchScale(),
};

const onlyIndex = process.argv.indexOf('--only');
const selected = onlyIndex > 0 ? process.argv[onlyIndex + 1]!.split(',') : Object.keys(benches);
for (const name of selected) {
  const run = benches[name];
  if (!run) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
  process.stdout.write(`\n== ${name} ==\n`);
  await run();
}

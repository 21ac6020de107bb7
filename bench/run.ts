/**
 * `npm run bench`: every benchmark in one run, each printing its figures beside a
 * baseline measured in the same run. `--only sframe,mls,mls-churn,identity,transform,join,join-turn,load,scale,signin` narrows it.
 * Timings belong here, never in tests.
 */
import { benchSFrame } from './sframe.ts';
import { benchMls } from './mls.ts';

const benches: Record<string, () => Promise<void>> = {
  sframe: benchSFrame,
  mls: benchMls,
  // MLS at 100 and 1000 after removals: join, commit and process, with and without the ts-mls tree-hash cache.
  'mls-churn': async () => (await import('./mls-churn.ts')).benchMlsChurn(),
  // Device identity: join with every leaf's binding checked beside ts-mls's accept-all, person code, key making.
  identity: async () => (await import('./identity.ts')).benchIdentity(),
  // Per-frame cost of the E2EE worker's transform path (every meeting is encrypted, so join time includes E2EE).
  transform: async () => (await import('./e2ee-transform.ts')).benchE2eeTransform(),
  join: async () => (await import('./join-time.ts')).benchJoinTime(),
  // Join time through the TURN relay (TCP only, UDP blocked in a network namespace) beside the direct path.
  'join-turn': async () => (await import('./join-turn.ts')).benchJoinTurn(),
  load: async () => (await import('./meeting-load.ts')).benchMeetingLoad(),
  // Synthetic participants at 25, 50 and 100 in one encrypted meeting: Janus and server CPU, downlinks, admission.
  scale: async () => (await import('./scale.ts')).benchScale(),
  // Argon2id sign-in cost beside SHA-256, a password + TOTP sign-in over HTTP, the password endpoint's rate from one address and from many.
  signin: async () => (await import('./signin.ts')).benchSignIn(),
};

const onlyIndex = process.argv.indexOf('--only');
const selected = onlyIndex > 0 ? process.argv[onlyIndex + 1]!.split(',') : Object.keys(benches);
for (const name of selected) {
  const run = benches[name];
  if (!run) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
  process.stdout.write(`\n== ${name} ==\n`);
  await run();
}

/**
 * MLS after churn, at 100 and 1000 members: the cost of joining, committing and processing in a group that
 * has seen removals, with the tree-hash cache of patches/ts-mls+1.6.4.patch and without it, in the same run.
 *
 * Scenario, per size N (Sabha's noble back end, through MlsMember as the client uses it):
 * - a committer builds the group with batched adds (as the server batches admissions); a receiving member
 *   joins in the first batch;
 * - the committer removes N/10 members spread across the tree (in 4 commits), then re-admits N/20 in one
 *   commit: they fill blank leaves below non-blank parents, whose unmerged_leaves lists then hold them;
 * - repeated: the committer adds one participant (commit creation, processing by the receiver, the joiner's
 *   join from the Welcome), then removes that participant again (commit creation, processing), so the group
 *   keeps its size. Medians are printed.
 *
 * Each variant runs in its own child process, one after the other: "patched" loads ts-mls as installed;
 * "baseline" loads it with the unpatched parentHash.js of ts-mls 1.6.4 (made from the installed one by bench/baseline/upstream-parent-hash.mjs), i.e. the
 * installed patch without its cache. Both build the same group shape. The join is what the cache changes;
 * commits do the same hashing work in both, and the baseline's commit figures follow its slow joins in the
 * same process (their garbage, the machine's load), so they say little about the patch.
 *
 * Run alone: node --import tsx bench/mls-churn.ts   (MLS_CHURN_SIZES=100 to shorten)
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MlsMember, type MlsAddition } from '../src/e2ee/mls/member.ts';
import { loadMlsSuite } from '../src/e2ee/mls/suite.ts';
import { median, participantIdOf, timed } from './measure.ts';

const BUILD_BATCH = 250;
const REMOVAL_COMMITS = 4;
const CHILD_FLAG = '--mls-churn-child';
const BASELINE_HOOKS = new URL('./baseline/ts-mls-upstream-parent-hash.mjs', import.meta.url);
const RESULT_PREFIX = 'MLS_CHURN_RESULT ';

type Variant = 'baseline' | 'patched';

interface Figures {
  readonly members: number;
  readonly variant: Variant;
  /** The parentHash.js this process loaded: checks that the variant runs the code it claims to. */
  readonly parentHashModule: string;
  readonly setupMs: number;
  readonly joinMs: number;
  /** CPU time of the join, all threads of the process (WebCrypto's included): steadier than wall time on a busy machine. */
  readonly joinCpuMs: number;
  readonly addCommitMs: number;
  readonly addProcessMs: number;
  readonly removeCommitMs: number;
  readonly removeProcessMs: number;
}

/** Runs the scenario at one size in this process, with whichever ts-mls code this process loaded. */
async function measure(members: number, variant: Variant, reps: number): Promise<Figures> {
  const suite = await loadMlsSuite('noble');
  const setupStart = performance.now();
  const removals = Math.floor(members / 10);
  const readmissions = Math.floor(members / 20);
  // Built to members + removals - readmissions, so that the group has `members` members after the churn.
  const initialOthers = members - 2 + removals - readmissions;
  const keyPackages: MlsAddition[] = [];
  for (let i = 0; i < initialOthers + readmissions; i++) {
    const m = await MlsMember.create(participantIdOf(0x1000 + i), { suite });
    keyPackages.push({ identity: m.identity, keyPackage: m.keyPackageBytes() });
  }
  const committer = await MlsMember.create(participantIdOf(1), { suite });
  const receiver = await MlsMember.create(participantIdOf(2), { suite });
  await committer.createGroup(`churn-${members}`);
  const commitAndRelay = async (request: Parameters<MlsMember['commit']>[0]): Promise<void> => {
    const output = await committer.commit(request);
    await committer.applyPendingCommit();
    if (receiver.phase === 'fresh') await receiver.joinFromWelcome(output.welcome!);
    else await receiver.processCommit(output.commit);
  };
  const initial = [{ identity: receiver.identity, keyPackage: receiver.keyPackageBytes() }, ...keyPackages.slice(0, initialOthers)];
  for (let i = 0; i < initial.length; i += BUILD_BATCH) await commitAndRelay({ add: initial.slice(i, i + BUILD_BATCH) });
  // Removed: every tenth member, starting in the middle of each run of ten, over REMOVAL_COMMITS commits.
  const removed = Array.from({ length: removals }, (_, k) => keyPackages[k * 10 + 5]!.identity);
  const perCommit = Math.ceil(removals / REMOVAL_COMMITS);
  for (let i = 0; i < removed.length; i += perCommit) await commitAndRelay({ remove: removed.slice(i, i + perCommit) });
  await commitAndRelay({ add: keyPackages.slice(initialOthers) });
  const setupMs = performance.now() - setupStart;
  const size = committer.members().filter((m) => m !== undefined).length;
  if (size !== members) throw new Error(`group has ${size} members after the churn, not ${members}`);

  const join: number[] = [];
  const joinCpu: number[] = [];
  const addCommit: number[] = [];
  const addProcess: number[] = [];
  const removeCommit: number[] = [];
  const removeProcess: number[] = [];
  for (let r = 0; r < reps; r++) {
    const joiner = await MlsMember.create(participantIdOf(0x100000 + r), { suite });
    const [added, addMs] = await timed(() => committer.commit({ add: [{ identity: joiner.identity, keyPackage: joiner.keyPackageBytes() }] }));
    addCommit.push(addMs);
    await committer.applyPendingCommit();
    addProcess.push((await timed(() => receiver.processCommit(added.commit)))[1]);
    const cpuBefore = process.cpuUsage();
    join.push((await timed(() => joiner.joinFromWelcome(added.welcome!)))[1]);
    const cpu = process.cpuUsage(cpuBefore);
    joinCpu.push((cpu.user + cpu.system) / 1000);
    if (joiner.securityCode() !== committer.securityCode()) throw new Error('joiner disagrees with the committer');
    joiner.close();

    const [removal, removeMs] = await timed(() => committer.commit({ remove: [joiner.identity] }));
    removeCommit.push(removeMs);
    await committer.applyPendingCommit();
    removeProcess.push((await timed(() => receiver.processCommit(removal.commit)))[1]);
  }
  if (receiver.securityCode() !== committer.securityCode()) throw new Error('receiver disagrees with the committer');
  committer.close();
  receiver.close();
  return {
    members,
    parentHashModule: import.meta.resolve('ts-mls/parentHash.js'),
    variant,
    setupMs,
    joinMs: median(join),
    joinCpuMs: median(joinCpu),
    addCommitMs: median(addCommit),
    addProcessMs: median(addProcess),
    removeCommitMs: median(removeCommit),
    removeProcessMs: median(removeProcess),
  };
}

/** Runs one variant at one size in a child process and returns its figures. */
function runChild(members: number, variant: Variant, reps: number): Figures {
  const hooks = variant === 'baseline' ? ['--import', BASELINE_HOOKS.href] : [];
  const args = ['--import', 'tsx', ...hooks, fileURLToPath(import.meta.url), CHILD_FLAG, variant, String(members), String(reps)];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 10 * 60_000 });
  const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (child.status !== 0 || line === undefined) throw new Error(`MLS churn child (${variant}, ${members}) failed: status ${child.status}`);
  const figures = JSON.parse(line.slice(RESULT_PREFIX.length)) as Figures;
  const upstream = /\/sabha-ts-mls-upstream-[^/]+\/parentHash\.js$/.test(figures.parentHashModule);
  if (upstream !== (variant === 'baseline')) throw new Error(`MLS churn child (${variant}) loaded ${figures.parentHashModule}`);
  return figures;
}

function printTable(rows: readonly Figures[]): void {
  const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(9);
  console.log('members  variant    setup ms      join  join cpu  add: commit  process   remove: commit  process');
  for (const r of rows) {
    console.log(
      `${String(r.members).padStart(7)}  ${r.variant.padEnd(9)}${fmt(r.setupMs)} ${fmt(r.joinMs)} ${fmt(r.joinCpuMs)}     ${fmt(r.addCommitMs)}${fmt(r.addProcessMs)}          ${fmt(r.removeCommitMs)}${fmt(r.removeProcessMs)}`,
    );
  }
  console.log('speed-up of patched over baseline (ratio of medians):');
  for (const patched of rows.filter((r) => r.variant === 'patched')) {
    const base = rows.find((r) => r.variant === 'baseline' && r.members === patched.members);
    if (base === undefined) continue;
    const x = (a: number, b: number): string => `${(a / b).toFixed(1)}x`.padStart(9);
    console.log(
      `${String(patched.members).padStart(7)}           ${x(base.setupMs, patched.setupMs)} ${x(base.joinMs, patched.joinMs)} ${x(base.joinCpuMs, patched.joinCpuMs)}     ${x(base.addCommitMs, patched.addCommitMs)}${x(base.addProcessMs, patched.addProcessMs)}          ${x(base.removeCommitMs, patched.removeCommitMs)}${x(base.removeProcessMs, patched.removeProcessMs)}`,
    );
  }
}

export async function benchMlsChurn(): Promise<void> {
  const sizes = (process.env['MLS_CHURN_SIZES'] ?? '100,1000').split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 40);
  const reps = (n: number): number => (n >= 1000 ? 3 : 5);
  console.log('MLS after churn (N/10 removed, N/20 re-admitted); one child process per variant; medians in ms');
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${availableParallelism()} cores`);
  console.log('baseline: ts-mls 1.6.4 parentHash.js unpatched (the patch reversed at run time); patched: as installed');
  const rows: Figures[] = [];
  for (const members of sizes) {
    for (const variant of ['baseline', 'patched'] as const) rows.push(runChild(members, variant, reps(members)));
  }
  printTable(rows);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = process.argv.indexOf(CHILD_FLAG);
  if (flag < 0) {
    await benchMlsChurn();
  } else {
    const [variant, members, reps] = process.argv.slice(flag + 1);
    const figures = await measure(Number(members), variant as Variant, Number(reps));
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(figures)}\n`);
  }
}

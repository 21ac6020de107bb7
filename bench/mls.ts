/**
 * MLS commit cost at 10, 100 and 1000 members, ts-mls's default WebCrypto back end against Sabha's noble
 * back end (src/e2ee/mls/suite.ts), in the same run.
 *
 * Per size and back end: a committer builds the group with batched adds (as the server batches admissions),
 * one receiving member joins in the first batch. Then, repeated: the committer adds one participant
 * (commit creation, processing by the receiver, the joiner's join from the Welcome) and removes one
 * (commit creation with an UpdatePath, processing). Medians are printed.
 *
 * The tree is that of a group built by add-only commits, whose parent nodes are mostly blank: a removal then
 * encrypts the path secret to nearly every leaf. This is the costly case a fresh meeting starts from.
 *
 * Run alone: node --import tsx bench/mls.ts   (MLS_BENCH_SIZES=10,100 to shorten)
 */
import { pathToFileURL } from 'node:url';
import { MlsMember } from '../src/e2ee/mls/member.ts';
import { loadMlsSuite, type MlsCryptoBackend, type MlsSuite } from '../src/e2ee/mls/suite.ts';
import { median, participantIdOf, timed } from './measure.ts';

const BUILD_BATCH = 250;
const BACKENDS: readonly MlsCryptoBackend[] = ['webcrypto', 'noble'];

interface Row {
  readonly members: number;
  readonly backend: MlsCryptoBackend;
  readonly buildMs: number;
  readonly addCommitMs: number;
  readonly addProcessMs: number;
  readonly joinMs: number;
  readonly removeCommitMs: number;
  readonly removeProcessMs: number;
}

async function measure(members: number, suite: MlsSuite, keyPackages: readonly { identity: string; keyPackage: Uint8Array }[], reps: number): Promise<Row> {
  const committer = await MlsMember.create(participantIdOf(1), { suite });
  const receiver = await MlsMember.create(participantIdOf(2), { suite });
  const buildStart = performance.now();
  await committer.createGroup(`bench-${members}-${suite.backend}`);
  const toAdd = [{ identity: receiver.identity, keyPackage: receiver.keyPackageBytes() }, ...keyPackages.slice(0, members - 2)];
  for (let i = 0; i < toAdd.length; i += BUILD_BATCH) {
    const output = await committer.commit({ add: toAdd.slice(i, i + BUILD_BATCH) });
    await committer.applyPendingCommit();
    if (i === 0) await receiver.joinFromWelcome(output.welcome!);
    else await receiver.processCommit(output.commit);
  }
  const buildMs = performance.now() - buildStart;
  if (committer.members().length !== members) throw new Error('group not built to size');

  const addCommit: number[] = [];
  const addProcess: number[] = [];
  const join: number[] = [];
  const removeCommit: number[] = [];
  const removeProcess: number[] = [];
  for (let r = 0; r < reps; r++) {
    const joiner = await MlsMember.create(participantIdOf(0x100000 + members * 100 + r), { suite });
    const [added, addMs] = await timed(() => committer.commit({ add: [{ identity: joiner.identity, keyPackage: joiner.keyPackageBytes() }] }));
    addCommit.push(addMs);
    await committer.applyPendingCommit();
    addProcess.push((await timed(() => receiver.processCommit(added.commit)))[1]);
    join.push((await timed(() => joiner.joinFromWelcome(added.welcome!)))[1]);
    joiner.close();

    const victim = keyPackages[r]!.identity;
    const [removed, removeMs] = await timed(() => committer.commit({ remove: [victim] }));
    removeCommit.push(removeMs);
    await committer.applyPendingCommit();
    removeProcess.push((await timed(() => receiver.processCommit(removed.commit)))[1]);
  }
  committer.close();
  receiver.close();
  return {
    members,
    backend: suite.backend,
    buildMs,
    addCommitMs: median(addCommit),
    addProcessMs: median(addProcess),
    joinMs: median(join),
    removeCommitMs: median(removeCommit),
    removeProcessMs: median(removeProcess),
  };
}

function printTable(rows: readonly Row[]): void {
  const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(9);
  console.log('members  backend     build ms  add: commit  process     join  remove: commit  process');
  for (const r of rows) {
    console.log(
      `${String(r.members).padStart(7)}  ${r.backend.padEnd(10)}${fmt(r.buildMs)}     ${fmt(r.addCommitMs)}${fmt(r.addProcessMs)}${fmt(r.joinMs)}        ${fmt(r.removeCommitMs)}${fmt(r.removeProcessMs)}`,
    );
  }
  console.log('speed-up of noble over webcrypto (ratio of medians):');
  for (const noble of rows.filter((r) => r.backend === 'noble')) {
    const web = rows.find((r) => r.backend === 'webcrypto' && r.members === noble.members);
    if (web === undefined) continue;
    const x = (a: number, b: number): string => `${(a / b).toFixed(1)}x`.padStart(9);
    console.log(
      `${String(noble.members).padStart(7)}            ${x(web.buildMs, noble.buildMs)}     ${x(web.addCommitMs, noble.addCommitMs)}${x(web.addProcessMs, noble.addProcessMs)}${x(web.joinMs, noble.joinMs)}        ${x(web.removeCommitMs, noble.removeCommitMs)}${x(web.removeProcessMs, noble.removeProcessMs)}`,
    );
  }
}

export async function benchMls(): Promise<void> {
  const sizes = (process.env['MLS_BENCH_SIZES'] ?? '10,100,1000').split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 3);
  const largest = Math.max(...sizes);
  const reps = (n: number): number => (n >= 1000 ? 3 : 5);
  const suites = await Promise.all(BACKENDS.map((b) => loadMlsSuite(b)));
  // KeyPackages are plain bytes and work in any group: make them once, with the faster back end.
  const kpStart = performance.now();
  const keyPackages: { identity: string; keyPackage: Uint8Array }[] = [];
  for (let i = 0; i < largest; i++) {
    const m = await MlsMember.create(participantIdOf(0x1000 + i), { suite: suites[1]! });
    keyPackages.push({ identity: m.identity, keyPackage: m.keyPackageBytes() });
  }
  console.log(`MLS bench: ${largest} KeyPackages made in ${(performance.now() - kpStart).toFixed(0)} ms; medians in ms`);
  const rows: Row[] = [];
  for (const members of sizes) {
    for (const suite of suites) rows.push(await measure(members, suite, keyPackages, reps(members)));
  }
  printTable(rows);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchMls();
}

/**
 * `npm run bench -- --only scale`: one encrypted meeting grown to 25, 50 and 100 synthetic participants
 * (test/helpers/synthetic: the real protocol, MLS admission through the waiting room, SFrame, werift to a real
 * Janus), every one with camera (three simulcast layers) and microphone on, 3 of them talking, the others silent
 * with DTX. At each size it prints Janus's CPU, the server's CPU and memory, packets forwarded, each measured
 * receiver's downlink, the time to admit the newcomers, and the time from the last newcomer's admission to its
 * first decrypted key frame. At 25, the same meeting with every receiver subscribed to everything at high
 * quality is the baseline, measured in the same run.
 *
 * This 2-core machine cannot also play 100 receivers: 5 participants receive as browsers do (3 in grid view: up
 * to 25 videos at 'low'; 2 in speaker view: the talker at 'high' and 5 at 'low'; the talkers' microphones), the
 * others only send. Janus's cost is measured with those 5 receivers and with none; its cost per forwarded packet
 * (from the baseline, where it forwards the most) extrapolates it linearly to every participant receiving like
 * the 5. The output says which figures are measured and which extrapolated.
 *
 * The server runs in a child process (this one is the load generator), so their CPU figures stay apart. The
 * 25th, 50th and 100th person, whose time to a first frame is measured, each run in a worker thread of their own.
 * SABHA_SCALE_STEPS=10,20 changes the sizes (for a quick run).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadMlsSuite, type MlsSuite } from '../src/e2ee/mls/index.ts';
import type { VideoQuality } from '../src/protocol/index.ts';
import { createMeeting } from '../test/helpers/meeting-fixture.ts';
import { SyntheticParticipant } from '../test/helpers/synthetic/index.ts';
import { browserInMeeting } from './scale-browser.ts';

const STEPS = (process.env.SABHA_SCALE_STEPS ?? '25,50,100').split(',').map(Number);
const RECEIVERS = 5;
const GRID_RECEIVERS = 3;
const TALKERS = 3;
const GRID_TILES = 25;
const FILMSTRIP = 5;
const SAMPLE_SECONDS = 8;
const SETTLE_MS = 3000;
/** Joins and publications started at once: enough to overlap, few enough not to time out on 2 cores. */
const CONCURRENCY = 10;

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

// ---------------------------------------------------------------------------
// The server, in its own process
// ---------------------------------------------------------------------------

if (isMainThread && process.argv.includes('--scale-server')) {
  const { startTestServer } = await import('../test/helpers/test-server.ts');
  const server = await startTestServer({
    janus: true,
    // One address plays every participant; the meeting holds them all.
    overrides: { limits: { maxConnectionsPerAddress: 1000, maxParticipantsPerMeeting: Math.max(...STEPS) } },
  });
  process.stdout.write(JSON.stringify({ wsUrl: server.wsUrl, dataDir: server.config.dataDir }) + '\n');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

// ---------------------------------------------------------------------------
// The measured newcomer, in a worker thread
// ---------------------------------------------------------------------------

/**
 * The 25th, 50th and 100th person each run in a worker thread of their own: a browser processes its Welcome and
 * opens its frames on its own machine, not queued behind the other participants this process plays.
 */
interface NewcomerData {
  role: 'newcomer';
  wsUrl: string;
  meetingId: string;
  passcode: string;
  name: string;
  /** Cameras in join order (a grid's first page is the first 25 of them) and the talkers' microphones. */
  cameraOrder: string[];
  talkerCameras: string[];
}

/** From the newcomer's worker; times are epoch milliseconds (performance.timeOrigin + now), comparable across threads. */
type NewcomerReport =
  | { kind: 'waiting'; participantId: string }
  | { kind: 'first-frame'; joined: number; keyed: number; subscribed: number; firstPacket: number; firstKeyFrame: number }
  | { kind: 'stats'; packets: number; epoch: number | undefined; problems: string[] }
  | { kind: 'closed' };

const epochMs = (t: number) => performance.timeOrigin + t;

async function runNewcomer(data: NewcomerData): Promise<void> {
  const port = parentPort!;
  const post = (report: NewcomerReport) => port.postMessage(report);
  const p = await SyntheticParticipant.join({ wsUrl: data.wsUrl, meetingId: data.meetingId, passcode: data.passcode, name: data.name, mlsSuite: await loadMlsSuite() });
  const stats = setInterval(() => post({ kind: 'stats', packets: p.camera?.stats.packets ?? 0, epoch: p.session.epoch, problems: [...p.problems.map((x) => x.code), ...p.errors] }), 250);
  port.on('message', (message: { kind: 'close' }) => {
    if (message.kind !== 'close') return;
    clearInterval(stats);
    void p.close().finally(() => post({ kind: 'closed' }));
  });
  await p.whenPhase('waiting');
  post({ kind: 'waiting', participantId: p.selfId });
  // As a browser: subscribe (grid view) as soon as joined, while the Welcome is processed.
  await p.whenPhase('joined', 120_000);
  const known = (id: string) => p.publications.has(id);
  const grid = data.cameraOrder.filter(known).slice(0, GRID_TILES).map((publicationId) => ({ publicationId, quality: 'low' as const }));
  await p.subscribe(grid, data.talkerCameras.filter(known));
  const subscribed = performance.now();
  await until(() => [...(p.receiver?.from.values() ?? [])].some((f) => f.firstKeyFrameAt !== undefined), 'the newcomer\'s first frame', 60_000);
  const firstKeyFrame = Math.min(...[...p.receiver!.from.values()].map((f) => f.firstKeyFrameAt ?? Infinity));
  post({ kind: 'first-frame', joined: epochMs(p.times.joined!), keyed: epochMs(p.times.keyed!), subscribed: epochMs(subscribed), firstPacket: epochMs(p.receiver!.firstPacketAt!), firstKeyFrame: epochMs(firstKeyFrame) });
  // From now on it only sends, like the other participants.
  await p.subscribe([], []);
  await p.publishCamera({ simulcast: true, talking: false, dtx: true });
}

/** The main thread's handle on a newcomer's worker. */
class RemoteNewcomer {
  readonly worker: Worker;
  participantId: string | undefined;
  packets = 0;
  epoch: number | undefined;
  problems: string[] = [];
  readonly #waiters: ((report: NewcomerReport) => boolean)[] = [];

  constructor(data: NewcomerData) {
    // tsx's loader is not inherited by workers on Node 20: register it first, then load this file.
    const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
    this.worker = new Worker(source, { eval: true, workerData: data });
    this.worker.on('message', (report: NewcomerReport) => {
      if (report.kind === 'waiting') this.participantId = report.participantId;
      if (report.kind === 'stats') {
        this.packets = report.packets;
        this.epoch = report.epoch;
        this.problems = report.problems;
      }
      for (const waiter of [...this.#waiters]) if (waiter(report)) this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
    });
  }

  get cameraPublicationId(): string {
    return `${this.participantId}-camera`;
  }

  next<K extends NewcomerReport['kind']>(kind: K, timeoutMs: number): Promise<Extract<NewcomerReport, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the newcomer sent no '${kind}' within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push((report) => {
        if (report.kind !== kind) return false;
        clearTimeout(timer);
        resolve(report as Extract<NewcomerReport, { kind: K }>);
        return true;
      });
      this.worker.once('error', reject);
    });
  }

  async close(): Promise<void> {
    const closed = this.next('closed', 5_000).catch(() => undefined);
    this.worker.postMessage({ kind: 'close' });
    await closed;
    await this.worker.terminate();
  }
}

interface ServerProcess {
  child: ChildProcess;
  wsUrl: string;
  janusPid: number;
  close(): Promise<void>;
}

async function startServerProcess(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--scale-server'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SABHA_SCALE_STEPS: STEPS.join(',') },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
  });
  const { wsUrl, dataDir } = JSON.parse(line) as { wsUrl: string; dataDir: string };
  const janusPid = Number(execFileSync('pgrep', ['-f', `${dataDir}/janus`]).toString().trim().split('\n')[0]);
  return {
    child,
    wsUrl,
    janusPid,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

interface Receiver {
  readonly participant: SyntheticParticipant;
  readonly view: 'grid' | 'speaker' | 'everything';
}

interface Sample {
  janusCores: number;
  serverCores: number;
  loadCores: number;
  janusMiB: number;
  serverMiB: number;
  /** Packets/s all publishers sent to Janus. */
  ingestPps: number;
  /** Per receiver: Mbit/s and packets/s received, videos that delivered frames, decryption failures. */
  receivers: { view: string; mbps: number; pps: number; videos: number; failures: number }[];
}

const videoFrames = (r: Receiver) => new Map([...(r.participant.receiver?.from ?? [])].map(([id, f]) => [id, f.videoFrames]));

async function sample(server: ServerProcess, m: Meeting, receivers: readonly Receiver[], seconds = SAMPLE_SECONDS): Promise<Sample> {
  const sent = () => sentPackets(m);
  const before = {
    sent: sent(),
    frames: receivers.map(videoFrames),
    janus: cpuSeconds(server.janusPid),
    server: cpuSeconds(server.child.pid!),
    load: process.cpuUsage(),
    rx: receivers.map((r) => ({ bytes: r.participant.receiver?.totalBytes ?? 0, packets: r.participant.receiver?.totalPackets ?? 0, failures: r.participant.receiver?.failures() ?? 0 })),
  };
  await sleep(seconds * 1000);
  const load = process.cpuUsage(before.load);
  return {
    janusCores: (cpuSeconds(server.janusPid) - before.janus) / seconds,
    serverCores: (cpuSeconds(server.child.pid!) - before.server) / seconds,
    loadCores: (load.user + load.system) / 1e6 / seconds,
    janusMiB: rssMiB(server.janusPid),
    serverMiB: rssMiB(server.child.pid!),
    ingestPps: (sent() - before.sent) / seconds,
    receivers: receivers.map((r, i) => {
      const rx = r.participant.receiver;
      const now = { bytes: rx?.totalBytes ?? 0, packets: rx?.totalPackets ?? 0, failures: rx?.failures() ?? 0 };
      const was = before.rx[i]!;
      const framesBefore = before.frames[i]!;
      const videos = [...videoFrames(r)].filter(([id, n]) => n > (framesBefore.get(id) ?? 0)).length;
      return { view: r.view, mbps: ((now.bytes - was.bytes) * 8) / seconds / 1e6, pps: (now.packets - was.packets) / seconds, videos, failures: now.failures - was.failures };
    }),
  };
}

// ---------------------------------------------------------------------------
// The meeting
// ---------------------------------------------------------------------------

interface Meeting {
  readonly server: ServerProcess;
  readonly suite: MlsSuite;
  readonly meetingId: string;
  readonly passcode: string;
  readonly host: SyntheticParticipant;
  /** The participants this thread plays, in join order. */
  readonly people: SyntheticParticipant[];
  /** The measured newcomers, each in its worker. */
  readonly remotes: RemoteNewcomer[];
  /** Every camera publication in join order. */
  readonly cameraOrder: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inGroups<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return out;
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Cameras the viewer knows of (from the server's messages), in the order people joined: a grid's first page. */
function camerasFor(m: Meeting, viewer: SyntheticParticipant): string[] {
  return m.cameraOrder.filter((id) => id !== viewer.cameraPublicationId && viewer.publications.has(id));
}

function talkers(m: Meeting): SyntheticParticipant[] {
  return m.people.slice(1, 1 + TALKERS);
}

/** The subscription a browser makes in this view (the talkers' microphones in every view). */
function subscriptionFor(m: Meeting, viewer: SyntheticParticipant, view: Receiver['view']) {
  const cameras = camerasFor(m, viewer);
  const audio = talkers(m).filter((t) => t !== viewer && viewer.publications.has(t.cameraPublicationId)).map((t) => t.cameraPublicationId);
  const at = (ids: string[], quality: VideoQuality) => ids.map((publicationId) => ({ publicationId, quality }));
  switch (view) {
    case 'grid':
      return { video: at(cameras.slice(0, GRID_TILES), 'low'), audio };
    case 'speaker': {
      const speaker = audio[0] ?? cameras[0];
      if (speaker === undefined) return { video: [], audio };
      return { video: [...at([speaker], 'high'), ...at(cameras.filter((c) => c !== speaker).slice(0, FILMSTRIP), 'low')], audio };
    }
    case 'everything':
      // The protocol's caps: 30 videos, 16 microphones.
      return { video: at(cameras.slice(0, 30), 'high'), audio: cameras.slice(0, 16) };
  }
}

async function subscribeAll(m: Meeting, receivers: readonly Receiver[]): Promise<void> {
  await Promise.all(receivers.map((r) => {
    const { video, audio } = subscriptionFor(m, r.participant, r.view);
    return r.participant.subscribe(video, audio);
  }));
}

async function unsubscribeAll(receivers: readonly Receiver[]): Promise<void> {
  await Promise.all(receivers.map((r) => r.participant.subscribe([], [])));
}

async function joinWaiting(m: Meeting, names: readonly string[]): Promise<SyntheticParticipant[]> {
  const joined = await inGroups(names, CONCURRENCY, (name) =>
    SyntheticParticipant.join({ wsUrl: m.server.wsUrl, meetingId: m.meetingId, passcode: m.passcode, name, mlsSuite: m.suite }));
  await until(() => joined.every((p) => p.phase === 'waiting' && m.host.waitingRoom.get(p.selfId)?.keyPackage !== undefined), 'every KeyPackage in the waiting room', 60_000);
  m.people.push(...joined);
  m.cameraOrder.push(...joined.map((p) => p.cameraPublicationId));
  return joined;
}

async function publishAll(m: Meeting, newcomers: readonly SyntheticParticipant[]): Promise<void> {
  const talking = new Set(talkers(m));
  await inGroups(newcomers, CONCURRENCY, (p) => p.publishCamera({ simulcast: true, talking: talking.has(p), dtx: true }));
}

/** Packets every publisher has sent so far (the newcomers' workers report theirs four times a second). */
function sentPackets(m: Meeting): number {
  return m.people.reduce((n, p) => n + (p.camera?.stats.packets ?? 0), 0) + m.remotes.reduce((n, r) => n + r.packets, 0);
}

function cpuNow(server: ServerProcess) {
  return { server: cpuSeconds(server.child.pid!), janus: cpuSeconds(server.janusPid), load: process.cpuUsage() };
}

function cpuSince(server: ServerProcess, before: ReturnType<typeof cpuNow>) {
  const load = process.cpuUsage(before.load);
  return { server: cpuSeconds(server.child.pid!) - before.server, janus: cpuSeconds(server.janusPid) - before.janus, load: (load.user + load.system) / 1e6 };
}

/**
 * Brings the meeting to `size` people in two parts. All newcomers but one join and wait (each sends its
 * KeyPackage), the host admits them at once (commits of at most 100 people), and they publish. Then the last one
 * joins and is admitted alone, as the 25th, 50th or 100th person to arrive: like a browser, it subscribes (grid
 * view) as soon as it is `joined`, and its time from admission to the first key frame it opens is measured.
 */
async function grow(m: Meeting, size: number) {
  const start = m.people.length + m.remotes.length;
  const names = Array.from({ length: size - start }, (_, i) => `Synthetic ${start + i}`);
  const hostBytesBefore = m.host.link.bytesReceived;

  // The batch.
  const batch = await joinWaiting(m, names.slice(0, -1));
  let commits = 0;
  const countCommit = () => commits++;
  m.host.on('admitted', countCommit);
  const batchCpu = cpuNow(m.server);
  const admitStart = performance.now();
  await m.host.admit(batch.map((p) => p.selfId));
  const admitOkMs = performance.now() - admitStart;
  await Promise.all(batch.map((p) => p.whenKeyed(120_000)));
  const batchKeyedMs = Math.max(...batch.map((p) => p.times.keyed!)) - admitStart;
  const batchCost = cpuSince(m.server, batchCpu);
  m.host.off('admitted', countCommit);
  await publishAll(m, batch);

  // The last one, alone, in its own thread.
  const last = new RemoteNewcomer({
    role: 'newcomer', wsUrl: m.server.wsUrl, meetingId: m.meetingId, passcode: m.passcode, name: names.at(-1)!,
    cameraOrder: [...m.cameraOrder], talkerCameras: talkers(m).map((t) => t.cameraPublicationId),
  });
  m.remotes.push(last);
  await last.next('waiting', 60_000);
  m.cameraOrder.push(last.cameraPublicationId);
  await until(() => m.host.waitingRoom.get(last.participantId!)?.keyPackage !== undefined, 'the newcomer\'s KeyPackage', 60_000);
  const firstFrame = last.next('first-frame', 60_000);
  const lastCpu = cpuNow(m.server);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const lastAdmitStart = performance.now();
  await m.host.admit([last.participantId!]);
  const admitOkAt = performance.now();
  const newEpoch = m.host.session.epoch;
  const earlier = m.remotes.filter((r) => r !== last);
  const membersKeyed = until(() => m.people.every((p) => p.session.epoch === newEpoch) && earlier.every((r) => r.epoch === newEpoch), 'every member at the new epoch', 120_000)
    .then(() => performance.now());
  const times = await firstFrame;
  const lastCost = cpuSince(m.server, lastCpu);
  lag.disable();
  const lastLag = `mean ${(lag.mean / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms`;
  const since = (t: number) => (t - lastAdmitStart) / 1000;
  const sinceEpochMs = (t: number) => (t - epochMs(lastAdmitStart)) / 1000;
  const lastTimeline = `admit ok ${f2(since(admitOkAt))} s, joined ${f2(sinceEpochMs(times.joined))} s, subscribed ${f2(sinceEpochMs(times.subscribed))} s, ` +
    `keys ${f2(sinceEpochMs(times.keyed))} s, the other ${m.people.length + earlier.length} members at the new epoch ${f2(since(await membersKeyed))} s, ` +
    `first packet ${f2(sinceEpochMs(times.firstPacket))} s, first key frame opened ${f2(sinceEpochMs(times.firstKeyFrame))} s`;
  const lastKeyedMs = times.keyed - epochMs(lastAdmitStart);
  const lastFirstFrameMs = times.firstKeyFrame - epochMs(lastAdmitStart);
  return {
    batch: batch.length,
    commits,
    admitOkMs,
    batchKeyedMs,
    batchCost,
    lastKeyedMs,
    lastFirstFrameMs,
    lastCost,
    lastTimeline,
    lastLag,
    hostSignallingKiB: (m.host.link.bytesReceived - hostBytesBefore) / 1024,
  };
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

const out = (line: string) => process.stdout.write(line + '\n');
const f2 = (x: number) => x.toFixed(2);

/**
 * Janus's CPU per forwarded packet, from the sample with the most forwarding (the baseline): the cost of the
 * packets a receiver pulls in, the ingest of the layers it made senders send included. Janus's forwarding cost is
 * linear in packets (docs/media-engine.md; field notes: about 10 ms per 1000 packets).
 */
function janusCostPerPacket(withRx: Sample, ingest: Sample): number {
  const forwarded = withRx.receivers.reduce((n, r) => n + r.pps, 0);
  return forwarded > 0 ? Math.max(0, withRx.janusCores - ingest.janusCores) / forwarded : 0;
}

function printStep(size: number, label: string, withRx: Sample, ingest: Sample, costPerPacket: number) {
  const receivers = withRx.receivers.length;
  const pps = withRx.receivers.reduce((n, r) => n + r.pps, 0);
  const ppsAtN = (pps / receivers) * size;
  const janusAtN = ingest.janusCores + costPerPacket * ppsAtN;
  out(`-- ${size} participants, ${label} --`);
  out(`  measured, ${receivers} receivers: Janus ${f2(withRx.janusCores)} cores (${f2(ingest.janusCores)} with no receiver), server ${f2(withRx.serverCores)} cores, ` +
    `load generator ${f2(withRx.loadCores)} cores; RSS Janus ${withRx.janusMiB.toFixed(0)} MiB, server ${withRx.serverMiB.toFixed(0)} MiB`);
  out(`  measured, packets/s: ${withRx.ingestPps.toFixed(0)} sent by the publishers to Janus (${ingest.ingestPps.toFixed(0)} with no receiver), ` +
    `${pps.toFixed(0)} forwarded to the ${receivers} receivers (${(pps / receivers).toFixed(0)} each)`);
  for (const r of withRx.receivers) out(`    receiver (${r.view.padEnd(10)}): ${f2(r.mbps)} Mbit/s down, ${r.pps.toFixed(0)} packets/s, ${r.videos} videos, ${r.failures} decryption failures`);
  out(`  extrapolated linearly to all ${size} receiving like these ${receivers}: ~${ppsAtN.toFixed(0)} packets/s forwarded; Janus ${f2(janusAtN)} cores ` +
    `(${f2(ingest.janusCores)} with no receiver + ${(costPerPacket * 1e6).toFixed(1)} µs per forwarded packet, measured in the baseline); ` +
    `Janus + server ${f2(janusAtN + withRx.serverCores)} cores (target at 100: < 1)`);
}

export async function benchScale(): Promise<void> {
  const began = performance.now();
  const server = await startServerProcess();
  const people: SyntheticParticipant[] = [];
  const remotes: RemoteNewcomer[] = [];
  try {
    const suite = await loadMlsSuite();
    const created = await createMeeting(server.wsUrl, 'Scale benchmark');
    const host = await SyntheticParticipant.join({ wsUrl: server.wsUrl, meetingId: created.meetingId, passcode: created.passcode, name: 'Host', hostSecret: created.hostSecret, mlsSuite: suite });
    people.push(host);
    await host.whenKeyed();
    await host.publishCamera({ simulcast: true, talking: false, dtx: true });
    const m: Meeting = { server, suite, meetingId: created.meetingId, passcode: created.passcode, host, people, remotes, cameraOrder: [host.cameraPublicationId] };
    out(`synthetic participants: VP8 simulcast 180p/360p/720p at 15 fps (fixtures of about 75/311/891 kbit/s, as the browser client's layers), Opus 20 ms; ${TALKERS} talking, the rest silent with DTX;`);
    out(`${RECEIVERS} of them receive like browsers (${GRID_RECEIVERS} grid: ${GRID_TILES} videos at low; ${RECEIVERS - GRID_RECEIVERS} speaker: 1 high + ${FILMSTRIP} low; the talkers' microphones), the others only send.`);
    out(`CPU in cores (1.00 = one core) over ${SAMPLE_SECONDS} s; the load generator (this process) plays every participant.`);

    let costPerPacket = 0;
    for (const size of STEPS) {
      const g = await grow(m, size);
      out(`\n== ${size} participants ==`);
      out(`  admitting ${g.batch} waiting at once (${g.commits} MLS commit(s) of at most 100): the host's admit answered after ${(g.admitOkMs / 1000).toFixed(2)} s, ` +
        `every newcomer held the keys after ${(g.batchKeyedMs / 1000).toFixed(2)} s`);
      out(`    CPU meanwhile: server ${f2(g.batchCost.server)} s, Janus ${f2(g.batchCost.janus)} s, load generator ${f2(g.batchCost.load)} s ` +
        `(it processes every newcomer's Welcome and every member's copy of the commit on one thread, one after another: ` +
        `browsers would do that work in parallel, each on its own machine)`);
      out(`  the ${size}th person, admitted alone: keys after ${(g.lastKeyedMs / 1000).toFixed(2)} s, first key frame opened ${(g.lastFirstFrameMs / 1000).toFixed(2)} s after the host's admit ` +
        `(target at 100: < 3 s; it runs in a thread of its own, as a browser on its own machine; this process spent ${f2(g.lastCost.load)} s of CPU meanwhile, ` +
        `mostly the other ${size - 1} members processing the commit in the main thread)`);
      out(`    its timeline from the host's admit: ${g.lastTimeline}`);
      out(`    the main thread's event loop meanwhile ran late by ${g.lastLag} (the other participants' timers, packets and keys wait in it)`);
      out(`  the host received ${g.hostSignallingKiB.toFixed(0)} KiB of signalling while the meeting grew`);
      const receivers: Receiver[] = people.slice(0, RECEIVERS).map((participant, i) => ({ participant, view: i < GRID_RECEIVERS ? 'grid' : 'speaker' }));
      if (size === STEPS[0]) {
        // Baseline: every receiver takes every camera at high quality.
        const everything = receivers.map((r) => ({ ...r, view: 'everything' as const }));
        await subscribeAll(m, everything);
        await sleep(SETTLE_MS);
        const all = await sample(server, m, everything);
        await unsubscribeAll(everything);
        await sleep(SETTLE_MS);
        const idle = await sample(server, m, everything);
        costPerPacket = janusCostPerPacket(all, idle);
        printStep(size, 'baseline: subscribed to everything at high quality', all, idle, costPerPacket);
        await subscribeAll(m, receivers);
        await sleep(SETTLE_MS);
        printStep(size, 'as browsers subscribe (grid and speaker views)', await sample(server, m, receivers), idle, costPerPacket);
      } else {
        await subscribeAll(m, receivers);
        await sleep(SETTLE_MS);
        const withRx = await sample(server, m, receivers);
        await unsubscribeAll(receivers);
        await sleep(SETTLE_MS);
        const ingest = await sample(server, m, receivers);
        printStep(size, 'as browsers subscribe (grid and speaker views)', withRx, ingest, costPerPacket);
      }
      const problems = [...people.flatMap((p) => [...p.problems.map((x) => x.code), ...p.errors]), ...m.remotes.flatMap((r) => r.problems)];
      out(`  ${m.cameraOrder.length} publishing, ${sentPackets(m)} packets sent so far; E2EE problems or failed requests: ${problems.length === 0 ? 'none' : problems.join(', ')}`);
    }
    const largest = STEPS.at(-1)!;
    const b = await browserInMeeting({ wsUrl: server.wsUrl, meetingId: m.meetingId, passcode: m.passcode, host });
    out(`\n== a real Chromium joins the ${largest}-person meeting (grid view, 25 tiles a page, 1280x800) ==`);
    out(`  host's admit → its first decoded remote frame: ${f2(b.admitToFirstFrameMs / 1000)} s (target at 100: < 3 s); timeline: ${b.timeline}`);
    out(`  it draws ${b.tilesShown} remote tiles; of the ${m.cameraOrder.length} cameras it receives ${b.videosReceiving} and decodes ${b.videosDecoding} ` +
      `(${b.subscriberMlines} inbound streams on its one subscriber connection); downlink ${f2(b.downlinkMbps)} Mbit/s (target in grid view: < 2.5); ` +
      `Chromium, all its processes: ${f2(b.chromiumCores)} cores`);
    out(`\nwhole run: ${((performance.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    await Promise.all(remotes.map((r) => r.close().catch(() => undefined)));
    await inGroups(people, 20, (p) => p.close().catch(() => undefined));
    await server.close();
  }
}

if (isMainThread && process.argv[1]?.endsWith('scale.ts') && !process.argv.includes('--scale-server')) {
  await benchScale();
  process.exit(0);
}

// Last, once every declaration above exists: the measured newcomer's worker thread runs this file too.
if (!isMainThread && (workerData as NewcomerData | undefined)?.role === 'newcomer') await runNewcomer(workerData as NewcomerData);

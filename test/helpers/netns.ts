/**
 * Network namespaces for tests that need a faulty network on this machine: packet loss, a rate cap, a link
 * that goes down. Each namespace is joined to the host by a veth pair:
 *
 *     host (root namespace)                       namespace <name>
 *     sabha<n>h  10.77.<n>.1/24  ◄── veth ──►  sabha<n>n  10.77.<n>.2/24, default route via 10.77.<n>.1
 *
 * A process started inside (`exec`, or Chromium through `chromiumInNamespace`) reaches only this machine:
 * the host's own addresses through the default route (the kernel delivers them locally; forwarding stays
 * off, so nothing beyond the machine is reachable). Faults are applied inside the namespace, so they touch
 * only its traffic:
 *   - loss: nftables `numgen random mod 100 < N drop` on input and output (this kernel has no netem);
 *   - rate: `tc qdisc tbf` on both ends of the veth (tbf shapes egress only, so one per direction);
 *   - link down: the namespace's end of the veth goes down, as a laptop losing its network.
 *
 * Needs root, iproute2 (`ip`, `tc`) and `nft` (Debian `nftables`). `netnsUnavailable()` says why a test must
 * skip (not root, no `ip`); a missing `tc` or `nft` makes `createNamespace` fail instead. Names carry the
 * subnet number and this process's id, so parallel runs never clash (the veth name is claimed atomically), and
 * namespaces left by a dead process are removed by the next `createNamespace`. Every namespace is removed by
 * `remove()` and, failing that, when the process exits (SIGINT and SIGTERM included).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TestNamespace {
  /** The namespace's name, for `ip netns exec <name>`. */
  readonly name: string;
  /** The host's end of the veth: what processes in the namespace use to reach servers on the host. */
  readonly hostAddress: string;
  /** The namespace's own address. */
  readonly nsAddress: string;
  /** The veth ends' interface names (host side, namespace side). */
  readonly hostInterface: string;
  readonly nsInterface: string;
  /** Runs argv inside the namespace; resolves with its standard output, rejects when it fails. */
  exec(argv: readonly string[], input?: string): Promise<string>;
  /** Applies an nftables ruleset (as for `nft -f`) inside the namespace. */
  nft(ruleset: string): Promise<void>;
  /** Drops this percentage of packets at random, in both directions (0 removes the loss). */
  setLoss(percent: number): Promise<void>;
  /** Packets the loss rules dropped so far (both directions), to check the loss is really applied. */
  lossDropped(): Promise<number>;
  /** Caps the rate in each direction to `kbit` kbit/s (0 or null removes the cap). */
  setRate(kbit: number | null): Promise<void>;
  /** The rate caps' counters: `up` leaves the namespace, `down` enters it. Zeros without a cap. */
  rateStats(): Promise<{ up: ShaperStats; down: ShaperStats }>;
  /** Takes the namespace's link down (its network vanishes) or brings it back with its default route. */
  setLinkUp(up: boolean): Promise<void>;
  /** No loss, no cap, link up, empty nftables ruleset. */
  clear(): Promise<void>;
  /** Deletes the namespace and the veth pair. Safe to call twice. */
  remove(): Promise<void>;
}

export interface ShaperStats {
  bytes: number;
  packets: number;
  /** Dropped because the queue was full: the cap at work. */
  drops: number;
  overlimits: number;
}

const PREFIX = 'sabha';
const LOSS_TABLE = 'sabha_loss';
const live = new Map<string, () => void>();
let exitHookInstalled = false;

/**
 * Why namespaces cannot be made here at all (a reason to skip: not root, or no iproute2), or null when they
 * can. A missing `tc` or `nft` is not a reason to skip but a broken test setup: `createNamespace` fails on it.
 */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!hasTool('ip')) return '`ip` (iproute2) is not installed';
  return null;
}

function hasTool(tool: string): boolean {
  return !spawnSync(tool, ['-V'], { stdio: 'ignore' }).error;
}

function run(cmd: string, argv: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, argv, { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${argv.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces `sabha-<n>-<pid>-…` whose process is gone, and their veths. */
async function removeLeftovers(): Promise<void> {
  const list = await run('ip', ['netns', 'list']).catch(() => '');
  for (const line of list.split('\n')) {
    const m = /^(sabha-(\d+)-(\d+)-\S*)/.exec(line.trim());
    if (!m || pidAlive(Number(m[3]))) continue;
    await run('ip', ['netns', 'del', m[1]!]).catch(() => undefined);
    await run('ip', ['link', 'del', `${PREFIX}${m[2]}h`]).catch(() => undefined);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous: 'exit' handlers cannot wait. Signals are turned into an exit so the hook runs.
  process.on('exit', () => {
    for (const removeSync of live.values()) removeSync();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  }
}

/**
 * A new namespace joined to the host by a veth pair, loopback up, default route via the host.
 * `label` (letters, digits, dashes) shows in the name, for whoever lists namespaces.
 */
export async function createNamespace(label: string): Promise<TestNamespace> {
  const why = netnsUnavailable();
  if (why) throw new Error(why);
  for (const [tool, pkg] of [['tc', 'iproute2'], ['nft', 'nftables']] as const) {
    if (!hasTool(tool)) throw new Error(`\`${tool}\` is not installed: apt-get install ${pkg} (scripts/install.sh --test does)`);
  }
  const safeLabel = label.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 24);
  await removeLeftovers();
  installExitHook();

  // Claim a subnet number: `ip link add` fails if the veth name exists, so two runs never get the same one.
  let n = 0;
  const start = 1 + Math.floor(Math.random() * 254);
  for (let i = 0; i < 254 && n === 0; i++) {
    const candidate = ((start + i - 1) % 254) + 1;
    try {
      await run('ip', ['link', 'add', `${PREFIX}${candidate}h`, 'type', 'veth', 'peer', 'name', `${PREFIX}${candidate}n`]);
      n = candidate;
    } catch {
      // taken (by another run, or a leftover of a live one): try the next
    }
  }
  if (n === 0) throw new Error('no free 10.77.<n>.0/24 subnet for a test namespace');

  const name = `${PREFIX}-${n}-${process.pid}-${safeLabel}`;
  const hostInterface = `${PREFIX}${n}h`;
  const nsInterface = `${PREFIX}${n}n`;
  const hostAddress = `10.77.${n}.1`;
  const nsAddress = `10.77.${n}.2`;
  const inNs = (argv: readonly string[], input?: string) => run('ip', ['netns', 'exec', name, ...argv], input);
  let removed = false;

  const removeSync = () => {
    if (removed) return;
    removed = true;
    live.delete(name);
    dropWrapper(name);
    for (const argv of [['netns', 'del', name], ['link', 'del', hostInterface]]) spawnSync('ip', argv, { stdio: 'ignore' });
  };
  live.set(name, removeSync);

  const ns: TestNamespace = {
    name,
    hostAddress,
    nsAddress,
    hostInterface,
    nsInterface,
    exec: (argv, input) => inNs(argv, input),
    async nft(ruleset) {
      await inNs(['nft', '-f', '-'], ruleset);
    },
    async setLoss(percent) {
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError('loss is a whole percentage from 0 to 100');
      // Declaring then deleting makes the delete safe when the table does not exist yet; one atomic batch.
      let ruleset = `table inet ${LOSS_TABLE}\ndelete table inet ${LOSS_TABLE}\n`;
      if (percent > 0) {
        ruleset += `table inet ${LOSS_TABLE} {
  chain in { type filter hook input priority 0; policy accept; iifname "lo" accept; numgen random mod 100 < ${percent} counter drop; }
  chain out { type filter hook output priority 0; policy accept; oifname "lo" accept; numgen random mod 100 < ${percent} counter drop; }
}\n`;
      }
      await ns.nft(ruleset);
    },
    async lossDropped() {
      const json = await inNs(['nft', '-j', 'list', 'table', 'inet', LOSS_TABLE]).catch(() => '{"nftables":[]}');
      let dropped = 0;
      for (const item of (JSON.parse(json) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] }).nftables) {
        for (const expr of item.rule?.expr ?? []) dropped += expr.counter?.packets ?? 0;
      }
      return dropped;
    },
    async rateStats() {
      const read = async (json: Promise<string>): Promise<ShaperStats> => {
        const tbf = (JSON.parse(await json.catch(() => '[]')) as (ShaperStats & { kind: string })[]).find((q) => q.kind === 'tbf');
        return { bytes: tbf?.bytes ?? 0, packets: tbf?.packets ?? 0, drops: tbf?.drops ?? 0, overlimits: tbf?.overlimits ?? 0 };
      };
      const [up, down] = await Promise.all([
        read(inNs(['tc', '-s', '-j', 'qdisc', 'show', 'dev', nsInterface])),
        read(run('tc', ['-s', '-j', 'qdisc', 'show', 'dev', hostInterface])),
      ]);
      return { up, down };
    },
    async setRate(kbit) {
      if (!kbit) {
        await inNs(['tc', 'qdisc', 'del', 'dev', nsInterface, 'root']).catch(() => undefined);
        await run('tc', ['qdisc', 'del', 'dev', hostInterface, 'root']).catch(() => undefined);
        return;
      }
      if (!Number.isInteger(kbit) || kbit < 8) throw new RangeError('rate is a whole number of kbit/s, at least 8');
      // Bucket: 20 ms at the rate, never less than a few full-size frames; queue: 100 ms worth, then drop.
      const burstBytes = Math.max(4 * 1514, Math.round((kbit * 1000) / 8 / 50));
      const tbf = ['root', 'tbf', 'rate', `${kbit}kbit`, 'burst', String(burstBytes), 'latency', '100ms'];
      await inNs(['tc', 'qdisc', 'replace', 'dev', nsInterface, ...tbf]);
      await run('tc', ['qdisc', 'replace', 'dev', hostInterface, ...tbf]);
    },
    async setLinkUp(up) {
      await inNs(['ip', 'link', 'set', nsInterface, up ? 'up' : 'down']);
      // A link going down takes its routes with it; the address stays, so only the default route is re-added.
      if (up) await inNs(['ip', 'route', 'replace', 'default', 'via', hostAddress]);
    },
    async clear() {
      await ns.setLinkUp(true);
      await ns.setRate(null);
      await ns.nft('flush ruleset\n');
    },
    async remove() {
      if (removed) return;
      removed = true;
      live.delete(name);
      dropWrapper(name);
      await run('ip', ['netns', 'del', name]).catch(() => undefined);
      // Deleting one end deletes the pair (the namespace's end went with the namespace already).
      await run('ip', ['link', 'del', hostInterface]).catch(() => undefined);
    },
  };

  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['link', 'set', nsInterface, 'netns', name]);
    await run('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', hostInterface]);
    await run('ip', ['link', 'set', hostInterface, 'up']);
    await inNs(['ip', 'link', 'set', 'lo', 'up']);
    await inNs(['ip', 'addr', 'add', `${nsAddress}/24`, 'dev', nsInterface]);
    await inNs(['ip', 'link', 'set', nsInterface, 'up']);
    await inNs(['ip', 'route', 'add', 'default', 'via', hostAddress]);
  } catch (err) {
    await ns.remove();
    throw err;
  }
  return ns;
}

const wrappers = new Map<string, string>();

/**
 * An executable that runs Debian's Chromium inside `ns`, to pass as playwright-core's `executablePath`.
 * Playwright talks to Chromium over inherited pipes, which `ip netns exec` passes through.
 */
export function chromiumInNamespace(ns: TestNamespace, chromium = '/usr/bin/chromium'): string {
  const existing = wrappers.get(ns.name);
  if (existing) return existing;
  const dir = mkdtempSync(join(tmpdir(), 'sabha-netns-'));
  const path = join(dir, 'chromium');
  writeFileSync(path, `#!/bin/sh\nexec ip netns exec '${ns.name}' '${chromium}' "$@"\n`);
  chmodSync(path, 0o755);
  wrappers.set(ns.name, path);
  return path;
}

/** Deletes the Chromium wrapper made for namespace `name`, if any. */
function dropWrapper(name: string): void {
  const path = wrappers.get(name);
  if (!path) return;
  wrappers.delete(name);
  rmSync(dirname(path), { recursive: true, force: true });
}

/** The namespace names this machine has (for tests that check cleanup). */
export function listNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/**
 * A throwaway PostgreSQL cluster for one test process: Debian's binaries (`scripts/install.sh --test`
 * installs them), a data directory in a fresh temp dir, listening only on a unix socket in that dir
 * (no TCP port, so nothing else on the machine can reach it or collide with it), trust authentication.
 *
 * Started on first use and shared by every test of the process; each test gets a database of its own
 * (`createDatabase`), dropped afterwards. The cluster stops when the process ends, even when it is killed:
 * a small shell watchdog holds the other end of a pipe from this process and, once the pipe closes, stops
 * the cluster and removes its directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
/** The socket is `<dir>/.s.PGSQL.<port>`: the port names it, and no TCP port is opened. */
const PORT = 5432;
const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 60_000;

export class PostgresNotInstalledError extends Error {
  override name = 'PostgresNotInstalledError';
}

export interface TestCluster {
  /** A new, empty database and its connection URL (the form `database.postgresUrl` takes). */
  createDatabase(): Promise<{ name: string; url: string }>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

let shared: Promise<TestCluster> | undefined;

/** The process's cluster, started on the first call. Rejects with PostgresNotInstalledError without binaries. */
export function testCluster(): Promise<TestCluster> {
  shared ??= startCluster();
  return shared;
}

/** Stops the process's cluster if one was started (an `after` hook calls it; the watchdog is the fallback). */
export async function stopTestCluster(): Promise<void> {
  const cluster = shared;
  shared = undefined;
  if (cluster) await (await cluster.catch(() => undefined))?.stop();
}

/** The newest installed PostgreSQL's bin directory, or `SABHA_TEST_POSTGRES_BIN`. */
function findBinaries(): string {
  const override = process.env.SABHA_TEST_POSTGRES_BIN;
  const candidates = override
    ? [override]
    : (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  if (!found) {
    throw new PostgresNotInstalledError(
      'PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb and postgres): ' +
        'run `bash scripts/install.sh --test` (it installs Debian\'s postgresql), ' +
        'or set SABHA_TEST_POSTGRES_BIN to a directory holding initdb and postgres',
    );
  }
  return found;
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
async function runAs(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const id = async (flag: string) => Number((await run('id', [flag, SUPERUSER])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    throw new PostgresNotInstalledError('running as root, but there is no `postgres` user to run PostgreSQL as: run `bash scripts/install.sh --test`');
  }
}

function command(user: { uid: number; gid: number } | null, file: string, args: string[]): [string, string[]] {
  return user ? ['runuser', ['-u', SUPERUSER, '--', file, ...args]] : [file, args];
}

/** Keeps its stdin (a pipe from this process) open as long as the cluster may run; stops it when it closes. */
const WATCHDOG = `
"$@" >>"$PG_LOG" 2>&1 </dev/null &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM
read -r _ || true
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$PG_DIR"
`;

async function startCluster(): Promise<TestCluster> {
  const bin = findBinaries();
  const user = await runAs();
  // As root, under /tmp: the `postgres` user must be able to reach it (a TMPDIR under /root would not do).
  const dir = mkdtempSync(join(user ? '/tmp' : tmpdir(), 'sabha-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  if (user) chownSync(dir, user.uid, user.gid);
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await run(...command(user, join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C']));
  } catch (error) {
    removeDir();
    throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
  }
  const settings = [
    ['listen_addresses', ''],
    ['unix_socket_directories', dir],
    ['port', String(PORT)],
    // A throwaway cluster: durability buys nothing and costs the shared cores.
    ['fsync', 'off'],
    ['synchronous_commit', 'off'],
    ['full_page_writes', 'off'],
    ['max_connections', '100'],
  ].flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const [file, args] = command(user, 'sh', ['-c', WATCHDOG, 'sh', join(bin, 'postgres'), '-D', data, ...settings]);
  const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, PG_LOG: log, PG_DIR: dir } });
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  const base = { host: dir, port: PORT, user: SUPERUSER };
  try {
    await waitUntilReady(child, base, log);
  } catch (error) {
    child.ref();
    child.stdin?.end();
    await exited(child);
    removeDir();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const admin = (sql: string) => withClient({ ...base, database: 'postgres' }, (c) => c.query(sql));
  return {
    async createDatabase() {
      const name = `sabha_test_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE DATABASE ${name}`);
      return { name, url: `postgresql://${SUPERUSER}@/${name}?host=${encodeURIComponent(dir)}&port=${PORT}` };
    },
    async dropDatabase(name) {
      if (!/^sabha_test_[0-9a-f]{12}$/.test(name)) throw new TypeError('not a test database');
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    stop() {
      stopped ??= (async () => {
        child.ref(); // wait for it, even when nothing else keeps the process alive
        child.stdin?.end(); // the watchdog reads end-of-file and stops the cluster (fast shutdown)
        await exited(child);
        removeDir();
      })();
      return stopped;
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function withClient<T>(config: pg.ClientConfig, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function waitUntilReady(child: ChildProcess, base: pg.ClientConfig, log: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const readLog = () => (existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(no log)');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited at start:\n${readLog()}`);
    try {
      await withClient({ ...base, database: 'postgres' }, (c) => c.query('SELECT 1'));
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within ${START_TIMEOUT_MS} ms:\n${readLog()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

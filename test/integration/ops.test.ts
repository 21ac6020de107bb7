/**
 * The operator's view of a real server process with a real Janus and coturn: /healthz and /readyz follow
 * Janus and coturn going down and coming back, /metrics holds no meeting ids, names or titles, and SIGTERM
 * tells participants the server is shutting down, stops Janus and coturn, and exits 0.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';

const TOKEN = 'ops-test-token-0123456789abcdef0123456789';

/** Pids of processes whose command line mentions `needle` (the private config path of a child). */
function pidsOf(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', needle]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface ServerProcess {
  child: ChildProcess;
  url: string;
  metricsUrl: string;
  dataDir: string;
  exited: Promise<number | null>;
  output(): string;
}

/** Starts `src/server/main.ts` as its own process, as `npm start` would, on free ports. */
async function startServerProcess(): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sabha-ops-'));
  const rtp = 20000 + Math.floor(Math.random() * 40) * 1000;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: {
      PATH: process.env.PATH,
      SABHA_HOST: '127.0.0.1',
      SABHA_PORT: '0',
      SABHA_TLS: 'off',
      SABHA_DATA_DIR: dataDir,
      SABHA_RTP_PORT_RANGE: `${rtp}-${rtp + 999}`,
      SABHA_METRICS_PORT: '0',
      SABHA_METRICS_TOKEN: TOKEN,
      SABHA_TURN_PORT: '0',
      SABHA_TURN_TLS_PORT: '0',
      SABHA_LOG_LEVEL: 'warn',
      // These tests create meetings over raw WebSocket; the accounts gate has its own tests (test/attack/accounts.test.ts).
      SABHA_WHO_MAY_HOST: 'anyone',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!/Metrics: \S+\/metrics/.test(out)) {
    if (child.exitCode !== null) throw new Error(`the server exited at start: ${out}`);
    if (Date.now() - started > 30_000) throw new Error(`the server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /Sabha is running at (\S+)\//.exec(out)![1]!;
  const metricsUrl = /Metrics: (\S+)\/metrics/.exec(out)![1]!;
  return { child, url, metricsUrl, dataDir, exited, output: () => out };
}

const status = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers })).status;
const readyChecks = async (url: string) => (await (await fetch(`${url}/readyz`)).json()) as { ready: boolean; checks: Record<string, boolean> };

describe('operating a Sabha server process with Janus and coturn', { timeout: 120_000 }, () => {
  let server: ServerProcess;
  before(async () => (server = await startServerProcess()));
  after(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const pid of [...pidsOf(join(server.dataDir, 'janus')), ...pidsOf(join(server.dataDir, 'turn'))]) process.kill(pid, 'SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('is alive and ready once Janus and coturn are up', async () => {
    assert.equal(await status(`${server.url}/healthz`), 200);
    assert.deepEqual(await readyChecks(server.url), { ready: true, checks: { media: true, turn: true }, shuttingDown: false });
    assert.equal(pidsOf(join(server.dataDir, 'janus')).length, 1, 'Sabha runs one Janus');
  });

  it('reports not ready while Janus is down and ready again once it is back, alive throughout', async () => {
    const [janus] = pidsOf(join(server.dataDir, 'janus'));
    process.kill(janus!, 'SIGKILL');
    let sawDown = false;
    const deadline = Date.now() + 30_000;
    // Janus comes back within a second or two; poll fast enough to see the gap, then wait for readiness.
    while (Date.now() < deadline) {
      const report = await readyChecks(server.url);
      if (!report.ready) {
        sawDown = true;
        assert.equal(report.checks.media, false, 'the media check is the one that fails');
        assert.equal(await status(`${server.url}/healthz`), 200, 'alive while not ready');
      } else if (sawDown) {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(sawDown, '/readyz reported the outage');
    assert.equal((await readyChecks(server.url)).ready, true, '/readyz is ready again after Janus came back');
    const [restarted] = pidsOf(join(server.dataDir, 'janus'));
    assert.ok(restarted !== undefined && restarted !== janus, 'a new Janus runs');
    const metrics = await (await fetch(`${server.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    assert.match(metrics, /^sabha_media_engine_failures_total [1-9]/m);
    assert.match(metrics, /^sabha_media_engine_restarts_total [1-9]/m);
    assert.match(metrics, /^sabha_media_engine_up 1$/m);
  });

  it('reports not ready while coturn is down and ready again once it is back', async () => {
    const [turn] = pidsOf(join(server.dataDir, 'turn'));
    assert.ok(turn, 'Sabha runs coturn');
    process.kill(turn, 'SIGKILL');
    let sawDown = false;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const report = await readyChecks(server.url);
      if (!report.ready) {
        sawDown = true;
        assert.equal(report.checks.turn, false, 'the turn check is the one that fails');
      } else if (sawDown) {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(sawDown, '/readyz reported the relay down');
    assert.equal((await readyChecks(server.url)).ready, true, '/readyz is ready again after coturn came back');
  });

  it('serves /metrics only with the token, with counts and without meeting ids, names or titles', async () => {
    const wsUrl = server.url.replace(/^http/, 'ws') + '/ws';
    const title = 'Quarterly review of the Xylophone Directorate';
    const m = await hostMeeting(wsUrl, title);
    const waiting = await enterWaitingRoom(wsUrl, m, 'Philomena Quartermaine');
    assert.equal(await status(`${server.metricsUrl}/metrics`), 401);
    assert.equal(await status(`${server.url}/metrics`), 401);
    for (const base of [server.metricsUrl, server.url]) {
      const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      assert.match(text, /^sabha_meetings 1$/m);
      assert.match(text, /^sabha_participants 1$/m);
      assert.match(text, /^sabha_waiting_participants 1$/m);
      assert.match(text, /^process_resident_memory_bytes [1-9]\d+$/m);
      for (const secret of [m.meetingId, m.passcode, m.hostSecret, m.hostId, waiting.participantId, title, 'Xylophone', 'Philomena', 'Quartermaine']) {
        assert.ok(!text.includes(secret), `the scrape does not contain ${JSON.stringify(secret)}`);
      }
    }
    m.host.close();
    waiting.client.close();
  });

  it('on SIGTERM tells participants the server shuts down, stops Janus and coturn, and exits 0', async () => {
    const wsUrl = server.url.replace(/^http/, 'ws') + '/ws';
    const m = await hostMeeting(wsUrl, 'Shutdown');
    const waiting = await enterWaitingRoom(wsUrl, m, 'Someone waiting');
    const hostLeft = m.host.nextOf('left', 15_000);
    const waitingLeft = waiting.client.nextOf('left', 15_000);
    server.child.kill('SIGTERM');
    assert.equal((await hostLeft).reason, 'server-shutdown');
    assert.equal((await waitingLeft).reason, 'server-shutdown');
    assert.equal(await m.host.closed, 1000);
    assert.equal(await server.exited, 0, server.output());
    assert.deepEqual(pidsOf(join(server.dataDir, 'janus')), [], 'Janus is stopped');
    assert.deepEqual(pidsOf(join(server.dataDir, 'turn')), [], 'coturn is stopped');
  });
});

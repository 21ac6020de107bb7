/**
 * The operator's endpoints on a server with the in-memory engine: /healthz, /readyz following the media
 * engine and the TURN relay, /metrics only where the configuration allows it and with counts only, and a
 * shutdown that tells every participant why the meeting ends.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSabha, type RunningSabha } from '../../src/server/app.ts';
import { loadConfig, ConfigError } from '../../src/server/config.ts';
import { FakeEngine } from '../helpers/fake-engine.ts';
import { enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { startTestServer, testLogger, type TestServer } from '../helpers/test-server.ts';
import { RawClient } from '../helpers/ws-client.ts';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
};

describe('the operator endpoints on the public port', () => {
  let server: TestServer;
  let engine: FakeEngine;
  before(async () => {
    server = await startTestServer();
    engine = server.engine as FakeEngine;
  });
  after(() => server.close());

  it('answers /healthz with 200 while the process runs', async () => {
    const res = await get(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok\n');
  });

  it('answers /readyz with 503 while the media engine is down and 200 once it is back', async () => {
    assert.equal((await get(`${server.url}/readyz`)).status, 200);
    engine.crash();
    const down = await get(`${server.url}/readyz`);
    assert.equal(down.status, 503);
    assert.deepEqual(JSON.parse(down.body), { ready: false, checks: { media: false }, shuttingDown: false });
    engine.state = 'up';
    engine.emit('up');
    const up = await get(`${server.url}/readyz`);
    assert.equal(up.status, 200);
    assert.deepEqual(JSON.parse(up.body).checks, { media: true });
  });

  it('does not serve /metrics on the public port when no token is configured', async () => {
    const res = await get(`${server.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.body, /sabha_/);
  });

  it('refuses anything but GET and HEAD on the operator paths', async () => {
    const res = await fetch(`${server.url}/healthz`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
  });
});

describe('/metrics behind a bearer token on the public port', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer({ overrides: { metrics: { token: TOKEN } } })));
  after(() => server.close());

  it('refuses a request without the token, or with a wrong one, and answers the right one', async () => {
    assert.equal((await get(`${server.url}/metrics`)).status, 401);
    assert.equal((await get(`${server.url}/metrics`, { authorization: `Bearer ${TOKEN}x` })).status, 401);
    assert.equal((await get(`${server.url}/metrics`, { authorization: `Basic ${TOKEN}` })).status, 401);
    const ok = await get(`${server.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
    assert.match(ok.body, /^sabha_meetings 0$/m);
  });

  it('reports counts of meetings, participants and waiting people, and no id, name, title or secret', async () => {
    const title = 'Budget review of the Ministry of Zanzibar';
    const m = await hostMeeting(server.wsUrl, title);
    const waiting = await enterWaitingRoom(server.wsUrl, m, 'Zoltan Quibble');
    const res = await get(`${server.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    assert.match(res.body, /^sabha_meetings 1$/m);
    assert.match(res.body, /^sabha_participants 1$/m);
    assert.match(res.body, /^sabha_waiting_participants 1$/m);
    assert.match(res.body, /^sabha_meetings_created_total 1$/m);
    assert.match(res.body, /^sabha_websocket_connections 2$/m);
    for (const secret of [m.meetingId, m.passcode, m.hostSecret, m.hostId, waiting.participantId, waiting.deviceId, title, 'Zanzibar', 'Zoltan', 'Quibble', 'Host']) {
      assert.ok(!res.body.includes(secret), `the scrape does not contain ${JSON.stringify(secret)}`);
    }
    // Every line is a comment or `name number`: nothing else can be in a scrape.
    for (const line of res.body.trimEnd().split('\n')) assert.match(line, /^(# (HELP|TYPE) [a-z_:]+ .*|[a-z_:]+ (-?[0-9.e+-]+|NaN|[+-]Inf))$/, line);
    m.host.close();
    waiting.client.close();
  });
});

describe('the separate metrics listener', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer({ overrides: { metrics: { port: 0 } } })));
  after(() => server.close());

  it('serves /metrics, /healthz and /readyz on loopback without a token, and nothing else', async () => {
    assert.ok(server.metricsUrl?.startsWith('http://127.0.0.1:'));
    assert.equal((await get(`${server.metricsUrl}/metrics`)).status, 200);
    assert.equal((await get(`${server.metricsUrl}/healthz`)).status, 200);
    assert.equal((await get(`${server.metricsUrl}/readyz`)).status, 200);
    assert.equal((await get(`${server.metricsUrl}/`)).status, 404);
    // The public port still keeps /metrics closed.
    assert.equal((await get(`${server.url}/metrics`)).status, 404);
  });
});

describe('a TURN relay beside the media engine', () => {
  let sabha: RunningSabha;
  let engine: FakeEngine;
  let dataDir: string;
  const turn = { up: true, count: 3, ready() { return this.up; }, allocations() { return this.count; } };
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sabha-test-'));
    const config = loadConfig({ env: {}, overrides: { port: 0, tls: 'off', dataDir, metrics: { port: 0 } } });
    engine = new FakeEngine();
    await engine.start();
    sabha = await startSabha({ config, engine, turn, log: testLogger });
  });
  after(async () => {
    await sabha.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes /readyz wait for the relay too, and /metrics report its allocations', async () => {
    assert.equal((await get(`${sabha.url}/readyz`)).status, 200);
    turn.up = false;
    const down = await get(`${sabha.url}/readyz`);
    assert.equal(down.status, 503);
    assert.deepEqual(JSON.parse(down.body).checks, { media: true, turn: false });
    turn.up = true;
    assert.equal((await get(`${sabha.url}/readyz`)).status, 200);
    const metrics = (await get(`${sabha.metricsUrl}/metrics`)).body;
    assert.match(metrics, /^sabha_turn_up 1$/m);
    assert.match(metrics, /^sabha_turn_allocations 3$/m);
  });
});

describe('shutting the server down', () => {
  it('tells every participant and waiting person that the meeting ends because the server shuts down', async () => {
    const server = await startTestServer({ overrides: { metrics: { port: 0 } } });
    const m = await hostMeeting(server.wsUrl, 'Shutdown test');
    const waiting = await enterWaitingRoom(server.wsUrl, m, 'Waiting person');
    const idle = await RawClient.connect(server.wsUrl);
    const hostLeft = m.host.nextOf('left');
    const waitingLeft = waiting.client.nextOf('left');
    await server.close();
    assert.equal((await hostLeft).reason, 'server-shutdown');
    assert.equal((await waitingLeft).reason, 'server-shutdown');
    assert.equal(await m.host.closed, 1000);
    assert.equal(await waiting.client.closed, 1000);
    assert.equal(await idle.closed, 1001);
    await assert.rejects(fetch(`${server.url}/healthz`));
    await assert.rejects(fetch(`${server.metricsUrl}/healthz`));
  });

  it('reports not ready, and refuses new sockets, from the moment the shutdown starts', async () => {
    const server = await startTestServer();
    const m = await hostMeeting(server.wsUrl);
    const closing = server.close();
    assert.equal(server.readiness.report().ready, false);
    await closing;
    await m.host.closed;
    await assert.rejects(RawClient.connect(server.wsUrl));
  });
});

describe('the metrics configuration', () => {
  it('refuses a metrics listener on a non-loopback address without a token', () => {
    assert.throws(() => loadConfig({ env: { SABHA_METRICS_PORT: '9464', SABHA_METRICS_HOST: '0.0.0.0' } }), ConfigError);
    const config = loadConfig({ env: { SABHA_METRICS_PORT: '9464', SABHA_METRICS_HOST: '0.0.0.0', SABHA_METRICS_TOKEN: TOKEN } });
    assert.deepEqual(config.metrics, { port: 9464, host: '0.0.0.0', token: TOKEN });
  });

  it('refuses a token short enough to guess, or with spaces, without quoting it', () => {
    for (const token of ['short', 'x'.repeat(31), `${'x'.repeat(20)} ${'y'.repeat(20)}`]) {
      assert.throws(
        () => loadConfig({ env: { SABHA_METRICS_TOKEN: token } }),
        (error: Error) => error instanceof ConfigError && !error.message.includes(token) && error.message.includes('metrics.token'),
      );
    }
  });

  it('has no metrics listener and no token by default', () => {
    assert.deepEqual(loadConfig({ env: {} }).metrics, { port: null, host: '127.0.0.1' });
  });
});

/**
 * The TURN relay Sabha runs (coturn with the private config of src/media/turn/config-writer.ts) relays only
 * to Janus's media address, and only for a valid, unexpired credential signed with Sabha's secret. A small
 * TURN client plays a participant who holds a credential and tries to use the relay as a proxy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/server/config.ts';
import { janusMediaAddresses, turnRelayFromConfig } from '../../src/media/turn/from-config.ts';
import { turnCredential } from '../../src/media/turn/credentials.ts';
import type { TurnRelay } from '../../src/media/turn/turn-relay.ts';
import { testLogger } from '../helpers/test-server.ts';
import { TurnClient as TestTurnClient } from '../../src/media/turn/turn-client.ts';

describe('the TURN relay', () => {
  let relay: TurnRelay;
  let dataDir: string;
  let janusAddress: string;
  let server: { address: string; port: number };
  const clients: TestTurnClient[] = [];

  /** A participant's credential as Sabha hands it out, and a client that uses it. */
  const participant = (ttlSeconds = 600) => {
    const grant = relay.grant('127.0.0.1', 'testref', ttlSeconds)!;
    const server0 = grant.iceServers[0]!;
    const client = new TestTurnClient(server, server0.username, server0.credential);
    clients.push(client);
    return client;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sabha-turn-'));
    const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir, turn: { port: 0, tlsPort: 0, relayPortRange: '47000-47999' } } });
    janusAddress = janusMediaAddresses(config)[0]!;
    relay = (await turnRelayFromConfig(config, testLogger))!;
    await relay.start();
    const udp = relay.relayPorts('127.0.0.1').find((p) => p.transport === 'udp')!;
    server = { address: '127.0.0.1', port: udp.port };
  });

  after(async () => {
    for (const c of clients) c.close();
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('allocates a relay for a credential that Sabha signed, and lets it reach Janus\'s media address', async () => {
    const client = participant();
    const allocation = await client.allocate();
    assert.equal(allocation.ok, true, `allocate answered ${allocation.code}`);
    assert.equal(client.relayed?.address, janusAddress, 'the relay sends from an address the kernel routes to Janus');
    const permission = await client.createPermission({ address: janusAddress, port: 20000 });
    assert.equal(permission.ok, true, `permission to Janus answered ${permission.code}`);
  });

  it('refuses with 403 to relay to loopback, private, public or multicast addresses other than Janus\'s', async () => {
    const client = participant();
    assert.equal((await client.allocate()).ok, true);
    for (const peer of ['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '8.8.8.8', '224.0.0.1', '0.0.0.0']) {
      const answer = await client.createPermission({ address: peer, port: 22 });
      assert.equal(answer.ok, false, `a permission to ${peer} was granted`);
      assert.equal(answer.code, 403, `${peer}: expected 403 Forbidden IP, got ${answer.code}`);
    }
  });

  it('refuses with 401 a credential whose expiry has passed', async () => {
    const grant = relay.grant('127.0.0.1', 'testref', -5)!;
    const client = new TestTurnClient(server, grant.iceServers[0]!.username, grant.iceServers[0]!.credential);
    clients.push(client);
    const answer = await client.allocate();
    assert.equal(answer.ok, false);
    assert.equal(answer.code, 401);
  });

  it('keeps an allocation made before its credential expired confined to Janus after the expiry', async () => {
    // coturn checks the expiry when an allocation is made, not afterwards (docs/threat-model.md, "TURN relay").
    const client = participant(2);
    assert.equal((await client.allocate()).ok, true);
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal((await client.createPermission({ address: '10.0.0.1', port: 53 })).code, 403, 'still no peer but Janus');
    assert.equal((await client.createPermission({ address: '127.0.0.1', port: 53 })).code, 403);
    const fresh = new TestTurnClient(server, relay.grant('127.0.0.1', 'testref', -1)!.iceServers[0]!.username, 'x');
    clients.push(fresh);
    assert.equal((await fresh.allocate()).code, 401, 'and no new allocation with an expired credential');
  });

  it('refuses with 401 a credential signed with any other secret', async () => {
    const forged = turnCredential('not-the-secret-sabha-and-coturn-share', 'testref', 600);
    const client = new TestTurnClient(server, forged.username, forged.credential);
    clients.push(client);
    const answer = await client.allocate();
    assert.equal(answer.code, 401);
  });

  it('is restarted by its supervisor when it dies, and accepts credentials again', async () => {
    const supervisor = relay.supervisor!;
    const oldPid = supervisor.pid!;
    const ready = new Promise<{ pid: number }>((resolve) => supervisor.once('ready', resolve));
    process.kill(oldPid, 'SIGKILL');
    const { pid } = await ready;
    assert.notEqual(pid, oldPid);
    assert.equal(relay.ready(), true);
    const client = participant();
    assert.equal((await client.allocate()).ok, true, 'the restarted relay accepts a credential issued before');
  });

  it('cancels the allocations of a participant who left, and only theirs', async () => {
    const leaving = new TestTurnClient(server, relay.grant('127.0.0.1', 'leaving')!.iceServers[0]!.username, relay.grant('127.0.0.1', 'leaving')!.iceServers[0]!.credential);
    const staying = participant();
    clients.push(leaving);
    assert.equal((await leaving.allocate()).ok, true);
    assert.equal((await staying.allocate()).ok, true);
    assert.equal(await relay.revoke('leaving'), 1, 'one allocation cancelled');
    assert.equal((await leaving.refresh(600)).code, 437, 'the departed participant\'s allocation is gone (437 Allocation Mismatch)');
    assert.equal((await leaving.createPermission({ address: janusAddress, port: 20000 })).ok, false);
    assert.equal((await staying.refresh(600)).ok, true, 'another participant\'s allocation is untouched');
  });

  it('runs with a private configuration: CLI on loopback only, no TCP relay, every peer denied but Janus', () => {
    const conf = readFileSync(join(dataDir, 'turn', 'turnserver.conf'), 'utf8').split('\n');
    assert.deepEqual(conf.filter((l) => l.startsWith('cli-ip=')), ['cli-ip=127.0.0.1'], 'the CLI listens on loopback only');
    assert.match(conf.find((l) => l.startsWith('cli-password=')) ?? '', /^cli-password=[A-Za-z0-9_-]{43}$/, 'behind a random password');
    for (const line of ['no-tcp-relay', 'no-multicast-peers', 'use-auth-secret', 'fingerprint', 'denied-peer-ip=0.0.0.0-255.255.255.255', 'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', `allowed-peer-ip=${janusAddress}`]) {
      assert.ok(conf.includes(line), `turnserver.conf has ${line}`);
    }
    assert.deepEqual(conf.filter((l) => l.startsWith('allowed-peer-ip=')), [`allowed-peer-ip=${janusAddress}`], 'Janus is the only allowed peer');
  });
});

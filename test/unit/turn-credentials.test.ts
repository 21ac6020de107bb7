/**
 * The TURN pieces that need no coturn: the REST API credential, the relay configuration Sabha writes, the
 * URLs a browser is given, and the grant that follows a participant's admission.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ServerMessage } from '../../src/protocol/index.ts';
import { connectivityCheckAnswer, serverMessage } from '../../src/protocol/index.ts';
import { turnCredential } from '../../src/media/turn/credentials.ts';
import { turnserverConf } from '../../src/media/turn/config-writer.ts';
import { IceGrant } from '../../src/media/turn/ice-grant.ts';
import { hostOfHostHeader, TurnRelay } from '../../src/media/turn/turn-relay.ts';
import type { TurnCli } from '../../src/media/turn/cli.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHECK_TTL_SECONDS, CHECKS_PER_MINUTE, createConnectivityEndpoint } from '../../src/media/turn/connectivity-endpoint.ts';

const SECRET = 'a'.repeat(43);

describe('TURN credentials', () => {
  it('follow the TURN REST API: "<expiry>:<reference>" and the base64 HMAC-SHA1 of it', () => {
    const c = turnCredential(SECRET, 'ref', 600, 1_000_000_000_000);
    assert.equal(c.username, '1000000600:ref');
    assert.equal(c.credential, createHmac('sha1', SECRET).update('1000000600:ref').digest('base64'));
    assert.equal(c.expiresAt, 1_000_000_600_000);
  });

  it('refuse a reference that could smuggle another field into the username', () => {
    assert.throws(() => turnCredential(SECRET, 'a:b', 600), TypeError);
  });
});

describe('the coturn configuration', () => {
  const base = { dir: '/var/sabha/turn', secret: SECRET, realm: 'sabha', listenIps: [], port: 3478, relayIp: '192.0.2.2', allowedPeerIps: ['192.0.2.2'], relayPortRange: { min: 49152, max: 65535 } };

  it('denies every peer but Janus, relays no TCP and has no CLI', () => {
    const lines = turnserverConf(base).split('\n');
    for (const line of ['denied-peer-ip=0.0.0.0-255.255.255.255', 'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed-peer-ip=192.0.2.2', 'no-tcp-relay', 'no-multicast-peers', 'no-cli', 'use-auth-secret', `static-auth-secret=${SECRET}`, 'no-tls']) {
      assert.ok(lines.includes(line), line);
    }
    assert.ok(!lines.some((l) => l.startsWith('allow-loopback-peers')));
  });

  it('serves TLS with the given certificate when a TLS port is set', () => {
    const lines = turnserverConf({ ...base, tls: { port: 443, certFile: '/var/sabha/turn/cert.pem', keyFile: '/var/sabha/turn/key.pem' } }).split('\n');
    for (const line of ['tls-listening-port=443', 'cert=/var/sabha/turn/cert.pem', 'pkey=/var/sabha/turn/key.pem', 'no-tlsv1', 'no-tlsv1_1']) assert.ok(lines.includes(line), line);
    assert.ok(!lines.includes('no-tls'));
  });

  it('refuses values that would break out of a configuration line', () => {
    assert.throws(() => turnserverConf({ ...base, secret: `${SECRET}\nallow-loopback-peers` }));
    assert.throws(() => turnserverConf({ ...base, allowedPeerIps: ['192.0.2.2\nallow-loopback-peers'] }));
    assert.throws(() => turnserverConf({ ...base, realm: 'sabha\nno-auth' }));
  });
});

describe('the relay URLs', () => {
  it('name the host the browser used, over UDP, TCP and TLS', () => {
    const relay = new TurnRelay({ kind: 'spawned', publicHost: null, port: 3478, tlsPort: 443 }, SECRET, 600);
    const grant = relay.grant(hostOfHostHeader('meet.example.org:8443'), 'ref')!;
    assert.deepEqual(grant.iceServers[0]!.urls, ['turn:meet.example.org:3478?transport=udp', 'turn:meet.example.org:3478?transport=tcp', 'turns:meet.example.org:443?transport=tcp']);
  });

  it('take a configured public host over the Host header, and refuse a Host header that is not a plain host', () => {
    const relay = new TurnRelay({ kind: 'spawned', publicHost: 'turn.example.org', port: 3478, tlsPort: null }, SECRET, 600);
    assert.deepEqual(relay.grant('10.0.0.5', 'ref')!.iceServers[0]!.urls, ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp']);
    assert.equal(hostOfHostHeader('evil.example/?x=1'), null);
    assert.equal(hostOfHostHeader('[::1]:8443'), '[::1]');
    assert.equal(new TurnRelay({ kind: 'spawned', publicHost: null, port: 3478, tlsPort: null }, SECRET, 600).grant(null, 'ref'), null);
  });
});

describe('the ICE grant of a connection', () => {
  const relay = new TurnRelay({ kind: 'spawned', publicHost: null, port: 3478, tlsPort: 5349 }, SECRET, 600);
  const joined = { type: 'joined' } as ServerMessage;

  it('sends a valid ice-servers message before the first joined, and none to people who are only waiting', () => {
    const sent: ServerMessage[] = [];
    const grant = new IceGrant(relay, 'meet.example.org', (m) => sent.push(m));
    grant.sending({ type: 'waiting', reason: 'waiting-room', title: '', participantId: '0123456789abcdef' });
    assert.equal(sent.length, 0, 'waiting people get no relay');
    grant.sending(joined);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.type, 'ice-servers');
    assert.equal(serverMessage.safeParse(sent[0]).success, true, 'the message passes the protocol schema');
    grant.sending(joined);
    assert.equal(sent.length, 1, 'a later snapshot does not issue another credential');
    grant.closed();
  });

  it('renews the credential at half its lifetime while the participant stays, and stops when it leaves', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sent: ServerMessage[] = [];
    const grant = new IceGrant(relay, 'meet.example.org', (m) => sent.push(m));
    grant.sending(joined);
    t.mock.timers.tick(300_000);
    assert.equal(sent.length, 2, 'renewed after 300 s');
    grant.sending({ type: 'left', reason: 'replaced' });
    t.mock.timers.tick(300_000);
    assert.equal(sent.length, 3, 'a replaced connection is the same person going on elsewhere: not a departure');
    grant.sending({ type: 'left', reason: 'left' });
    t.mock.timers.tick(900_000);
    assert.equal(sent.length, 3, 'nothing after leaving');
  });

  it('cancels the relay allocations of its credentials when the participant leaves, not when it resumes elsewhere', async () => {
    const cancelled: string[] = [];
    const cli = { cancelSessionsOf: async (reference: string) => (cancelled.push(reference), 1) } as unknown as TurnCli;
    const withCli = new TurnRelay({ kind: 'spawned', publicHost: null, port: 3478, tlsPort: null }, SECRET, 600, undefined, cli);
    const sent: ServerMessage[] = [];
    const grant = new IceGrant(withCli, 'meet.example.org', (m) => sent.push(m));
    grant.sending(joined);
    grant.sending({ type: 'left', reason: 'replaced' });
    await Promise.resolve();
    assert.deepEqual(cancelled, [], 'a resumed participant keeps its relay');
    const other = new IceGrant(withCli, 'meet.example.org', (m) => sent.push(m));
    other.sending(joined);
    other.sending({ type: 'left', reason: 'ended' });
    await new Promise((r) => setImmediate(r));
    const username = (sent.at(-1) as Extract<ServerMessage, { type: 'ice-servers' }>).iceServers[0]!.username;
    assert.deepEqual(cancelled, [username.split(':')[1]], 'the reference of its credentials is cancelled');
    grant.closed();
  });
});

describe('the pre-join connectivity check endpoint', () => {
  const relay = new TurnRelay({ kind: 'spawned', publicHost: null, port: 3478, tlsPort: 5349 }, SECRET, 600);
  const call = (handler: ReturnType<typeof createConnectivityEndpoint>, address: string) => {
    const out = { status: 0, body: '' };
    const req = { url: '/connectivity-check', method: 'GET', headers: { host: 'meet.example.org' }, address } as unknown as IncomingMessage;
    const res = { writeHead: (status: number) => ((out.status = status), { end: (body: string) => (out.body = body) }) } as unknown as ServerResponse;
    assert.equal(handler(req, res), true);
    return out;
  };

  it('gives a credential good for a minute under a reference of its own that says "check", and the relay ports to name to IT', () => {
    const handler = createConnectivityEndpoint(relay, (req) => (req as unknown as { address: string }).address, {});
    const { status, body } = call(handler, '192.0.2.10');
    assert.equal(status, 200);
    const answer = connectivityCheckAnswer.parse(JSON.parse(body));
    assert.match(answer.iceServers[0]!.username, /^\d+:check-[A-Za-z0-9_-]+$/);
    assert.ok(answer.expiresAt <= Date.now() + CHECK_TTL_SECONDS * 1000 + 1000);
    assert.deepEqual(answer.relayPorts.map((p) => `${p.transport} ${p.host}:${p.port}`), ['udp meet.example.org:3478', 'tcp meet.example.org:3478', 'tls meet.example.org:5349']);
  });

  it('refuses a client address past its checks per minute, and not the others', () => {
    const handler = createConnectivityEndpoint(relay, (req) => (req as unknown as { address: string }).address, {});
    for (let i = 0; i < CHECKS_PER_MINUTE; i++) assert.equal(call(handler, '192.0.2.11').status, 200);
    assert.equal(call(handler, '192.0.2.11').status, 429);
    assert.equal(call(handler, '192.0.2.12').status, 200);
  });

  it('answers with no relay when the server has none', () => {
    const handler = createConnectivityEndpoint(undefined, () => '192.0.2.13', {});
    assert.deepEqual(connectivityCheckAnswer.parse(JSON.parse(call(handler, '192.0.2.13').body)).iceServers, []);
  });
});

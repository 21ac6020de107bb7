/**
 * Amplification through host actions that concern everyone, over raw WebSocket: "mute all" and a change of
 * the screen-share policy. Each must reach each participant as one short message, so that the bytes every
 * participant receives are a constant multiple of the bytes the host sent, whether 10 or 40 people are in
 * the meeting (an update per person affected, to every person, would grow with the meeting).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { hostMeeting, type HostedMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, randomDeviceId, settle } from '../helpers/ws-client.ts';

let server: TestServer;

interface Measured {
  /** Bytes of the host's request. */
  sent: number;
  /** Bytes all the meeting's clients (host included) received because of it. */
  received: number;
  /** Clients in the meeting. */
  clients: number;
}

/** A meeting of a host and `n` participants, each of whom turned the microphone on. */
async function meetingOf(n: number): Promise<{ m: HostedMeeting; people: RawClient[] }> {
  const m = await hostMeeting(server.wsUrl);
  assert.equal((await m.host.request({ type: 'update-settings', settings: { waitingRoom: false } })).type, 'ok');
  const people: RawClient[] = [];
  for (let i = 0; i < n; i++) {
    const client = await RawClient.connect(server.wsUrl);
    const joined = client.nextOf('joined');
    assert.equal((await client.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: `Person ${i}`, deviceId: randomDeviceId() })).type, 'ok');
    await joined;
    assert.equal((await client.request({ type: 'set-media-state', audio: true, video: false })).type, 'ok');
    people.push(client);
  }
  await settle(300);
  return { m, people };
}

/** Bytes in and out for one request of the host's, once everything it caused has arrived. */
async function measure(m: HostedMeeting, people: RawClient[], request: Record<string, unknown>): Promise<Measured> {
  const clients = [m.host, ...people];
  let received = 0;
  const count = (data: Buffer) => (received += data.length);
  for (const c of clients) c.socket.on('message', count);
  const id = 1_000_000;
  const frame = JSON.stringify({ ...request, id });
  const reply = m.host.next((msg) => 'id' in msg && msg.id === id);
  m.host.sendRaw(frame);
  assert.equal((await reply).type, 'ok');
  await settle(300);
  for (const c of clients) c.socket.off('message', count);
  return { sent: Buffer.byteLength(frame), received, clients: clients.length };
}

const perClient = (x: Measured) => x.received / x.clients / x.sent;
const describeRatio = (n: number, x: Measured) =>
  `N=${n}: ${x.received} B to ${x.clients} clients for ${x.sent} B sent (total ${(x.received / x.sent).toFixed(1)}, per client ${perClient(x).toFixed(2)})`;

async function closeAll(m: HostedMeeting, people: RawClient[]): Promise<void> {
  for (const c of people) c.close();
  m.host.close();
  await Promise.all([m.host.closed, ...people.map((c) => c.closed)]);
}

describe('host actions that concern everyone', () => {
  before(async () => (server = await startTestServer({ overrides: { limits: { maxConnectionsPerAddress: 100 } } })));
  after(() => server.close());

  it('mute all sends each participant one short message, whether 10 or 40 people are muted', async () => {
    const results: Measured[] = [];
    for (const n of [10, 40]) {
      const { m, people } = await meetingOf(n);
      const before = people.map((c) => c.countOf('participant-updated'));
      results.push(await measure(m, people, { type: 'mute-all' }));
      for (const [i, c] of people.entries()) {
        assert.equal(c.countOf('all-muted'), 1);
        assert.equal(c.countOf('participant-updated'), before[i], 'no update per person muted');
      }
      // The server's state agrees with what the clients derived: a newcomer's snapshot shows everyone muted.
      const late = await RawClient.connect(server.wsUrl);
      const snapshot = late.nextOf('joined');
      await late.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Late', deviceId: randomDeviceId() });
      assert.ok((await snapshot).participants.every((p) => !p.audio || p.role === 'host'));
      late.close();
      await closeAll(m, people);
    }
    const [small, large] = results as [Measured, Measured];
    console.log(`mute-all: ${describeRatio(10, small)}; ${describeRatio(40, large)}`);
    assert.ok(perClient(small) < 3, `N=10: ${perClient(small)} bytes per client per byte sent`);
    assert.ok(perClient(large) <= perClient(small) * 1.1, `grew from ${perClient(small)} to ${perClient(large)}`);
  });

  it('a new screen-share policy sends each participant one settings message, whether it concerns 10 or 40 people', async () => {
    const results: Measured[] = [];
    for (const n of [10, 40]) {
      const { m, people } = await meetingOf(n);
      const before = people.map((c) => c.countOf('participant-updated'));
      results.push(await measure(m, people, { type: 'update-settings', settings: { screenShare: 'everyone' } }));
      for (const [i, c] of people.entries()) {
        assert.equal((await c.latestOf('settings')).settings.screenShare, 'everyone');
        assert.equal(c.countOf('participant-updated'), before[i], 'no update per person whose permission changed');
      }
      await closeAll(m, people);
    }
    const [small, large] = results as [Measured, Measured];
    console.log(`screen-share policy: ${describeRatio(10, small)}; ${describeRatio(40, large)}`);
    // The whole settings object (about 300 bytes) for a request of about 70: a small constant.
    assert.ok(perClient(small) < 8, `N=10: ${perClient(small)} bytes per client per byte sent`);
    assert.ok(perClient(large) <= perClient(small) * 1.1, `grew from ${perClient(small)} to ${perClient(large)}`);
  });
});

/**
 * Amplification through the waiting room, over raw WebSocket: people who only know the passcode queue up
 * and each send a KeyPackage as large as the protocol allows, within the rate limits. What the host is sent
 * must stay a small constant multiple of what they sent, whatever their number: the host gets each
 * arrival and each KeyPackage once, never the whole list again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { settle } from '../helpers/ws-client.ts';
import { waitForWaitingList } from '../helpers/waiting-room.ts';

/** The largest KeyPackage the schema allows: 8 KiB as base64, different for each sender. */
const largestKeyPackage = (seed: number) => Buffer.alloc(8 * 1024, seed % 251).toString('base64');

let server: TestServer;

/** Bytes the host received while `count` people queued and each sent one KeyPackage, beside the bytes they sent. */
async function queue(count: number): Promise<{ sent: number; hostReceived: number }> {
  const m = await hostMeeting(server.wsUrl);
  let hostReceived = 0;
  m.host.socket.on('message', (data: Buffer) => (hostReceived += data.length));
  let sent = 0;
  const people = [];
  for (let i = 0; i < count; i++) {
    const name = `Queued person ${i}`;
    const person = await enterWaitingRoom(server.wsUrl, m, name);
    sent += Buffer.byteLength(JSON.stringify({ type: 'join', id: 1, meetingId: m.meetingId, passcode: m.passcode, name, deviceId: person.deviceId }));
    const keyPackage = { type: 'mls-key-package', keyPackage: largestKeyPackage(i) };
    sent += Buffer.byteLength(JSON.stringify({ ...keyPackage, id: 2 }));
    assert.equal((await person.client.request(keyPackage)).type, 'ok');
    people.push(person);
  }
  await waitForWaitingList(m.host, (list) => list.length === count && list.every((e) => e.keyPackage !== undefined));
  await settle();
  for (const p of people) p.client.close();
  m.host.close();
  await Promise.all([...people.map((p) => p.client.closed), m.host.closed]);
  return { sent, hostReceived };
}

describe('the waiting room under a crowd', () => {
  before(async () => (server = await startTestServer({ overrides: { limits: { maxConnectionsPerAddress: 100 } } })));
  after(() => server.close());

  it('sends the host no more than the queued people sent, whether 10 or 40 of them queue', async () => {
    const small = await queue(10);
    const large = await queue(40);
    const smallRatio = small.hostReceived / small.sent;
    const largeRatio = large.hostReceived / large.sent;
    console.log(
      `host received / queued sent: N=10 ${small.hostReceived}/${small.sent} = ${smallRatio.toFixed(3)}; ` +
        `N=40 ${large.hostReceived}/${large.sent} = ${largeRatio.toFixed(3)}`,
    );
    // Each KeyPackage reaches the host once (plus a little framing and the host's own snapshot): about 1.
    assert.ok(smallRatio < 1.5, `N=10: ratio ${smallRatio}`);
    assert.ok(largeRatio < 1.5, `N=40: ratio ${largeRatio}`);
    // Whole lists on every change would make this grow with N (about N/2); changes keep it flat.
    assert.ok(largeRatio <= smallRatio * 1.05, `the ratio grew from ${smallRatio} to ${largeRatio}`);
  });
});

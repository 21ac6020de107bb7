/**
 * Attacks on the rule that lets a returning host take their own place back: only the host secret together
 * with the device id the host entered from replaces the host's participant. Another device with the host
 * secret, the device id without the secret, or a participant's device id evict nobody.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerMessageOf } from '../../src/protocol/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, errorCode, randomDeviceId, settle } from '../helpers/ws-client.ts';

let server: TestServer;

const hostOn = (deviceId: string) => hostMeeting(server.wsUrl, 'Test meeting', deviceId);

/** Everything that would show an eviction: someone told to leave, or a participant gone. */
function evictions(client: RawClient): number {
  return client.countOf('left') + client.countOf('participant-left');
}

describe('taking the host’s place', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('does not let another device with the host secret take the host’s place: it becomes co-host', async () => {
    const m = await hostOn(randomDeviceId());
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const other = await RawClient.connect(server.wsUrl);
    const joinedP = other.nextOf('joined');
    assert.equal((await other.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Host', deviceId: randomDeviceId(), hostSecret: m.hostSecret })).type, 'ok');
    assert.equal((await joinedP).self.role, 'cohost');
    await settle();
    assert.equal(evictions(m.host) + evictions(alice.client), 0);
    // The host is still the host: only the host may end the meeting, and the co-host may not.
    assert.equal(errorCode(await other.request({ type: 'end-meeting' })), 'forbidden');
  });

  it('does not let another device with the host secret take a reconnecting host’s place either', async () => {
    const m = await hostOn(randomDeviceId());
    const alice = await admitted(server.wsUrl, m, 'Alice');
    m.host.close();
    await alice.client.next((x) => x.type === 'participant-updated' && x.participant.id === m.hostId && x.participant.reconnecting);
    const other = await RawClient.connect(server.wsUrl);
    const joinedP = other.nextOf('joined');
    await other.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Host', deviceId: randomDeviceId(), hostSecret: m.hostSecret });
    const joined = await joinedP;
    assert.equal(joined.self.role, 'cohost');
    assert.ok(joined.participants.some((p) => p.id === m.hostId && p.role === 'host' && p.reconnecting), 'the host keeps their place for the grace period');
    await settle();
    assert.equal(alice.client.countOf('participant-left'), 0);
  });

  it('does not let a participant who knows the host’s device id but not the host secret evict anyone', async () => {
    const deviceId = randomDeviceId();
    const m = await hostOn(deviceId);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const mallory = await RawClient.connect(server.wsUrl);
    // Without any host secret: an ordinary arrival in the waiting room.
    const waitingP = mallory.nextOf('waiting');
    assert.equal((await mallory.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Host', deviceId })).type, 'ok');
    assert.equal((await waitingP).reason, 'waiting-room');
    // With a wrong host secret: refused.
    const again = await RawClient.connect(server.wsUrl);
    const wrong = await again.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Host', deviceId, hostSecret: randomDeviceId() });
    assert.equal(errorCode(wrong), 'join-refused');
    await settle();
    assert.equal(evictions(m.host) + evictions(alice.client), 0);
    assert.equal((await m.host.request({ type: 'update-settings', settings: { chat: 'everyone' } })).type, 'ok', 'the host still rules the meeting');
  });

  it('does not replace a participant who shares a device id with a host-secret join', async () => {
    const m = await hostOn(randomDeviceId());
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const other = await RawClient.connect(server.wsUrl);
    const joinedP = other.nextOf('joined');
    await other.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Co', deviceId: alice.deviceId, hostSecret: m.hostSecret });
    const joined: ServerMessageOf<'joined'> = await joinedP;
    assert.equal(joined.self.role, 'cohost');
    await settle();
    assert.equal(evictions(alice.client) + evictions(m.host), 0);
  });
});

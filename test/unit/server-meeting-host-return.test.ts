/**
 * A host who reloads the page (or opens the host link again in the same browser) comes back with the host
 * secret and the same device id: they are the host again at once, and their old participant (connected or
 * reconnecting) leaves as `replaced`. The MLS group loses the old leaf by a commit and gains the new one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerMessageOf } from '../../src/protocol/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, enterWaitingRoom, hostMeeting, joinAsHost as joinAsHostOn, type HostedMeeting, type MeetingSecrets } from '../helpers/meeting-fixture.ts';
import { RawClient, errorCode, randomDeviceId, settle } from '../helpers/ws-client.ts';

let server: TestServer;

const joinAsHost = (meeting: MeetingSecrets, deviceId: string, name = 'Host') => joinAsHostOn(server.wsUrl, meeting, deviceId, name);
/** A meeting whose host entered from a known device id. */
const hostOn = (deviceId: string) => hostMeeting(server.wsUrl, 'Test meeting', deviceId);

/** Closes the host's socket and waits until the others see the host as reconnecting. */
async function dropHost(m: HostedMeeting, watcher: RawClient): Promise<void> {
  const reconnecting = watcher.next((x) => x.type === 'participant-updated' && x.participant.id === m.hostId && x.participant.reconnecting);
  m.host.close();
  await reconnecting;
}

describe('a host who comes back from the same browser', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('is the host again at once, and the reconnecting ghost leaves as replaced', async () => {
    const m = await hostOn(randomDeviceId());
    const alice = await admitted(server.wsUrl, m, 'Alice');
    await dropHost(m, alice.client);

    const ghostLeft = alice.client.nextOf('participant-left');
    const hostJoined = alice.client.nextOf('participant-joined');
    const again = await joinAsHost(m, m.deviceId);
    assert.equal(again.joined.self.role, 'host');
    assert.notEqual(again.joined.self.participantId, m.hostId, 'a new participant: the old id is gone for good');
    assert.ok(again.joined.passcode, 'the host sees the passcode again');
    assert.deepEqual(again.joined.participants.map((p) => p.name).sort(), ['Alice', 'Host'], 'no ghost in the snapshot');
    assert.deepEqual(await ghostLeft, { type: 'participant-left', participantId: m.hostId, reason: 'replaced' });
    const joined = await hostJoined;
    assert.equal(joined.participant.id, again.joined.self.participantId);
    assert.equal(joined.participant.role, 'host');
    await settle();
    assert.equal(alice.client.received.filter((x) => x.type === 'participant-updated' && x.participant.role === 'host' && x.participant.id !== m.hostId).length, 0, 'nobody was promoted in between');
    // Host controls work for the returning host; the ghost's resume token is dead.
    assert.equal((await again.client.request({ type: 'update-settings', settings: { locked: true } })).type, 'ok');
    const late = await RawClient.connect(server.wsUrl);
    assert.equal(errorCode(await late.request({ type: 'resume', resumeToken: m.joined.self.resumeToken })), 'join-refused');
  });

  it('closes a still open old connection with left replaced', async () => {
    const m = await hostOn(randomDeviceId());
    const oldLeft = m.host.nextOf('left');
    const again = await joinAsHost(m, m.deviceId);
    assert.equal(again.joined.self.role, 'host');
    assert.equal((await oldLeft).reason, 'replaced');
    assert.equal(await m.host.closed, 1000);
    assert.deepEqual(again.joined.participants.map((p) => p.id), [again.joined.self.participantId]);
  });

  it('keeps the meeting open and its waiting room while the host comes back alone', async () => {
    const m = await hostOn(randomDeviceId());
    const waiting = await enterWaitingRoom(server.wsUrl, m, 'Early');
    m.host.close();
    await settle();
    const again = await joinAsHost(m, m.deviceId);
    assert.equal(again.joined.self.role, 'host');
    const list = await again.client.latestOf('waiting-room');
    assert.deepEqual(list.entries.map((e) => e.participantId), [waiting.participantId]);
  });

  it('leaves the ghost to the group as a departed member: the next commit removes it and adds the new host', async () => {
    const m = await hostOn(randomDeviceId());
    assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
    const alice = await enterWaitingRoom(server.wsUrl, m, 'Alice');
    await alice.client.request({ type: 'mls-key-package', keyPackage: 'AAAA' });
    assert.equal((await m.host.request({ type: 'admit', participantIds: [alice.participantId], mls: { epoch: 0, commit: 'AAAA', welcome: 'BBBB' } })).type, 'ok');
    await dropHost(m, alice.client);

    const again = await joinAsHost(m, m.deviceId);
    assert.deepEqual(again.joined.mls, { epoch: 1, groupExists: true }, 'the group goes on: the returning host asks to be added');
    const pending = alice.client.next((x) => x.type === 'mls-pending' && x.adds.length > 0);
    await again.client.request({ type: 'mls-key-package', keyPackage: 'CCCC' });
    const work = (await pending) as ServerMessageOf<'mls-pending'>;
    assert.deepEqual(work.removes, [m.hostId]);
    assert.deepEqual(work.adds.map((a) => a.participantId), [again.joined.self.participantId]);
    // Nobody may commit the ghost back in: it is only removable.
    assert.equal(errorCode(await alice.client.request({ type: 'mls-commit', mls: { epoch: 1, commit: 'AAAA', welcome: 'BBBB' }, adds: [m.hostId], removes: [] })), 'invalid-state');
    const welcome = again.client.nextOf('mls-welcome');
    const reply = await alice.client.request({ type: 'mls-commit', mls: { epoch: 1, commit: 'AAAA', welcome: 'BBBB' }, adds: [again.joined.self.participantId], removes: [m.hostId] });
    assert.equal(reply.type, 'ok');
    assert.equal((await welcome).epoch, 2);
  });

  it('asks the returning host for a new group when the ghost was its only member, and nobody else', async () => {
    const m = await hostOn(randomDeviceId());
    assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
    const alice = await admitted(server.wsUrl, m, 'Alice');
    await dropHost(m, alice.client);
    const snapshotsBefore = alice.client.countOf('joined');

    const again = await joinAsHost(m, m.deviceId);
    assert.deepEqual(again.joined.mls, { epoch: 0, groupExists: false });
    await settle();
    assert.equal(alice.client.countOf('joined'), snapshotsBefore, 'Alice was not asked to make a group too');
    assert.equal((await again.client.request({ type: 'mls-group-created' })).type, 'ok');
  });
});

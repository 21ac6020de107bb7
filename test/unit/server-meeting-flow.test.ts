import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, randomDeviceId, settle } from '../helpers/ws-client.ts';
import type { FakeEngine } from '../helpers/fake-engine.ts';

describe('a meeting over the signalling protocol', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('lets the host in first and everyone else through the waiting room', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    assert.equal(alice.joined.self.role, 'participant');
    assert.deepEqual(alice.joined.participants.map((p) => p.name).sort(), ['Alice', 'Host']);
    assert.equal(alice.joined.passcode, undefined, 'participants never see the passcode');
    const update = await m.host.latestOf('participant-joined');
    assert.equal(update.participant.name, 'Alice');
    m.host.close();
    alice.client.close();
  });

  it('relays a chat message to everyone in the meeting', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const bob = await admitted(server.wsUrl, m, 'Bob');
    const atBob = bob.client.nextOf('chat');
    const atHost = m.host.nextOf('chat');
    const reply = await alice.client.request({ type: 'chat', body: { kind: 'text', text: 'hello <b>all</b>' } });
    assert.equal(reply.type, 'ok');
    for (const received of [await atBob, await atHost]) {
      assert.equal(received.from, alice.participantId);
      assert.deepEqual(received.body, { kind: 'text', text: 'hello <b>all</b>' });
    }
  });

  it('publishes a camera, tells the others, and lets them subscribe', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const added = m.host.nextOf('publication-added');
    const answer = await alice.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' });
    assert.equal(answer.type, 'publish-answer');
    const publication = (await added).publication;
    assert.equal(publication.participantId, alice.participantId);
    const offerP = m.host.nextOf('subscriber-offer');
    assert.equal((await m.host.request({ type: 'subscribe', video: [{ publicationId: publication.id, quality: 'low' }], audio: [publication.id] })).type, 'ok');
    const offer = await offerP;
    assert.ok(offer.tracks.every((t) => t.participantId === alice.participantId));
    assert.equal((await m.host.request({ type: 'subscriber-answer', sdp: 'v=0 answer' })).type, 'ok');
  });

  it('forwards no audio from a participant until they unmute', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    await alice.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' });
    const publisher = (server.engine as FakeEngine).publisher(`${alice.participantId}-camera`)!;
    assert.equal(publisher.forwarding.get('audio'), false);
    assert.equal((await alice.client.request({ type: 'set-media-state', audio: true, video: true })).type, 'ok');
    assert.equal(publisher.forwarding.get('audio'), true);
    assert.equal((await m.host.request({ type: 'mute', participantId: alice.participantId })).type, 'ok');
    assert.equal(publisher.forwarding.get('audio'), false);
  });

  it('tells everyone when a participant leaves, and ends the meeting for all when the host ends it', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const bob = await admitted(server.wsUrl, m, 'Bob');
    const gone = m.host.nextOf('participant-left');
    const bobLeft = bob.client.nextOf('left');
    bob.client.send({ type: 'leave', id: 1 });
    assert.equal((await bobLeft).reason, 'left');
    assert.equal((await gone).participantId, bob.participantId);
    const aliceLeft = alice.client.nextOf('left');
    const hostLeft = m.host.nextOf('left');
    m.host.send({ type: 'end-meeting' });
    assert.equal((await hostLeft).reason, 'ended');
    assert.equal((await aliceLeft).reason, 'ended');
    await alice.client.closed;
    // The meeting id is dead: even the right passcode is refused now.
    const late = await RawClient.connect(server.wsUrl);
    const reply = await late.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Late', deviceId: randomDeviceId() });
    assert.equal(reply.type, 'error');
    assert.equal(reply.type === 'error' && reply.code, 'join-refused');
    late.close();
  });

  it('keeps a participant whose connection drops and lets them resume with their token', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const reconnecting = m.host.next((x) => x.type === 'participant-updated' && x.participant.id === alice.participantId && x.participant.reconnecting);
    alice.client.socket.terminate();
    await reconnecting;
    const again = await RawClient.connect(server.wsUrl);
    const joined = again.nextOf('joined');
    assert.equal((await again.request({ type: 'resume', resumeToken: alice.joined.self.resumeToken })).type, 'ok');
    assert.equal((await joined).self.participantId, alice.participantId);
    // The old token is single use.
    const thief = await RawClient.connect(server.wsUrl);
    const stolen = await thief.request({ type: 'resume', resumeToken: alice.joined.self.resumeToken });
    assert.equal(stolen.type === 'error' && stolen.code, 'join-refused');
    await settle();
  });

  it('ends every meeting and tells its participants when the media engine gives up on a dead SFU', async () => {
    const m = await hostMeeting(server.wsUrl);
    const reconnecting = m.host.nextOf('media-status');
    const left = m.host.nextOf('left');
    (server.engine as FakeEngine).crash();
    assert.equal((await reconnecting).state, 'reconnecting');
    (server.engine as FakeEngine).giveUp();
    assert.equal((await left).reason, 'media-failure');
    (server.engine as FakeEngine).recover();
  });
});

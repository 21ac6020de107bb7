/**
 * A meeting outlives its SFU, over the real signalling protocol with the in-memory SFU: when the engine goes
 * down the meeting is told `media-status reconnecting` and goes on; when it is back, `restored`; a participant
 * publishing again keeps its publication id (nobody sees it leave), its server-enforced mute holds on the new
 * publisher, and whoever asked for it receives it again without asking twice. Only the engine giving up ends it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting } from '../helpers/meeting-fixture.ts';
import { errorCode, RawClient, settle } from '../helpers/ws-client.ts';
import type { FakeEngine } from '../helpers/fake-engine.ts';

describe('a meeting whose media engine restarts', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());
  const engine = () => server.engine as FakeEngine;

  it('goes on through an SFU restart: same publication ids, the mute re-applied, subscriptions applied again', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const cam = `${alice.participantId}-camera`;
    assert.equal((await alice.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' })).type, 'publish-answer');
    const firstOffer = m.host.nextOf('subscriber-offer');
    assert.equal((await m.host.request({ type: 'subscribe', video: [{ publicationId: cam, quality: 'low' }], audio: [cam] })).type, 'ok');
    assert.deepEqual((await firstOffer).tracks.map((t) => t.publicationId), [cam, cam]);
    assert.equal(engine().publisher(cam)!.forwarding.get('audio'), false, 'muted on entry: the SFU forwards no audio');

    const hostHears = m.host.nextOf('media-status');
    const aliceHears = alice.client.nextOf('media-status');
    engine().crash();
    assert.equal((await hostHears).state, 'reconnecting');
    assert.equal((await aliceHears).state, 'reconnecting');
    // While it is down, media requests are refused as unavailable (a client waits for `restored`).
    assert.equal(errorCode(await alice.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' })), 'unavailable');

    const restored = m.host.nextOf('media-status');
    engine().recover();
    assert.equal((await restored).state, 'restored');
    // The host subscribes again at once; Alice's camera is not back yet, so it is skipped, not refused.
    assert.equal((await m.host.request({ type: 'subscribe', video: [{ publicationId: cam, quality: 'low' }], audio: [cam] })).type, 'ok');

    const offerAgain = m.host.nextOf('subscriber-offer');
    assert.equal((await alice.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' })).type, 'publish-answer');
    assert.deepEqual((await offerAgain).tracks.map((t) => t.publicationId), [cam, cam], 'the host receives Alice again without asking twice');
    assert.equal(engine().publisher(cam)!.forwarding.get('audio'), false, 'the server-enforced mute holds on the new publisher');
    assert.equal(engine().rooms.length, 1, 'one new room for the meeting');

    await settle(50);
    for (const client of [m.host, alice.client]) {
      assert.equal(client.countOf('publication-removed'), 0, 'nobody saw the publication go');
      assert.equal(client.countOf('left'), 0, 'nobody left');
    }
    assert.equal(m.host.countOf('publication-added'), 1, 'the publication was announced once, when it first came');
  });

  it('tells a participant who was away during the restart, right after its snapshot, that media must be redone', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    assert.equal((await alice.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' })).type, 'publish-answer');
    const away = m.host.next((x) => x.type === 'participant-updated' && x.participant.id === alice.participantId && x.participant.reconnecting);
    alice.client.socket.terminate();
    await away;
    engine().crash();
    engine().recover();
    const again = await RawClient.connect(server.wsUrl);
    const joined = again.nextOf('joined');
    const status = again.nextOf('media-status');
    assert.equal((await again.request({ type: 'resume', resumeToken: alice.joined.self.resumeToken })).type, 'ok');
    await joined;
    assert.equal((await status).state, 'restored');
    assert.equal((await again.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' })).type, 'publish-answer');
    await settle(50);
    assert.equal(m.host.countOf('publication-removed'), 0);
    again.close();
  });

  it('tells someone admitted while the SFU is down that media is reconnecting, and then that it is restored', async () => {
    const m = await hostMeeting(server.wsUrl);
    engine().crash();
    const bob = await admitted(server.wsUrl, m, 'Bob');
    assert.equal((await bob.client.latestOf('media-status')).state, 'reconnecting');
    const restored = bob.client.nextOf('media-status');
    engine().recover();
    assert.equal((await restored).state, 'restored');
  });

  it('ends the meeting with media-failure only when the engine gives up on the SFU', async () => {
    const m = await hostMeeting(server.wsUrl);
    const left = m.host.nextOf('left');
    engine().crash();
    await settle(50);
    assert.equal(m.host.countOf('left'), 0, 'an outage alone ends nothing');
    engine().giveUp();
    assert.equal((await left).reason, 'media-failure');
    engine().recover();
  });
});

/**
 * What a participant receives in a large meeting, over the real signalling protocol with the in-memory
 * SFU: slots re-pointed rather than added, the announcement before the switch, the layers senders must
 * encode, and the SFU's voice activity relayed at a bounded rate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_AUDIO_SLOTS, MAX_VIDEO_SLOTS } from '../../src/protocol/index.ts';
import { SpeakingRelay } from '../../src/server/meetings/speaking-relay.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting, type HostedMeeting } from '../helpers/meeting-fixture.ts';
import { errorCode, settle } from '../helpers/ws-client.ts';
import type { FakeEngine } from '../helpers/fake-engine.ts';

type Person = Awaited<ReturnType<typeof admitted>>;

describe('subscriptions of a large meeting', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  async function withPublishers(count: number): Promise<{ m: HostedMeeting; people: Person[] }> {
    const m = await hostMeeting(server.wsUrl);
    const people: Person[] = [];
    for (let i = 0; i < count; i++) {
      const p = await admitted(server.wsUrl, m, `P${i}`);
      assert.equal((await p.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' })).type, 'publish-answer');
      people.push(p);
    }
    return { m, people };
  }

  const cam = (p: Person) => `${p.participantId}-camera`;
  const hostSubscriber = () => [...(server.engine as FakeEngine).rooms.at(-1)!.subscribers].at(-1)!;

  it('re-points a video slot to the next page without a new offer, and says what the slot carries before it switches', async () => {
    const { m, people } = await withPublishers(3);
    const [a, b, c] = people as [Person, Person, Person];
    const offer = m.host.nextOf('subscriber-offer');
    const ok = await m.host.request({ type: 'subscribe', video: [{ publicationId: cam(a), quality: 'low' }, { publicationId: cam(b), quality: 'low' }], audio: [] });
    assert.equal(ok.type, 'ok');
    assert.deepEqual((await offer).tracks.map((t) => t.participantId).sort(), [a.participantId, b.participantId].sort());

    const tracks = m.host.nextOf('subscriber-tracks');
    const offersBefore = m.host.countOf('subscriber-offer');
    assert.equal((await m.host.request({ type: 'subscribe', video: [{ publicationId: cam(a), quality: 'low' }, { publicationId: cam(c), quality: 'low' }], audio: [] })).type, 'ok');
    const now = await tracks;
    assert.deepEqual(now.tracks.map((t) => t.participantId).sort(), [a.participantId, c.participantId].sort());
    await settle(50);
    assert.equal(m.host.countOf('subscriber-offer'), offersBefore, 'no renegotiation for a page flip');
    assert.equal(hostSubscriber().slots.size, 2, 'still two video slots');
  });

  it('tells each sender which simulcast layers anybody receives, and only when that changes', async () => {
    const { m, people } = await withPublishers(2);
    const [a, b] = people as [Person, Person];
    const layersA = a.client.nextOf('send-layers');
    await m.host.request({ type: 'subscribe', video: [{ publicationId: cam(a), quality: 'high' }, { publicationId: cam(b), quality: 'low' }], audio: [] });
    assert.deepEqual((await layersA).active, [true, false, true], 'high, and low for the fallback');
    assert.deepEqual((await b.client.latestOf('send-layers')).active, [true, false, false]);

    const seenByB = b.client.countOf('send-layers');
    const again = a.client.nextOf('send-layers');
    await m.host.request({ type: 'subscribe', video: [{ publicationId: cam(a), quality: 'medium' }, { publicationId: cam(b), quality: 'low' }], audio: [] });
    assert.deepEqual((await again).active, [true, true, false], 'high stops when nobody watches it');
    await settle(50);
    assert.equal(b.client.countOf('send-layers'), seenByB, 'nothing changed for B, so B is told nothing');

    const none = a.client.nextOf('send-layers');
    await m.host.request({ type: 'subscribe', video: [], audio: [] });
    assert.deepEqual((await none).active, [false, false, false], 'nobody receives the camera: nothing to encode');
  });

  it('refuses more videos or microphones than the slots allow, audio of a screen share, and oneself', async () => {
    const { m, people } = await withPublishers(1);
    const a = people[0]!;
    const tooMany = Array.from({ length: MAX_VIDEO_SLOTS + 1 }, () => ({ publicationId: cam(a), quality: 'low' as const }));
    assert.equal(errorCode(await m.host.request({ type: 'subscribe', video: tooMany, audio: [] })), 'bad-message');
    const tooManyAudio = Array.from({ length: MAX_AUDIO_SLOTS + 1 }, () => cam(a));
    assert.equal(errorCode(await m.host.request({ type: 'subscribe', video: [], audio: tooManyAudio })), 'bad-message');
    assert.equal(errorCode(await m.host.request({ type: 'subscribe', video: [{ publicationId: cam(a), quality: 'ultra' as 'low' }], audio: [] })), 'bad-message');
    assert.equal(errorCode(await a.client.request({ type: 'subscribe', video: [{ publicationId: cam(a), quality: 'low' }], audio: [] })), 'invalid-state');
    assert.equal((await m.host.request({ type: 'publish', source: 'screen', sdp: 'v=0 offer' })).type, 'publish-answer');
    assert.equal(errorCode(await a.client.request({ type: 'subscribe', video: [], audio: [`${m.hostId}-screen`] })), 'invalid-state');
    assert.equal((await a.client.request({ type: 'subscribe', video: [{ publicationId: `${m.hostId}-screen`, quality: 'high' }], audio: [] })).type, 'ok');
  });

  it('closes the subscriber of someone who leaves while the SFU is still making it, and stops encoding for them', async () => {
    const { m, people } = await withPublishers(2);
    const [a, b] = people as [Person, Person];
    const room = (server.engine as FakeEngine).rooms.at(-1)!;
    let release = () => {};
    room.subscriberGate = new Promise<void>((r) => (release = r));
    const before = room.subscribers.size;
    b.client.send({ type: 'subscribe', video: [{ publicationId: cam(a), quality: 'high' }], audio: [] });
    await settle(30);
    b.client.send({ type: 'leave' });
    await settle(30);
    release();
    room.subscriberGate = null;
    await settle(50);
    assert.equal(room.subscribers.size, before, 'no subscriber is left for someone who is gone');
    assert.equal((await a.client.latestOf('send-layers')).active.some(Boolean), false, 'nobody receives the camera');
  });

  it('relays who talks, as the SFU hears it, to everyone in the meeting', async () => {
    const { m, people } = await withPublishers(2);
    const [a, b] = people as [Person, Person];
    const atB = b.client.nextOf('speaking');
    const atHost = m.host.nextOf('speaking');
    (server.engine as FakeEngine).publisher(cam(a))!.talk(true);
    for (const msg of [await atB, await atHost]) assert.deepEqual([msg.participantId, msg.speaking], [a.participantId, true]);
  });
});

describe('the speaking relay', () => {
  it('passes at most one change per participant per interval, and the last state always gets through', async () => {
    const sent: [string, boolean][] = [];
    let now = 0;
    const relay = new SpeakingRelay((id, speaking) => sent.push([id, speaking]), 100, () => now);
    relay.set('a', true);
    for (let i = 0; i < 50; i++) relay.set('a', i % 2 === 0 ? false : true);
    relay.set('a', false);
    assert.deepEqual(sent, [['a', true]], 'a flood within the interval is held back');
    now = 100;
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(sent, [['a', true], ['a', false]], 'then only the latest state');
    relay.clear();
  });
});


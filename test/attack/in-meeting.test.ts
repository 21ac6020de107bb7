/**
 * An admitted participant who skips the UI and sends what only a host may send,
 * floods, or reaches into another meeting. Each test checks that nothing changed
 * for the others.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { settle, errorCode } from '../helpers/ws-client.ts';
import { waitingList } from '../helpers/waiting-room.ts';

let server: TestServer;

describe('an admitted participant acting as an attacker', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('cannot use any host command', async () => {
    const m = await hostMeeting(server.wsUrl);
    const mallory = await admitted(server.wsUrl, m, 'Mallory');
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const waiting = await enterWaitingRoom(server.wsUrl, m, 'Waiting Wendy');
    const attempts = [
      { type: 'admit', participantIds: [waiting.participantId] },
      { type: 'deny', participantIds: [waiting.participantId] },
      { type: 'remove', participantId: alice.participantId },
      { type: 'remove', participantId: m.hostId },
      { type: 'update-settings', settings: { locked: true } },
      { type: 'update-settings', settings: { screenShare: 'everyone' } },
      { type: 'update-settings', settings: { waitingRoom: false } },
      { type: 'update-settings', settings: { chat: 'off' } },
      { type: 'mute', participantId: alice.participantId },
      { type: 'mute-all' },
      { type: 'regenerate-passcode' },
      { type: 'set-role', participantId: mallory.participantId, role: 'cohost' },
      { type: 'transfer-host', participantId: mallory.participantId },
      { type: 'end-meeting' },
    ];
    for (const attempt of attempts) {
      assert.equal(errorCode(await mallory.client.request(attempt)), 'forbidden', JSON.stringify(attempt));
    }
    await settle();
    // Nothing changed for anyone: no settings pushed, nobody left, Wendy still waits, the host is still host.
    for (const c of [m.host, alice.client]) {
      assert.equal(c.countOf('settings'), 0);
      assert.equal(c.countOf('participant-left'), 0);
      assert.equal(c.countOf('left'), 0);
      assert.equal(c.countOf('passcode'), 0);
    }
    assert.equal(waiting.client.countOf('joined') + waiting.client.countOf('left'), 0);
    assert.deepEqual(waitingList(m.host).map((e) => e.participantId), [waiting.participantId]);
    assert.equal((await m.host.request({ type: 'chat', body: { kind: 'text', text: 'still here' } })).type, 'ok');
  });

  it('cannot share a screen unless the host allows it, and loses it when the host withdraws it', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    assert.equal(errorCode(await alice.client.request({ type: 'publish', source: 'screen', sdp: 'v=0 offer' })), 'forbidden');
    await settle();
    assert.equal(m.host.countOf('publication-added'), 0);
    assert.equal((await m.host.request({ type: 'update-settings', settings: { screenShare: 'named', screenShareAllowed: [alice.participantId] } })).type, 'ok');
    assert.equal((await alice.client.request({ type: 'publish', source: 'screen', sdp: 'v=0 offer' })).type, 'publish-answer');
    const removed = m.host.nextOf('publication-removed');
    assert.equal((await m.host.request({ type: 'update-settings', settings: { screenShare: 'host-only' } })).type, 'ok');
    assert.equal((await removed).publicationId, `${alice.participantId}-screen`);
  });

  it('cannot unmute or rename when the host has turned that off', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    await m.host.request({ type: 'update-settings', settings: { allowUnmute: false, allowRename: false } });
    assert.equal(errorCode(await alice.client.request({ type: 'set-media-state', audio: true, video: false })), 'forbidden');
    assert.equal(errorCode(await alice.client.request({ type: 'rename', name: 'Host' })), 'forbidden');
    assert.equal((await alice.client.request({ type: 'set-media-state', audio: false, video: true })).type, 'ok', 'the camera is still theirs');
  });

  it('follows the chat mode: host only (classroom), off, and no private messages by default', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const bob = await admitted(server.wsUrl, m, 'Bob');
    const text = { kind: 'text', text: 'psst' };
    assert.equal(errorCode(await alice.client.request({ type: 'chat', to: bob.participantId, body: text })), 'forbidden');
    await m.host.request({ type: 'update-settings', settings: { chat: 'host-only' } });
    assert.equal(errorCode(await alice.client.request({ type: 'chat', body: text })), 'forbidden');
    assert.equal((await m.host.request({ type: 'chat', body: { kind: 'text', text: 'class notes' } })).type, 'ok');
    await m.host.request({ type: 'update-settings', settings: { chat: 'off' } });
    assert.equal(errorCode(await m.host.request({ type: 'chat', body: text })), 'forbidden');
    await settle();
    assert.deepEqual(bob.client.received.filter((x) => x.type === 'chat').map((x) => x.type === 'chat' && x.body), [{ kind: 'text', text: 'class notes' }]);
  });

  it('is cut off by rate limits when flooding chat, while the others keep talking', async () => {
    const m = await hostMeeting(server.wsUrl);
    const mallory = await admitted(server.wsUrl, m, 'Mallory');
    const alice = await admitted(server.wsUrl, m, 'Alice');
    for (let i = 0; i < 500; i++) mallory.client.send({ type: 'chat', id: i, body: { kind: 'text', text: `spam ${i}` } });
    await settle(500);
    const spamSeen = alice.client.received.filter((x) => x.type === 'chat').length;
    assert.ok(spamSeen <= 12, `spam that got through: ${spamSeen}`);
    assert.ok(mallory.client.received.some((x) => x.type === 'error' && x.code === 'rate-limited'));
    const heard = m.host.next((x) => x.type === 'chat' && x.from === alice.participantId);
    assert.equal((await alice.client.request({ type: 'chat', body: { kind: 'text', text: 'can you hear me?' } })).type, 'ok');
    await heard;
  });

  it('cannot touch another meeting or its participants', async () => {
    const a = await hostMeeting(server.wsUrl, 'A');
    const b = await hostMeeting(server.wsUrl, 'B');
    const bob = await admitted(server.wsUrl, b, 'Bob');
    await bob.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' });
    assert.equal(errorCode(await a.host.request({ type: 'remove', participantId: bob.participantId })), 'not-found');
    assert.equal(errorCode(await a.host.request({ type: 'mute', participantId: bob.participantId })), 'not-found');
    assert.equal(errorCode(await a.host.request({ type: 'subscribe', video: [{ publicationId: `${bob.participantId}-camera`, quality: 'low' }], audio: [] })), 'not-found');
    assert.equal(errorCode(await a.host.request({ type: 'chat', to: bob.participantId, body: { kind: 'text', text: 'hi' } })), 'not-found');
    await settle();
    assert.equal(bob.client.countOf('left') + bob.client.countOf('chat'), 0);
  });

  it('cannot make the server accept an MLS commit out of order or from a non-member', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
    assert.equal(errorCode(await alice.client.request({ type: 'mls-group-created' })), 'invalid-state');
    assert.equal(errorCode(await alice.client.request({ type: 'mls-commit', mls: { epoch: 0, commit: 'AAAA' }, adds: [], removes: [m.hostId] })), 'forbidden');
    assert.equal(errorCode(await m.host.request({ type: 'mls-commit', mls: { epoch: 7, commit: 'AAAA' }, adds: [], removes: [] })), 'stale-epoch');
    // Alice's KeyPackage makes her a pending add: the host's commit adding her is accepted once, at epoch 0.
    const pending = m.host.nextOf('mls-pending');
    await alice.client.request({ type: 'mls-key-package', keyPackage: 'AAAA' });
    assert.deepEqual((await pending).adds.map((x) => x.participantId), [alice.participantId]);
    const welcome = alice.client.nextOf('mls-welcome');
    assert.equal((await m.host.request({ type: 'mls-commit', mls: { epoch: 0, commit: 'AAAA', welcome: 'BBBB' }, adds: [alice.participantId], removes: [] })).type, 'ok');
    assert.equal((await welcome).epoch, 1);
    assert.equal(errorCode(await m.host.request({ type: 'mls-commit', mls: { epoch: 0, commit: 'AAAA', welcome: 'BBBB' }, adds: [alice.participantId], removes: [] })), 'stale-epoch');
  });
});

describe('a meeting with an MLS group', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('relays no plaintext chat once the group exists, only MLS ciphertext', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
    assert.equal(errorCode(await alice.client.request({ type: 'chat', body: { kind: 'text', text: 'in clear' } })), 'forbidden');
    const relayed = m.host.nextOf('chat');
    assert.equal((await alice.client.request({ type: 'chat', body: { kind: 'mls', data: 'AAECAwQF' } })).type, 'ok');
    assert.deepEqual((await relayed).body, { kind: 'mls', data: 'AAECAwQF' });
  });
});

/**
 * The spotlight (`settings.spotlight`) shows one person large to everyone. Only a host
 * or co-host may set it, only on someone who is in the meeting, and it goes away with
 * the person it names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { errorCode, settle } from '../helpers/ws-client.ts';

let server: TestServer;

describe('the spotlight setting', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('cannot be set or cleared by a participant, on themselves or anyone else', async () => {
    const m = await hostMeeting(server.wsUrl);
    const mallory = await admitted(server.wsUrl, m, 'Mallory');
    const alice = await admitted(server.wsUrl, m, 'Alice');
    for (const spotlight of [mallory.participantId, alice.participantId, m.hostId, null]) {
      assert.equal(errorCode(await mallory.client.request({ type: 'update-settings', settings: { spotlight } })), 'forbidden', String(spotlight));
    }
    await settle();
    for (const c of [m.host, alice.client, mallory.client]) assert.equal(c.countOf('settings'), 0, 'nobody was sent new settings');

    // Once the host spotlights Alice, Mallory still cannot take it away.
    assert.equal((await m.host.request({ type: 'update-settings', settings: { spotlight: alice.participantId } })).type, 'ok');
    assert.equal((await mallory.client.latestOf('settings')).settings.spotlight, alice.participantId);
    assert.equal(errorCode(await mallory.client.request({ type: 'update-settings', settings: { spotlight: null } })), 'forbidden');
    await settle();
    assert.equal(alice.client.countOf('settings'), 1, 'only the host’s change reached Alice');
  });

  it('refuses an id that is not a joined participant of this meeting', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const waiting = await enterWaitingRoom(server.wsUrl, m, 'Waiting Wendy');
    const other = await hostMeeting(server.wsUrl, 'Another meeting');
    const outsider = await admitted(server.wsUrl, other, 'Outsider');
    for (const spotlight of ['0123456789abcdef', waiting.participantId, outsider.participantId, other.hostId]) {
      assert.equal(errorCode(await m.host.request({ type: 'update-settings', settings: { spotlight } })), 'not-found', spotlight);
    }
    // A malformed id never reaches the meeting: the schema stops it.
    assert.equal(errorCode(await m.host.request({ type: 'update-settings', settings: { spotlight: '<script>' } })), 'bad-message');
    await settle();
    assert.equal(alice.client.countOf('settings'), 0, 'a refused spotlight changes nothing for anyone');
    assert.equal(waiting.client.countOf('settings'), 0);
  });

  it('is cleared for everyone when the spotlighted person leaves', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const bob = await admitted(server.wsUrl, m, 'Bob');
    assert.equal((await m.host.request({ type: 'update-settings', settings: { spotlight: alice.participantId } })).type, 'ok');
    assert.equal((await bob.client.nextOf('settings')).settings.spotlight, alice.participantId);
    const cleared = bob.client.next((x) => x.type === 'settings' && x.settings.spotlight === null, 5000, 'spotlight cleared');
    alice.client.send({ type: 'leave' });
    await cleared;
    assert.equal((await m.host.latestOf('settings')).settings.spotlight, null);
  });
});

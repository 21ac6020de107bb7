/**
 * MLS resynchronisation as an attacker would try it over raw WebSocket: asking to re-add someone else,
 * asking without being a member, a committer's commit that removes or adds the wrong people under cover of
 * a resync, and a flood of requests. The server sees only ids (commits and KeyPackages are opaque bytes to
 * it, so they are placeholders here); what it can see, it enforces, and the meeting goes on. That a resync
 * KeyPackage really is the member's (its leaf's signature key) is checked by the members themselves:
 * test/unit/mls-resync.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, enterWaitingRoom, hostMeeting, type HostedMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, errorCode, settle } from '../helpers/ws-client.ts';
import { RESYNC_REQUEST_LIMIT } from '../../src/server/meetings/mls-delivery.ts';

let server: TestServer;

/** A distinct placeholder KeyPackage (base64) per number. */
const keyPackage = (n: number) => Buffer.from(`key-package-${n}`).toString('base64');

/** A host with Alice and Bob admitted, all three members of the group at epoch 1 (placeholder bytes). */
async function meetingWithGroup() {
  const m = await hostMeeting(server.wsUrl);
  const alice = await admitted(server.wsUrl, m, 'Alice');
  const bob = await admitted(server.wsUrl, m, 'Bob');
  assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
  await alice.client.request({ type: 'mls-key-package', keyPackage: keyPackage(1) });
  await bob.client.request({ type: 'mls-key-package', keyPackage: keyPackage(2) });
  const added = await m.host.request({ type: 'mls-commit', mls: { epoch: 0, commit: 'AAAA', welcome: 'BBBB' }, adds: [alice.participantId, bob.participantId], removes: [] });
  assert.equal(added.type, 'ok');
  return { m, alice, bob };
}

function commit(m: HostedMeeting | { host: RawClient }, epoch: number, adds: string[], removes: string[]) {
  return m.host.request({ type: 'mls-commit', mls: { epoch, commit: 'Q09NTUlU', welcome: 'V0VMQ09NRQ==' }, adds, removes });
}

describe('MLS resync requests from an attacker', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('refuses a resync request for someone else, from a non-member, from a waiting person, and one with any unknown field', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const carol = await admitted(server.wsUrl, m, 'Carol'); // joined, not a member
    const wendy = await enterWaitingRoom(server.wsUrl, m, 'Waiting Wendy');
    const forOther = await alice.client.request({ type: 'mls-resync', keyPackage: keyPackage(10), participantId: bob.participantId });
    assert.equal(errorCode(forOther), 'bad-message');
    assert.equal(errorCode(await alice.client.request({ type: 'mls-resync', keyPackage: keyPackage(10), epoch: 1 })), 'bad-message');
    assert.equal(errorCode(await alice.client.request({ type: 'mls-resync' })), 'bad-message');
    assert.equal(errorCode(await alice.client.request({ type: 'mls-resync', keyPackage: 'not base64!' })), 'bad-message');
    assert.equal(errorCode(await carol.client.request({ type: 'mls-resync', keyPackage: keyPackage(11) })), 'invalid-state');
    assert.equal(errorCode(await wendy.client.request({ type: 'mls-resync', keyPackage: keyPackage(12) })), 'not-in-meeting');
    await settle();
    assert.equal(m.host.received.filter((x) => x.type === 'mls-pending' && x.resyncs !== undefined).length, 0, 'the committer was asked to re-add nobody');
    // The group goes on: Carol is still added by the host's next commit.
    await carol.client.request({ type: 'mls-key-package', keyPackage: keyPackage(13) });
    assert.equal((await commit(m, 1, [carol.participantId], [])).type, 'ok');
  });

  it('asks the committer to re-add exactly the member who asked, and accepts only a commit that removes and adds that member', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const carol = await admitted(server.wsUrl, m, 'Carol');
    await carol.client.request({ type: 'mls-key-package', keyPackage: keyPackage(3) });
    const pending = m.host.next((x) => x.type === 'mls-pending' && x.resyncs !== undefined);
    assert.equal((await alice.client.request({ type: 'mls-resync', keyPackage: keyPackage(20) })).type, 'ok');
    const asked = await pending;
    assert.ok(asked.type === 'mls-pending');
    assert.deepEqual(asked.resyncs, [{ participantId: alice.participantId, keyPackage: keyPackage(20) }]);
    assert.equal(asked.epoch, 1);

    const A = alice.participantId;
    const B = bob.participantId;
    const C = carol.participantId;
    const refusals: [string, string[], string[]][] = [
      ['re-adds Bob, who did not ask', [B], [B]],
      ['removes Alice without adding her back', [], [A]],
      ['adds Alice a second leaf without removing the old one', [A], []],
      ['swaps Alice for Carol (removes Alice, adds Carol)', [C], [A]],
      ['re-adds Alice and removes Bob, who is present', [A], [A, B]],
    ];
    for (const [what, adds, removes] of refusals) {
      assert.equal(errorCode(await commit(m, 1, adds, removes)), 'invalid-state', `a commit that ${what} is refused`);
    }
    // Alice cannot commit her own re-adding: MLS forbids committing one's own removal.
    assert.equal(errorCode(await alice.client.request({ type: 'mls-commit', mls: { epoch: 1, commit: 'AAAA', welcome: 'BBBB' }, adds: [A], removes: [A] })), 'invalid-state');

    const welcome = alice.client.nextOf('mls-welcome');
    const relayed = bob.client.nextOf('mls-commit');
    assert.equal((await commit(m, 1, [A, C], [A])).type, 'ok', 'the resync, with Carol added in the same batch');
    assert.equal((await welcome).epoch, 2);
    assert.equal((await relayed).mls.epoch, 1);
    await settle();
    assert.equal(alice.client.countOf('mls-commit'), 0, 'the member re-added gets the Welcome, not the commit it cannot process');
    // Once re-added, she cannot be re-added again without asking again.
    assert.equal(errorCode(await commit(m, 2, [A], [A])), 'invalid-state');
  });

  it('cuts a flood of resync requests off after a few, also across a resume, while the meeting goes on', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) codes.push(errorCode(await alice.client.request({ type: 'mls-resync', keyPackage: keyPackage(100 + i) })));
    const allowed = RESYNC_REQUEST_LIMIT.burst;
    assert.deepEqual(codes, [...Array(allowed).fill('ok'), ...Array(10 - allowed).fill('rate-limited')]);
    // The same KeyPackage again (a retry after a lost reply) costs nothing and asks nobody again.
    const asksBefore = m.host.countOf('mls-pending');
    assert.equal((await alice.client.request({ type: 'mls-resync', keyPackage: keyPackage(100 + allowed - 1) })).type, 'ok');
    await settle();
    assert.equal(m.host.countOf('mls-pending'), asksBefore, 'the committer is asked once per accepted request');

    // A new connection (resume) does not bring a new allowance: the limit is the participant's.
    alice.client.close();
    await alice.client.closed;
    const back = await RawClient.connect(server.wsUrl);
    assert.equal((await back.request({ type: 'resume', resumeToken: alice.joined.self.resumeToken })).type, 'ok');
    assert.equal(errorCode(await back.request({ type: 'mls-resync', keyPackage: keyPackage(200) })), 'rate-limited');

    // The meeting goes on: chat is relayed, and the last accepted request is still served.
    const chat = bob.client.nextOf('chat');
    assert.equal((await back.request({ type: 'chat', body: { kind: 'mls', data: 'AAECAwQF' } })).type, 'ok');
    assert.equal((await chat).from, alice.participantId);
    assert.equal((await commit(m, 1, [alice.participantId], [alice.participantId])).type, 'ok');
  });
});

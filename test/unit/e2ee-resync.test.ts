/**
 * Resynchronisation through the E2EE session and the server's delivery rules (MlsDelivery, mirrored by
 * FakeMeeting): a member whose signalling connection dropped while a commit was relayed finds out when it
 * resumes (or when a later commit arrives), asks to be re-added, and is, by one commit of the chosen
 * committer; everyone then shows the same new security code and media flows again. Nobody reports
 * `desynchronized`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FakeMeeting, Person } from './e2ee-fake-meeting.ts';
import { assertAgreement, assertMediaFlows, hostAndParticipant, hostParticipantAndOneWaiting, ManualClock } from './e2ee-session-fixtures.ts';

const clock = new ManualClock();

function sent(meeting: FakeMeeting, person: Person, type: string): number {
  return meeting.clientLog.filter((m) => m.from === person.id && m.type === type).length;
}

describe('MLS resynchronisation through the E2EE session', () => {
  test('a member whose connection dropped while the host admitted someone is re-added when it resumes, and everyone agrees on a new security code', async () => {
    const { meeting, host, b, waiting } = await hostParticipantAndOneWaiting(clock);

    meeting.disconnect(b);
    await host.session.admit([waiting.id]);
    await meeting.settle();
    const afterAdmission = { epoch: meeting.mls.epoch, code: host.session.securityCode };
    assert.equal(b.session.epoch, afterAdmission.epoch - 1, 'b missed the commit that admitted the waiting person');

    meeting.resume(b);
    await meeting.settle();
    const agreed = assertAgreement([host, b, waiting]);
    assert.equal(agreed.epoch, afterAdmission.epoch + 1, 'one resync commit, and only one');
    assert.notEqual(agreed.code, afterAdmission.code, 'the security code changed with the resync commit');
    assert.equal(sent(meeting, b, 'mls-resync'), 1, 'b asked once to be re-added');
    assert.deepEqual(meeting.refused, [], 'the server refused nothing');
    await assertMediaFlows([host, b, waiting], clock);
  });

  test('a member that receives a commit from a later epoch, having missed one without a resume, resyncs by itself', async () => {
    const { meeting, host, b } = await hostAndParticipant(clock);
    const first = meeting.arrive('participant', true);
    const second = meeting.arrive('participant', true);
    await meeting.settle();

    // Lost on the way without the connection being noticed as dropped: no snapshot tells b.
    meeting.disconnect(b);
    await host.session.admit([first.id]);
    await meeting.settle();
    b.connected = true;
    await host.session.admit([second.id]);
    await meeting.settle();
    assertAgreement([host, b, first, second]);
    assert.equal(sent(meeting, b, 'mls-resync'), 1);
    await assertMediaFlows([host, b, first, second], clock);
  });

  test('the host, who is the chosen committer, misses a commit while away and is re-added by the next member in line', async () => {
    const { meeting, host, b } = await hostAndParticipant(clock);

    meeting.disconnect(host);
    // Someone joins while the host is away: b, the only connected member, commits the add.
    const c = meeting.arrive('participant');
    await meeting.settle();
    assert.equal(c.session.state, 'ready');
    assert.equal(host.session.epoch, meeting.mls.epoch - 1);

    meeting.resume(host);
    await meeting.settle();
    assertAgreement([host, b, c]);
    const resyncCommits = meeting.clientLog.filter((m) => m.type === 'mls-commit' && m.from === b.id);
    assert.equal(resyncCommits.length, 2, 'b committed the add, then the resync of the host');
    await assertMediaFlows([host, b, c], clock);
  });

  test('commit bytes that claim a later epoch than the server names are refused as such, and start no resync', async () => {
    const { meeting, host, b } = await hostAndParticipant(clock);
    const first = meeting.arrive('participant', true);
    const second = meeting.arrive('participant', true);
    await meeting.settle();
    meeting.disconnect(b);
    await host.session.admit([first.id]);
    await host.session.admit([second.id]);
    await meeting.settle();
    const later = first.received.findLast((m) => m.type === 'mls-commit');
    assert.ok(later?.type === 'mls-commit');
    assert.equal(later.mls.epoch, b.session.epoch! + 1, 'a real commit made one epoch past b');

    // A server (or member) relays it to b as if it were made at b's own epoch.
    await b.session.handleCommit({ ...later, mls: { ...later.mls, epoch: b.session.epoch! } });
    assert.deepEqual(b.problems, [{ code: 'commit-rejected' }]);
    assert.equal(b.session.resyncing, false);
    assert.equal(sent(meeting, b, 'mls-resync'), 0, 'no resync request');
  });

  test('a member that fell behind after everyone else left makes the group anew and adds whoever joins next', async () => {
    const { meeting, host, b } = await hostAndParticipant(clock);
    meeting.disconnect(b);
    const c = meeting.arrive('participant');
    await meeting.settle();
    meeting.leave(host);
    meeting.leave(c);
    await meeting.settle();

    meeting.resume(b);
    await meeting.settle();
    assert.equal(b.session.state, 'ready');
    assert.equal(b.session.resyncing, false);
    assert.deepEqual(b.session.members(), [b.id], 'b alone in a new group');
    assert.equal(meeting.mls.epoch, 0);
    const d = meeting.arrive('participant');
    await meeting.settle();
    assertAgreement([b, d]);
  });
});

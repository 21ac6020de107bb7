import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_BATCH } from '../../src/protocol/messages.ts';
import { MlsMember } from '../../src/e2ee/mls/index.ts';
import { toBase64 } from '../../src/e2ee/session/base64.ts';
import { decodeHeader } from '../../src/e2ee/sframe/index.ts';
import { SEND_KEY_DELAY_MS } from '../../src/e2ee/worker/key-timing.ts';
import { FakeMeeting } from './e2ee-fake-meeting.ts';
import { assertAgreement, assertMediaFlows, hostAndParticipant, hostParticipantAndOneWaiting, ManualClock } from './e2ee-session-fixtures.ts';

const clock = new ManualClock();
const newMeeting = () => FakeMeeting.create({ workerClock: clock.now });

describe('E2eeSession', () => {
  test('the first to join creates the group; people joining later are added together in one commit', async () => {
    const meeting = await newMeeting();
    const host = meeting.arrive('host');
    await meeting.settle();
    assert.equal(meeting.mls.groupExists, true);
    assert.equal(host.session.state, 'ready');
    assert.equal(host.session.epoch, 0);

    // Both KeyPackages reach the server before the host gets to commit.
    meeting.holdTypes = new Set(['mls-key-package']);
    const b = meeting.arrive('participant');
    const c = meeting.arrive('participant');
    await meeting.heldCount(2);
    meeting.release();
    await meeting.settle();
    assert.deepEqual(meeting.refused, [], 'nothing refused');
    assert.equal(host.received.filter((m) => m.type === 'mls-pending').length, 2, 'the host was told twice');
    assert.equal(meeting.mls.epoch, 1, 'both were added by a single commit');
    assertAgreement([host, b, c]);
    await assertMediaFlows([host, b, c], clock);
  });

  test('admission from the waiting room carries the commit that adds the person', async () => {
    const { meeting, host, b, waiting } = await hostParticipantAndOneWaiting(clock);
    assert.equal(waiting.session.state, 'no-key');
    assert.ok(waiting.keyPackage, 'the waiting person sent a KeyPackage');
    const before = meeting.mls.epoch;

    await host.session.admit([waiting.id]);
    await meeting.settle();
    assert.equal(meeting.mls.epoch, before + 1);
    const welcomeAt = waiting.received.findIndex((m) => m.type === 'mls-welcome');
    const joinedAt = waiting.received.findIndex((m) => m.type === 'joined');
    assert.ok(welcomeAt >= 0 && welcomeAt < joinedAt, 'the Welcome came with the admission, before the joined snapshot');
    const pendingAdds = [host, b].flatMap((p) => p.received.flatMap((m) => (m.type === 'mls-pending' ? m.adds.map((a) => a.participantId) : [])));
    assert.deepEqual(pendingAdds, [b.id], 'the admitted person was never a pending add: admit added them');
    assertAgreement([host, b, waiting]);
    await assertMediaFlows([host, b, waiting], clock);
  });

  test('a committer that loses a race to another commit discards its commit and retries at the next epoch', async () => {
    const meeting = await newMeeting();
    const host = meeting.arrive('host');
    await meeting.settle();
    const cohost = meeting.arrive('cohost');
    const c = meeting.arrive('participant');
    await meeting.settle();
    const waiting = meeting.arrive('participant', true);
    await meeting.settle();

    const refusedBefore = meeting.refused.length;
    meeting.holdTypes = new Set(['mls-commit', 'admit']);
    const late = meeting.arrive('participant'); // the host is asked to add `late`
    const admission = cohost.session.admit([waiting.id]); // while the cohost admits `waiting`
    await meeting.heldCount(2);
    const epochBefore = meeting.mls.epoch;
    meeting.release();
    await admission;
    await meeting.settle();

    const refused = meeting.refused.slice(refusedBefore);
    assert.equal(refused.length, 1, 'exactly one commit lost the race');
    assert.equal(refused[0]!.code, 'stale-epoch');
    assert.equal(meeting.mls.epoch, epochBefore + 2, 'the loser committed again at the next epoch');
    assertAgreement([host, cohost, c, waiting, late]);
    await assertMediaFlows([host, cohost, c, waiting, late], clock);
  });

  test('a removed member keeps its old state but can neither read new chat nor open new frames', async () => {
    const meeting = await newMeeting();
    const host = meeting.arrive('host');
    await meeting.settle();
    const b = meeting.arrive('participant');
    const c = meeting.arrive('participant');
    const d = meeting.arrive('participant');
    await meeting.settle();
    const old = assertAgreement([host, b, c, d]);
    clock.advance(SEND_KEY_DELAY_MS);
    const oldFrame = (await b.worker.core.cryptor.encryptFrame(new Uint8Array([1, 2, 3]), 'audio'))!;
    assert.deepEqual(await d.worker.core.cryptor.decryptFrame(oldFrame, b.id, 'audio'), new Uint8Array([1, 2, 3]), 'd could read b before');

    meeting.leave(d);
    await meeting.settle();
    const now = assertAgreement([host, b, c]);
    assert.equal(now.epoch, old.epoch + 1);
    assert.notEqual(now.code, old.code);
    assert.equal(d.session.epoch, old.epoch, 'd never saw the removal');

    const body = await b.session.encryptChat('after d left');
    assert.equal(body.kind, 'mls');
    await meeting.sendAs(b, { type: 'chat', body });
    await meeting.settle();
    assert.deepEqual(host.chats.map((m) => [m.from, m.text]), [[b.id, 'after d left']]);
    assert.deepEqual(c.chats.map((m) => [m.from, m.text]), [[b.id, 'after d left']]);
    if (body.kind !== 'mls') return;
    await assert.rejects(d.session.decryptChat(body.data), 'd cannot open chat of the new epoch');

    clock.advance(SEND_KEY_DELAY_MS);
    const newFrame = (await b.worker.core.cryptor.encryptFrame(new Uint8Array([4, 5, 6]), 'audio'))!;
    assert.equal(await d.worker.core.cryptor.decryptFrame(newFrame, b.id, 'audio'), null, 'd has no key for the new epoch');
    assert.equal(decodeHeader(newFrame).kid & 0xffn, BigInt(now.epoch & 0xff), 'the frame carries the new epoch in its KID');

    // Even handed the removal commit, d learns only that it was removed.
    const relayed = c.received.filter((m) => m.type === 'mls-commit').at(-1)!;
    await d.session.handleServerMessage(relayed);
    assert.equal(d.session.state, 'no-key');
    assert.deepEqual(d.problems.map((p) => p.code), ['removed']);
    await assert.rejects(d.session.decryptChat(body.data));
  });

  test('when the committer leaves, the next member commits its removal and the pending adds', async () => {
    const meeting = await newMeeting();
    const host = meeting.arrive('host');
    await meeting.settle();
    const b = meeting.arrive('participant');
    const c = meeting.arrive('participant');
    await meeting.settle();
    meeting.leave(host);
    const e = meeting.arrive('participant');
    await meeting.settle();
    assert.ok(b.received.some((m) => m.type === 'mls-pending'), 'b, the longest present, was asked to commit');
    assertAgreement([b, c, e]);
    await assertMediaFlows([b, c, e], clock);
  });

  test('two people who both found no group converge on one group', async () => {
    const meeting = await newMeeting();
    const a = meeting.arrive('host');
    const b = meeting.arrive('participant'); // its joined snapshot also says groupExists: false
    const snapshot = b.received.find((m) => m.type === 'joined');
    assert.equal(snapshot?.type === 'joined' && snapshot.mls.groupExists, false);
    await meeting.settle();
    assert.ok(meeting.refused.some((r) => r.type === 'mls-group-created' && r.code === 'invalid-state'), 'one creation was refused');
    assertAgreement([a, b]);
    await assertMediaFlows([a, b], clock);
  });

  test('the committer refuses a KeyPackage announced under another participant id', async () => {
    const { meeting, host, b } = await hostAndParticipant(clock);
    const impostor = await MlsMember.create('00000000000000ff', { suite: meeting.suite });
    const epoch = meeting.mls.epoch;
    await host.session.handlePending({ type: 'mls-pending', epoch, adds: [{ participantId: '00000000000000ee', keyPackage: toBase64(impostor.keyPackageBytes()) }], removes: [] });
    await meeting.settle();
    assert.equal(meeting.mls.epoch, epoch, 'no commit was made');
    assert.deepEqual(host.problems, [{ code: 'key-package-mismatch', participantId: '00000000000000ee' }]);
    host.problems.length = 0;
    assertAgreement([host, b]);
  });

  test('an admission the protocol refuses (101 people) is discarded at once, and the next admission of one person works', async () => {
    const { meeting, host, b } = await hostAndParticipant(clock);
    const epoch = host.session.epoch!;
    const crowd = await Promise.all(
      Array.from({ length: MAX_BATCH + 1 }, async (_, i) => {
        const id = (0x1000 + i).toString(16).padStart(16, '0');
        const member = await MlsMember.create(id, { suite: meeting.suite });
        return { participantId: id, name: 'someone', keyPackage: toBase64(member.keyPackageBytes()) };
      }),
    );
    await assert.rejects(host.session.admit(crowd.map((e) => e.participantId), crowd), /admission not accepted/);
    assert.equal(host.session.epoch, epoch, 'nothing applied');
    assert.deepEqual(meeting.refused, [], 'nothing reached the server');

    const waiting = meeting.arrive('participant', true);
    await meeting.settle();
    await host.session.admit([waiting.id]);
    await meeting.settle();
    assert.equal(meeting.mls.epoch, epoch + 1);
    assertAgreement([host, b, waiting]);
    await assertMediaFlows([host, b, waiting], clock);
  });

  test('an admission whose request was lost does not block the next one, which goes through', async () => {
    const { meeting, host, b, waiting, epoch } = await hostParticipantAndOneWaiting(clock);

    meeting.lose.set('admit', 'request');
    await assert.rejects(host.session.admit([waiting.id]), /unknown/);
    assert.equal(meeting.mls.epoch, epoch, 'the server never saw it');
    await host.session.admit([waiting.id]);
    await meeting.settle();
    assert.equal(meeting.mls.epoch, epoch + 1);
    assertAgreement([host, b, waiting]);
    await assertMediaFlows([host, b, waiting], clock);
  });

  test('a commit whose reply was lost stays pending until the server names the epoch after it, then is applied', async () => {
    const { meeting, host, b, waiting, epoch } = await hostParticipantAndOneWaiting(clock);

    meeting.lose.set('admit', 'reply');
    await assert.rejects(host.session.admit([waiting.id]), /unknown/);
    await meeting.settle();
    assert.equal(meeting.mls.epoch, epoch + 1, 'the server accepted it');
    assert.equal(host.session.epoch, epoch, 'the host does not know yet');
    // Someone comes straight in: the server asks the host to add them, at the epoch after the lost commit.
    const late = meeting.arrive('participant');
    await meeting.settle();
    assert.equal(meeting.mls.epoch, epoch + 2);
    assertAgreement([host, b, waiting, late]);
    await assertMediaFlows([host, b, waiting, late], clock);
  });

  test('private chat is sealed with its recipient; a copy shown to someone else is rejected', async () => {
    const meeting = await newMeeting();
    const host = meeting.arrive('host');
    await meeting.settle();
    const b = meeting.arrive('participant');
    const c = meeting.arrive('participant');
    await meeting.settle();
    const body = await host.session.encryptChat('for b only', b.id);
    await meeting.sendAs(host, { type: 'chat', to: b.id, body });
    await meeting.settle();
    assert.deepEqual(b.chats.map((m) => [m.from, m.text, m.to]), [[host.id, 'for b only', b.id]]);
    assert.deepEqual(host.chats, [], 'the sender does not decrypt its own echo');
    // A server forwarding the same message to c, as if it were for everyone:
    await c.session.handleServerMessage({ type: 'chat', from: host.id, fromName: 'x', body, sentAt: 1 });
    assert.deepEqual(c.chats, []);
    assert.deepEqual(c.problems, [{ code: 'chat-rejected', participantId: host.id }]);
    // And as if b had sent it:
    await c.session.handleServerMessage({ type: 'chat', from: b.id, fromName: 'x', to: c.id, body, sentAt: 1 });
    assert.equal(c.chats.length, 0);
    // A chat without end-to-end encryption is never shown.
    await b.session.handleServerMessage({ type: 'chat', from: c.id, fromName: 'x', body: { kind: 'text', text: 'clear' }, sentAt: 1 });
    assert.equal(b.chats.length, 1);
    assert.deepEqual(b.problems, [{ code: 'plaintext-chat', participantId: c.id }]);
  });
});

/**
 * The browser's side of breakout rooms without a browser: the plan as the client is told it
 * (src/client/breakout/breakout-plan-view.ts), and the host's message to all rooms, a sealed in-meeting signal
 * of the main group (src/e2ee/session/signals.ts) that fits the signal size limit at its longest.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BreakoutPlanView } from '../../src/client/breakout/breakout-plan-view.ts';
import { encodeSealedSignal, MAX_BREAKOUT_BROADCAST } from '../../src/e2ee/session/signals.ts';
import type { E2eeSignalMessage } from '../../src/e2ee/session/index.ts';
import { decodeServerMessage, MAX_SEALED_SIGNAL_BYTES } from '../../src/protocol/index.ts';
import { FakeMeeting } from './e2ee-fake-meeting.ts';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';

describe('the breakout plan as the client sees it', () => {
  test('follows the server’s state and the host’s assignments, whole or as changes, and forgets them when rooms close', () => {
    const view = new BreakoutPlanView();
    let changes = 0;
    view.on('changed', () => changes++);
    view.handle({ type: 'breakout-state', phase: 'open', rooms: ['Red', 'Blue'], allowChoice: true, allowReturn: false, endsAt: 5, closesAt: null, yourRoom: 1 });
    assert.deepEqual([view.state.phase, view.state.yourRoom, view.state.allowReturn], ['open', 1, false]);
    view.handle({ type: 'breakout-assignments', assignments: [{ participantId: A, room: 0 }, { participantId: B, room: 1 }], replace: true });
    view.handle({ type: 'breakout-assignments', assignments: [{ participantId: A, room: 1 }], replace: false });
    assert.deepEqual(view.members(), [[], [A, B]]);
    view.handle({ type: 'breakout-assignments', assignments: [{ participantId: B, room: null }], replace: false });
    assert.equal(view.roomOf(B), null);
    view.retain(new Set([B]));
    assert.equal(view.roomOf(A), null, 'someone who left is out of the plan');
    view.handle({ type: 'breakout-assignments', assignments: [{ participantId: B, room: 0 }], replace: true });
    view.handle({ type: 'breakout-state', phase: 'none', rooms: [], allowChoice: false, allowReturn: true, endsAt: null, closesAt: null, yourRoom: null });
    assert.deepEqual(view.members(), []);
    assert.equal(view.roomOf(B), null);
    assert.equal(changes, 7);
  });

  test('refuses server messages that would name a room beyond the limit or carry unknown fields', () => {
    const state = { type: 'breakout-state', phase: 'open', rooms: ['Red'], allowChoice: false, allowReturn: true, endsAt: null, closesAt: null, yourRoom: 0 };
    assert.equal(decodeServerMessage(JSON.stringify(state)).ok, true);
    assert.equal(decodeServerMessage(JSON.stringify({ ...state, yourRoom: 50 })).ok, false);
    assert.equal(decodeServerMessage(JSON.stringify({ ...state, others: [] })).ok, false);
    assert.equal(decodeServerMessage(JSON.stringify({ type: 'breakout-ticket', room: 0, roomId: 'abc', ticket: 'x'.repeat(43) })).ok, false, 'a room id is a meeting id');
  });
});

describe('a host’s message to all breakout rooms', () => {
  test('is sealed for the main group, fits the signal limit at its longest, and is opened by everyone else', async () => {
    const meeting = await FakeMeeting.create();
    const host = meeting.arrive('host');
    await meeting.settle();
    const pupil = meeting.arrive('participant');
    await meeting.settle();
    const opened: E2eeSignalMessage[] = [];
    pupil.session.on('signal', (m) => opened.push(m));
    // The longest: 300 characters of a 3-byte script.
    const text = 'क'.repeat(MAX_BREAKOUT_BROADCAST);
    const message = await host.session.encryptSignal({ kind: 'breakout-broadcast', text });
    assert.ok(message.data.length <= Math.ceil(MAX_SEALED_SIGNAL_BYTES / 3) * 4, `${message.data.length} base64 characters`);
    await meeting.sendAs(host, message);
    await meeting.settle();
    assert.deepEqual(opened.map((m) => [m.from, m.signal]), [[host.id, { kind: 'breakout-broadcast', text }]]);
  });

  test('refuses text that is too long, empty, or holds direction-changing characters', () => {
    assert.throws(() => encodeSealedSignal({ kind: 'breakout-broadcast', text: 'x'.repeat(MAX_BREAKOUT_BROADCAST + 1) }), TypeError);
    assert.throws(() => encodeSealedSignal({ kind: 'breakout-broadcast', text: '   ' }), TypeError);
    assert.throws(() => encodeSealedSignal({ kind: 'breakout-broadcast', text: 'evil\u202Etxt' }), TypeError);
    assert.ok(encodeSealedSignal({ kind: 'breakout-broadcast', text: 'Five minutes left' }).length > 0);
  });
});

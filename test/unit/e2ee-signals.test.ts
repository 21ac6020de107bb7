/**
 * In-meeting signals (raise hand, reactions): the sealed payload's strict schema (src/e2ee/session/signals.ts),
 * the `signal` messages that carry them (src/protocol/messages.ts), their way through real MLS sessions (sealed,
 * relayed as `signal`, opened, checked), and the rules a receiver applies (src/client/in-meeting-signals.ts):
 * relay order, host-only moderation, the reaction limit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MlsMember } from '../../src/e2ee/mls/index.ts';
import { decodeSealedChat, encodeSealedChat } from '../../src/e2ee/session/chat.ts';
import { decodeSealedSignal, encodeSealedSignal, REACTIONS, type Signal } from '../../src/e2ee/session/signals.ts';
import type { E2eeSignalMessage } from '../../src/e2ee/session/index.ts';
import { InMeetingSignals, REACTION_BURST, REACTION_INTERVAL_MS } from '../../src/client/in-meeting-signals.ts';
import { decodeClientMessage, decodeServerMessage, MAX_SEALED_SIGNAL_BYTES, type Role } from '../../src/protocol/index.ts';
import { hostAndTwoParticipants, recordEvents } from './e2ee-session-fixtures.ts';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const T0 = 1_767_268_800_000;
const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccc';
const HOST = 'dddddddddddddddd';

describe('the sealed signal schema', () => {
  test('every kind of signal survives sealing and opening unchanged', () => {
    const signals: Signal[] = [
      { kind: 'hand-raised' },
      { kind: 'hand-raised', at: T0 },
      { kind: 'hand-lowered' },
      { kind: 'lower-hand', of: A },
      { kind: 'lower-all-hands' },
      ...REACTIONS.map((emoji) => ({ kind: 'reaction' as const, emoji })),
    ];
    for (const signal of signals) assert.deepEqual(decodeSealedSignal(encodeSealedSignal(signal)), signal);
  });

  test('unknown fields, unknown kinds, wrong types and free text are refused', () => {
    const refused: [string, unknown][] = [
      ['an unknown field beside the signal', { v: 1, signal: { kind: 'hand-lowered' }, extra: 1 }],
      ['an unknown field inside the signal', { v: 1, signal: { kind: 'hand-lowered', note: 'hi' } }],
      ['a text field on a reaction', { v: 1, signal: { kind: 'reaction', emoji: '👍', text: 'well done' } }],
      ['an unknown kind', { v: 1, signal: { kind: 'poll', question: 'lunch?' } }],
      ['another version', { v: 2, signal: { kind: 'hand-lowered' } }],
      ['no version', { signal: { kind: 'hand-lowered' } }],
      ['an emoji outside the set', { v: 1, signal: { kind: 'reaction', emoji: '💩' } }],
      ['text as an emoji', { v: 1, signal: { kind: 'reaction', emoji: 'hello everyone' } }],
      ['a bidi override with an emoji', { v: 1, signal: { kind: 'reaction', emoji: '\u202e👍' } }],
      ['an emoji as a number', { v: 1, signal: { kind: 'reaction', emoji: 1 } }],
      ['a time as a string', { v: 1, signal: { kind: 'hand-raised', at: String(T0) } }],
      ['a time with a fraction', { v: 1, signal: { kind: 'hand-raised', at: T0 + 0.5 } }],
      ['a time before 2020', { v: 1, signal: { kind: 'hand-raised', at: 0 } }],
      ['a participant id that is not one', { v: 1, signal: { kind: 'lower-hand', of: 'Ravi' } }],
      ['a missing participant id', { v: 1, signal: { kind: 'lower-hand' } }],
      ['an array', [{ kind: 'hand-lowered' }]],
      ['a chat message', { v: 1, text: 'hello' }],
    ];
    for (const [what, value] of refused) assert.equal(decodeSealedSignal(bytes(value)), undefined, what);
    assert.equal(decodeSealedSignal(bytes('not json')), undefined, 'not JSON');
    assert.equal(decodeSealedSignal(new Uint8Array([0x7b, 0xff, 0x7d])), undefined, 'not UTF-8');
  });

  test('an honest sender refuses to seal a signal the schema refuses', () => {
    assert.throws(() => encodeSealedSignal({ kind: 'reaction', emoji: 'hello' } as unknown as Signal), TypeError);
    assert.throws(() => encodeSealedSignal({ kind: 'lower-hand', of: 'x' }), TypeError);
    assert.throws(() => encodeSealedSignal({ kind: 'hand-lowered', extra: true } as unknown as Signal), TypeError);
  });

  test('a chat payload is never read as a signal, nor a signal as chat', () => {
    assert.equal(decodeSealedSignal(encodeSealedChat('hello')), undefined);
    assert.equal(decodeSealedChat(encodeSealedSignal({ kind: 'hand-raised' })), undefined);
  });
});

describe('the signal messages', () => {
  const data = 'AAECAwQF';
  const client = (value: unknown) => decodeClientMessage(JSON.stringify(value)).ok;
  const server = (value: unknown) => decodeServerMessage(JSON.stringify(value)).ok;
  // The most base64 characters MAX_SEALED_SIGNAL_BYTES can take, then one block more.
  const largest = 'A'.repeat(Math.ceil(MAX_SEALED_SIGNAL_BYTES / 3) * 4);
  const tooLarge = largest + 'AAAA';

  test('a client sends sealed bytes only, for everyone: no recipient, no text, nothing else', () => {
    assert.equal(client({ type: 'signal', data }), true);
    assert.equal(client({ type: 'signal', id: 7, data: largest }), true);
    const refused: [string, unknown][] = [
      ['a recipient', { type: 'signal', to: B, data }],
      ['an unknown field', { type: 'signal', data, note: 'hi' }],
      ['a chat body', { type: 'signal', body: { kind: 'mls', data } }],
      ['a plaintext signal', { type: 'signal', signal: { kind: 'hand-raised' } }],
      ['no data', { type: 'signal' }],
      ['data over the limit', { type: 'signal', data: tooLarge }],
      ['data that is not base64', { type: 'signal', data: 'hand raised!' }],
      ['empty data', { type: 'signal', data: '' }],
    ];
    for (const [what, value] of refused) assert.equal(client(value), false, what);
  });

  test('a client accepts a relayed signal only with its sender and relay time, and for everyone', () => {
    assert.equal(server({ type: 'signal', from: A, data, sentAt: T0 }), true);
    assert.equal(server({ type: 'signal', from: A, data }), false, 'no relay time');
    assert.equal(server({ type: 'signal', data, sentAt: T0 }), false, 'no sender');
    assert.equal(server({ type: 'signal', from: A, to: B, data, sentAt: T0 }), false, 'a recipient');
    assert.equal(server({ type: 'signal', from: A, fromName: 'Ann', data, sentAt: T0 }), false, 'an unknown field');
    assert.equal(server({ type: 'signal', from: A, data: tooLarge, sentAt: T0 }), false, 'data over the limit');
  });
});

async function meetingOfThree() {
  const { meeting, host, first: mallory, second: alice } = await hostAndTwoParticipants();
  return { meeting, host, mallory, alice, signals: recordEvents([host, mallory, alice], 'signal') };
}

describe('signals through end-to-end encrypted sessions', () => {
  test('a raised hand is sealed, relayed as a signal and opened by everyone else with the sender MLS names', async () => {
    const { meeting, host, alice, signals } = await meetingOfThree();
    const message = await alice.session.encryptSignal({ kind: 'hand-raised' });
    assert.equal(message.type, 'signal');
    assert.ok(message.data.length <= Math.ceil(MAX_SEALED_SIGNAL_BYTES / 3) * 4);
    await meeting.sendAs(alice, message);
    await meeting.settle();
    assert.deepEqual(signals.get(host.id)!.map((m) => [m.from, m.signal]), [[alice.id, { kind: 'hand-raised' }]]);
    assert.deepEqual(host.chats, [], 'not shown as chat');
    assert.deepEqual(host.problems, []);
    assert.deepEqual(signals.get(alice.id), [], 'the sender does not open its own echo');
  });

  test('a forged signal with an unknown field is opened, refused and never emitted', async () => {
    const { meeting, host, mallory, signals } = await meetingOfThree();
    const original = MlsMember.prototype.encryptApplication;
    MlsMember.prototype.encryptApplication = function (this: MlsMember) {
      return original.call(this, bytes({ v: 1, signal: { kind: 'reaction', emoji: '👍', text: 'smuggled' } }));
    };
    let message;
    try {
      message = await mallory.session.encryptSignal({ kind: 'reaction', emoji: '👍' });
    } finally {
      MlsMember.prototype.encryptApplication = original;
    }
    await meeting.sendAs(mallory, message);
    await meeting.settle();
    assert.deepEqual(signals.get(host.id), []);
    assert.deepEqual(host.problems, [{ code: 'signal-rejected', participantId: mallory.id }]);
  });

  test('a sealed signal sent as chat is refused, and so is a sealed chat sent as a signal', async () => {
    const { meeting, host, mallory, alice, signals } = await meetingOfThree();
    const signal = await mallory.session.encryptSignal({ kind: 'lower-all-hands' });
    await meeting.sendAs(mallory, { type: 'chat', body: { kind: 'mls', data: signal.data } });
    await meeting.settle();
    assert.deepEqual(host.problems, [{ code: 'chat-rejected', participantId: mallory.id }]);
    const chat = await mallory.session.encryptChat('hello');
    assert.equal(chat.kind, 'mls');
    if (chat.kind !== 'mls') return;
    await meeting.sendAs(mallory, { type: 'signal', data: chat.data });
    await meeting.settle();
    assert.deepEqual(host.problems, [
      { code: 'chat-rejected', participantId: mallory.id },
      { code: 'signal-rejected', participantId: mallory.id },
    ]);
    for (const p of [host, alice]) {
      assert.deepEqual(signals.get(p.id), [], 'no signal opened');
      assert.deepEqual(p.chats, [], 'no chat shown');
    }
  });

  test('a signal the server relays under another sender’s name is refused', async () => {
    const { meeting, host, mallory, alice, signals } = await meetingOfThree();
    const message = await mallory.session.encryptSignal({ kind: 'lower-all-hands' });
    await host.session.handleSignal({ type: 'signal', from: alice.id, data: message.data, sentAt: T0 });
    await meeting.settle();
    assert.deepEqual(signals.get(host.id), []);
    assert.deepEqual(host.problems, [{ code: 'signal-rejected', participantId: alice.id }]);
  });
});

describe('raised hands and reactions as a receiver keeps them', () => {
  const roles: Record<string, Role> = { [A]: 'participant', [B]: 'participant', [C]: 'cohost', [HOST]: 'host' };
  const roleOf = (id: string) => roles[id];
  const at = (from: string, signal: Signal, sentAt: number): E2eeSignalMessage => ({ from, signal, sentAt });

  test('hands are queued in the order the server relayed the raises, and only a fresh raise notifies', () => {
    const model = new InMeetingSignals();
    const fresh: string[] = [];
    model.on('hand-raised', (id) => fresh.push(id));
    model.handleSignal(at(B, { kind: 'hand-raised' }, T0 + 10), roleOf);
    model.handleSignal(at(A, { kind: 'hand-raised' }, T0 + 20), roleOf);
    model.handleSignal(at(B, { kind: 'hand-raised' }, T0 + 30), roleOf); // again: keeps its place
    assert.deepEqual(model.hands.map((h) => h.participantId), [B, A]);
    // Re-announced for a late joiner: goes where its original time puts it.
    const late = new InMeetingSignals();
    late.handleSignal(at(A, { kind: 'hand-raised', at: T0 + 20 }, T0 + 100), roleOf);
    late.handleSignal(at(B, { kind: 'hand-raised', at: T0 + 10 }, T0 + 101), roleOf);
    assert.deepEqual(late.hands.map((h) => h.participantId), [B, A]);
    assert.deepEqual(fresh, [B, A]);
  });

  test('a re-announced hand cannot claim a time after its own relay nor jump ahead from the future', () => {
    const model = new InMeetingSignals();
    model.handleSignal(at(A, { kind: 'hand-raised' }, T0 + 50), roleOf);
    model.handleSignal(at(B, { kind: 'hand-raised', at: T0 + 999_999 }, T0 + 60), roleOf);
    assert.deepEqual(model.hands, [{ participantId: A, at: T0 + 50 }, { participantId: B, at: T0 + 60 }]);
  });

  test('only a host or co-host lowers someone else’s hand or all hands; a participant’s forgery is refused', () => {
    const model = new InMeetingSignals();
    const refused: string[] = [];
    const lowered: { by: string; of: string | null }[] = [];
    model.on('refused', (r) => refused.push(`${r.from}:${r.kind}`));
    model.on('hand-lowered-by', (c) => lowered.push(c));
    model.handleSignal(at(A, { kind: 'hand-raised' }, T0 + 1), roleOf);
    model.handleSignal(at(B, { kind: 'hand-raised' }, T0 + 2), roleOf);
    model.handleSignal(at(B, { kind: 'lower-hand', of: A }, T0 + 3), roleOf);
    model.handleSignal(at(B, { kind: 'lower-all-hands' }, T0 + 4), roleOf);
    assert.deepEqual(model.hands.map((h) => h.participantId), [A, B]);
    assert.deepEqual(refused, [`${B}:lower-hand`, `${B}:lower-all-hands`]);
    model.handleSignal(at(C, { kind: 'lower-hand', of: A }, T0 + 5), roleOf);
    assert.deepEqual(model.hands.map((h) => h.participantId), [B]);
    model.handleSignal(at(B, { kind: 'hand-lowered' }, T0 + 6), roleOf);
    model.handleSignal(at(A, { kind: 'hand-raised' }, T0 + 7), roleOf);
    model.handleSignal(at(HOST, { kind: 'lower-all-hands' }, T0 + 8), roleOf);
    assert.deepEqual(model.hands, []);
    assert.deepEqual(lowered, [{ by: C, of: A }, { by: HOST, of: null }]);
  });

  test('signals from someone not in the meeting are ignored, and hands of people who left go down', () => {
    const model = new InMeetingSignals();
    model.handleSignal(at('eeeeeeeeeeeeeeee', { kind: 'hand-raised' }, T0), roleOf);
    assert.equal(model.hands.length, 0);
    model.handleSignal(at(A, { kind: 'hand-raised' }, T0 + 1), roleOf);
    model.handleSignal(at(B, { kind: 'hand-raised' }, T0 + 2), roleOf);
    model.retain(new Set([B, HOST]));
    assert.deepEqual(model.hands.map((h) => h.participantId), [B]);
  });

  test('each sender’s reactions are shown at the limit rate and the rest dropped', () => {
    let now = T0;
    const model = new InMeetingSignals({ now: () => now });
    const shown: string[] = [];
    model.on('reaction', (r) => shown.push(r.from));
    for (let i = 0; i < 10; i++) model.handleSignal(at(A, { kind: 'reaction', emoji: '👍' }, now), roleOf);
    model.handleSignal(at(B, { kind: 'reaction', emoji: '🎉' }, now), roleOf);
    assert.equal(shown.filter((id) => id === A).length, REACTION_BURST);
    assert.equal(shown.filter((id) => id === B).length, 1, 'another sender has their own allowance');
    now += REACTION_INTERVAL_MS;
    model.handleSignal(at(A, { kind: 'reaction', emoji: '👍' }, now), roleOf);
    model.handleSignal(at(A, { kind: 'reaction', emoji: '👍' }, now), roleOf);
    assert.equal(shown.filter((id) => id === A).length, REACTION_BURST + 1);
  });
});

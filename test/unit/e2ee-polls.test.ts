/**
 * Polls: the sealed payload's strict schema (src/e2ee/session/polls.ts), the `poll` messages that carry it
 * (src/protocol/messages.ts), its way through real MLS sessions (sealed, relayed, opened, checked against the
 * sender and recipient the server names), and the rules and the tally a receiver applies (src/client/polls.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeSealedChat, encodeSealedChat } from '../../src/e2ee/session/chat.ts';
import { decodeSealedPoll, encodeSealedPoll, MAX_POLL_OPTION, MAX_POLL_QUESTION, type PollMessage } from '../../src/e2ee/session/polls.ts';
import { decodeSealedSignal, encodeSealedSignal } from '../../src/e2ee/session/signals.ts';
import type { E2eePollMessage } from '../../src/e2ee/session/index.ts';
import { MAX_POLLS_KEPT, Polls, type PollsEvents } from '../../src/client/polls.ts';
import { decodeClientMessage, decodeServerMessage, MAX_SEALED_POLL_BYTES, type Role } from '../../src/protocol/index.ts';
import { hostAndTwoParticipants, recordEvents } from './e2ee-session-fixtures.ts';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const T0 = 1_767_268_800_000;
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccc';
const HOST = 'dddddddddddddddd';
const COHOST = 'eeeeeeeeeeeeeeee';
const GONE = 'ffffffffffffffff';
const open: PollMessage = { kind: 'poll-open', poll: ID, question: 'Lunch at one?', options: ['Yes', 'No'], multiple: false, anonymous: true };

describe('the sealed poll schema', () => {
  test('every kind of poll message survives sealing and opening unchanged, with or without a recipient', () => {
    const polls: PollMessage[] = [
      open,
      { ...open, options: Array.from({ length: 10 }, (_, i) => `Option ${i + 1}`), multiple: true, anonymous: false },
      { kind: 'poll-answer', poll: ID, choices: [0] },
      { kind: 'poll-answer', poll: ID, choices: [9, 0, 3] },
      { kind: 'poll-close', poll: ID },
      { kind: 'poll-results', poll: ID, counts: [2, 0, 1], voters: 3 },
    ];
    for (const poll of polls) {
      assert.deepEqual(decodeSealedPoll(encodeSealedPoll(poll)), { v: 1, poll });
      assert.deepEqual(decodeSealedPoll(encodeSealedPoll(poll, HOST)), { v: 1, poll, to: HOST });
    }
    assert.deepEqual(decodeSealedPoll(encodeSealedPoll({ ...open, question: 'दोपहर का भोजन एक बजे?', options: ['हाँ', 'नहीं'] }))?.poll, { ...open, question: 'दोपहर का भोजन एक बजे?', options: ['हाँ', 'नहीं'] });
  });

  test('unknown fields and kinds, bad counts and options, and text the typed-text rule refuses are all refused', () => {
    const sealed = (poll: unknown, extra: Record<string, unknown> = {}) => ({ v: 1, poll, ...extra });
    const refused: [string, unknown][] = [
      ['an unknown field beside the poll', sealed(open, { extra: 1 })],
      ['an unknown field inside the poll', sealed({ ...open, note: 'hi' })],
      ['an unknown kind', sealed({ kind: 'poll-vote', poll: ID, choices: [0] })],
      ['another version', { v: 2, poll: open }],
      ['no version', { poll: open }],
      ['a poll id that is not one', sealed({ ...open, poll: 'lunch' })],
      ['a recipient that is not a participant id', sealed(open, { to: 'Ravi' })],
      ['one option', sealed({ ...open, options: ['Yes'] })],
      ['eleven options', sealed({ ...open, options: Array.from({ length: 11 }, (_, i) => `${i}`) })],
      ['an empty question', sealed({ ...open, question: '   ' })],
      ['an empty option', sealed({ ...open, options: ['Yes', ''] })],
      ['a question too long', sealed({ ...open, question: 'q'.repeat(MAX_POLL_QUESTION + 1) })],
      ['an option too long', sealed({ ...open, options: ['Yes', 'n'.repeat(MAX_POLL_OPTION + 1)] })],
      ['a bidi override in the question', sealed({ ...open, question: 'invoice\u202Efdp.exe' })],
      ['a bidi isolate in an option', sealed({ ...open, options: ['Yes', '\u2066No'] })],
      ['a line break in an option', sealed({ ...open, options: ['Yes', 'No\nreally'] })],
      ['an escape sequence in the question', sealed({ ...open, question: 'Lunch\u001b[2J?' })],
      ['a line separator in the question', sealed({ ...open, question: 'Lunch\u2028now?' })],
      ['a lone surrogate in an option', sealed({ ...open, options: ['Yes', 'No\ud800'] })],
      ['an anonymous flag as a string', sealed({ ...open, anonymous: 'yes' })],
      ['no choice', sealed({ kind: 'poll-answer', poll: ID, choices: [] })],
      ['a choice past the most options', sealed({ kind: 'poll-answer', poll: ID, choices: [10] })],
      ['a negative choice', sealed({ kind: 'poll-answer', poll: ID, choices: [-1] })],
      ['a choice with a fraction', sealed({ kind: 'poll-answer', poll: ID, choices: [0.5] })],
      ['the same choice twice', sealed({ kind: 'poll-answer', poll: ID, choices: [1, 1] })],
      ['a choice as text', sealed({ kind: 'poll-answer', poll: ID, choices: ['Yes'] })],
      ['results with one count', sealed({ kind: 'poll-results', poll: ID, counts: [1], voters: 1 })],
      ['a negative count', sealed({ kind: 'poll-results', poll: ID, counts: [-1, 2], voters: 1 })],
      ['a huge count', sealed({ kind: 'poll-results', poll: ID, counts: [1e9, 0], voters: 1e9 })],
      ['results with names', sealed({ kind: 'poll-results', poll: ID, counts: [1, 0], voters: 1, names: [['Ravi'], []] })],
      ['an array', [open]],
      ['a chat message', { v: 1, text: 'hello' }],
      ['a signal', { v: 1, signal: { kind: 'hand-raised' } }],
    ];
    for (const [what, value] of refused) assert.equal(decodeSealedPoll(bytes(value)), undefined, what);
    assert.equal(decodeSealedPoll(bytes('not json')), undefined, 'not JSON');
    assert.equal(decodeSealedPoll(new Uint8Array([0x7b, 0xff, 0x7d])), undefined, 'not UTF-8');
  });

  test('an honest sender refuses to seal a poll the schema refuses', () => {
    assert.throws(() => encodeSealedPoll({ ...open, question: 'a\u202eb' }), TypeError);
    assert.throws(() => encodeSealedPoll({ ...open, options: ['only one'] }), TypeError);
    assert.throws(() => encodeSealedPoll({ kind: 'poll-answer', poll: ID, choices: [12] }), TypeError);
    assert.throws(() => encodeSealedPoll(open, 'not-an-id'), TypeError);
  });

  test('a poll is never read as chat or a signal, nor chat or a signal as a poll', () => {
    assert.equal(decodeSealedPoll(encodeSealedChat('hello')), undefined);
    assert.equal(decodeSealedPoll(encodeSealedSignal({ kind: 'hand-raised' })), undefined);
    assert.equal(decodeSealedChat(encodeSealedPoll(open)), undefined);
    assert.equal(decodeSealedSignal(encodeSealedPoll(open)), undefined);
  });
});

describe('the poll messages', () => {
  const data = 'AAECAwQF';
  const client = (value: unknown) => decodeClientMessage(JSON.stringify(value)).ok;
  const server = (value: unknown) => decodeServerMessage(JSON.stringify(value)).ok;
  const largest = 'A'.repeat(Math.ceil(MAX_SEALED_POLL_BYTES / 3) * 4);

  test('a client sends sealed bytes only, for everyone or for one participant', () => {
    assert.equal(client({ type: 'poll', data }), true);
    assert.equal(client({ type: 'poll', to: HOST, data }), true);
    assert.equal(client({ type: 'poll', data: largest }), true);
    assert.equal(client({ type: 'poll', data: largest + 'AAAA' }), false, 'over the size limit');
    assert.equal(client({ type: 'poll', to: 'Ravi', data }), false, 'a recipient that is not a participant id');
    assert.equal(client({ type: 'poll', data, question: 'Lunch?' }), false, 'plaintext beside the sealed bytes');
    assert.equal(client({ type: 'poll', data: 'not base64!' }), false);
    assert.equal(client({ type: 'poll' }), false);
  });

  test('a client accepts a relayed poll only with its sender and relay time', () => {
    assert.equal(server({ type: 'poll', from: HOST, data, sentAt: T0 }), true);
    assert.equal(server({ type: 'poll', from: A, to: HOST, data, sentAt: T0 }), true);
    assert.equal(server({ type: 'poll', data, sentAt: T0 }), false);
    assert.equal(server({ type: 'poll', from: HOST, data }), false);
    assert.equal(server({ type: 'poll', from: HOST, data: largest + 'AAAA', sentAt: T0 }), false);
  });
});

async function meetingOfThree() {
  const { meeting, host, first: mallory, second: alice } = await hostAndTwoParticipants();
  return { meeting, host, mallory, alice, polls: recordEvents([host, mallory, alice], 'poll') };
}

describe('polls through end-to-end encrypted sessions', () => {
  test('the largest poll, in a script of three bytes a character, fits the size limit once sealed', async () => {
    const { host } = await meetingOfThree();
    const hindi = (n: number) => 'क'.repeat(n);
    const largest: PollMessage = { ...open, question: hindi(MAX_POLL_QUESTION), options: Array.from({ length: 10 }, () => hindi(MAX_POLL_OPTION)) };
    const message = await host.session.encryptPoll(largest);
    const limit = Math.ceil(MAX_SEALED_POLL_BYTES / 3) * 4;
    console.log(`# largest sealed poll: ${message.data.length} base64 characters (limit ${limit}); a two-option poll: ${(await host.session.encryptPoll(open)).data.length}`);
    assert.ok(message.data.length <= limit, `${message.data.length} > ${limit}`);
    assert.equal(decodeClientMessage(JSON.stringify(message)).ok, true);
  });

  test('a poll is opened by everyone else, and an answer sealed for the host is opened by the host with the sender MLS names', async () => {
    const { host, alice, mallory, polls } = await meetingOfThree();
    const opening = await host.session.encryptPoll(open);
    assert.equal(opening.type, 'poll');
    assert.equal('to' in opening, false);
    for (const p of [alice, mallory]) await p.session.handlePoll({ type: 'poll', from: host.id, data: opening.data, sentAt: T0 });
    assert.deepEqual(polls.get(alice.id)!.map((m) => [m.from, m.to, m.poll]), [[host.id, undefined, open]]);
    assert.deepEqual(polls.get(mallory.id)!.map((m) => m.poll), [open]);

    const answer = await alice.session.encryptPoll({ kind: 'poll-answer', poll: ID, choices: [1] }, host.id);
    assert.equal(answer.to, host.id);
    await host.session.handlePoll({ type: 'poll', from: alice.id, to: host.id, data: answer.data, sentAt: T0 });
    assert.deepEqual(polls.get(host.id)!.map((m) => [m.from, m.to, m.poll]), [[alice.id, host.id, { kind: 'poll-answer', poll: ID, choices: [1] }]]);
    assert.deepEqual(host.problems, []);
  });

  test('an answer the server hands to someone else, or relays without its recipient or under another name, is refused', async () => {
    const { host, alice, mallory, polls } = await meetingOfThree();
    const answer = await alice.session.encryptPoll({ kind: 'poll-answer', poll: ID, choices: [0] }, host.id);
    // Forwarded to Mallory, naming Mallory as the recipient: the sealed recipient says the host.
    await mallory.session.handlePoll({ type: 'poll', from: alice.id, to: mallory.id, data: answer.data, sentAt: T0 });
    // Forwarded to Mallory as it was: it is not for her.
    await mallory.session.handlePoll({ type: 'poll', from: alice.id, to: host.id, data: answer.data, sentAt: T0 });
    // Relayed to the host as if for everyone.
    await host.session.handlePoll({ type: 'poll', from: alice.id, data: answer.data, sentAt: T0 });
    // Relayed to the host under Mallory's name.
    await host.session.handlePoll({ type: 'poll', from: mallory.id, to: host.id, data: answer.data, sentAt: T0 });
    assert.deepEqual(polls.get(mallory.id), []);
    assert.deepEqual(polls.get(host.id), []);
    assert.deepEqual(mallory.problems.map((p) => p.code), ['poll-rejected', 'poll-rejected']);
    assert.deepEqual(host.problems, [
      { code: 'poll-rejected', participantId: alice.id },
      { code: 'poll-rejected', participantId: mallory.id },
    ]);
  });

  test('a sealed signal or chat sent as a poll is refused', async () => {
    const { host, mallory, polls } = await meetingOfThree();
    const signal = await mallory.session.encryptSignal({ kind: 'hand-raised' });
    await host.session.handlePoll({ type: 'poll', from: mallory.id, data: signal.data, sentAt: T0 });
    const chat = await mallory.session.encryptChat('hello');
    assert.equal(chat.kind, 'mls');
    if (chat.kind === 'mls') await host.session.handlePoll({ type: 'poll', from: mallory.id, data: chat.data, sentAt: T0 });
    const poll = await mallory.session.encryptPoll(open);
    await host.session.handleSignal({ type: 'signal', from: mallory.id, data: poll.data, sentAt: T0 });
    assert.deepEqual(polls.get(host.id), []);
    assert.deepEqual(host.problems.map((p) => p.code), ['poll-rejected', 'poll-rejected', 'signal-rejected']);
  });
});

describe('polls as a receiver keeps them and the owner tallies them', () => {
  const roles: Record<string, Role> = { [A]: 'participant', [B]: 'participant', [C]: 'participant', [HOST]: 'host', [COHOST]: 'cohost' };
  const names: Record<string, string> = { [A]: 'Asha', [B]: 'Bilal', [C]: 'Chen', [HOST]: 'Hema', [COHOST]: 'Kofi' };

  /** A Polls of `self`, what it sent, and what it refused. */
  function pollsOf(self: string) {
    const sent: { poll: PollMessage; to?: string }[] = [];
    const refused: PollsEvents['refused'][0][] = [];
    let counter = 0;
    const polls = new Polls({
      send: async (poll, to) => {
        sent.push(to === undefined ? { poll } : { poll, to });
      },
      selfId: () => self,
      roleOf: (id) => roles[id],
      nameOf: (id) => names[id],
      random: (b) => b.fill(++counter),
    });
    polls.on('refused', (r) => refused.push(r));
    return { polls, sent, refused };
  }
  const from = (sender: string, poll: PollMessage, to?: string): E2eePollMessage => ({ from: sender, poll, sentAt: T0, ...(to ? { to } : {}) });
  const answer = (poll: string, choices: number[]): PollMessage => ({ kind: 'poll-answer', poll, choices });

  test('an anonymous single-choice poll: the owner sees counts only, and a changed answer replaces the earlier one', async () => {
    const { polls, sent } = pollsOf(HOST);
    const id = await polls.open({ question: ' Lunch at one? ', options: ['Yes ', 'No'], multiple: false, anonymous: true });
    assert.deepEqual(sent, [{ poll: { kind: 'poll-open', poll: id, question: 'Lunch at one?', options: ['Yes', 'No'], multiple: false, anonymous: true } }]);
    polls.handlePoll(from(A, answer(id, [0]), HOST));
    polls.handlePoll(from(B, answer(id, [0]), HOST));
    polls.handlePoll(from(C, answer(id, [1]), HOST));
    polls.handlePoll(from(B, answer(id, [1]), HOST)); // Bilal changes his mind
    assert.deepEqual(polls.get(id)!.tally, { counts: [1, 2], voters: 3 });
    await polls.close(id);
    polls.handlePoll(from(A, answer(id, [1]), HOST)); // too late
    assert.deepEqual(polls.get(id)!.tally, { counts: [1, 2], voters: 3 });
    assert.equal(polls.get(id)!.state, 'closed');
    await polls.share(id);
    assert.deepEqual(sent.slice(1).map((s) => s.poll), [
      { kind: 'poll-close', poll: id },
      { kind: 'poll-results', poll: id, counts: [1, 2], voters: 3 },
    ]);
    assert.equal(JSON.stringify(polls.list).includes('Asha'), false, 'no name anywhere in an anonymous poll');
  });

  test('a named multiple-choice poll: the owner sees who chose each option, the owner’s own answer included', async () => {
    const { polls, sent } = pollsOf(COHOST);
    const id = await polls.open({ question: 'Which days?', options: ['Mon', 'Tue', 'Wed'], multiple: true, anonymous: false });
    polls.handlePoll(from(A, answer(id, [0, 2]), COHOST));
    polls.handlePoll(from(B, answer(id, [2]), COHOST));
    polls.handlePoll(from(HOST, answer(id, [1, 2, 0]), COHOST));
    await polls.answer(id, [1]);
    assert.equal(sent.length, 1, 'our own answer to our own poll is counted here, not sent');
    assert.deepEqual(polls.get(id)!.tally, { counts: [2, 2, 3], voters: 4, names: [['Asha', 'Hema'], ['Hema', 'Kofi'], ['Asha', 'Bilal', 'Hema']] });
    polls.handlePoll(from(A, answer(id, [1]), COHOST)); // Asha changes hers
    assert.deepEqual(polls.get(id)!.tally, { counts: [1, 3, 2], voters: 4, names: [['Hema'], ['Asha', 'Hema', 'Kofi'], ['Bilal', 'Hema']] });
  });

  test('answers out of range, several to a single-choice poll, from someone not in the meeting, or not for the owner are refused', async () => {
    const { polls, refused } = pollsOf(HOST);
    const id = await polls.open({ question: 'Q', options: ['a', 'b', 'c'], multiple: false, anonymous: false });
    polls.handlePoll(from(A, answer(id, [3]), HOST)); // no fourth option
    polls.handlePoll(from(A, answer(id, [0, 1]), HOST)); // single choice
    polls.handlePoll(from(GONE, answer(id, [0]), HOST)); // not in the meeting: ignored
    polls.handlePoll(from(B, answer(id, [0]))); // relayed as if for everyone
    polls.handlePoll(from(B, answer('BBBBBBBBBBBBBBBBBBBBBB', [0]), HOST)); // no such poll
    assert.deepEqual(polls.get(id)!.tally, { counts: [0, 0, 0], voters: 0, names: [[], [], []] });
    assert.deepEqual(refused.map((r) => [r.from, r.kind]), [
      [A, 'poll-answer'],
      [A, 'poll-answer'],
      [B, 'poll-answer'],
      [B, 'poll-answer'],
    ]);
  });

  test('an answer to a poll someone else owns is refused by whoever gets it', () => {
    const { polls, refused } = pollsOf(COHOST);
    polls.handlePoll(from(HOST, open));
    polls.handlePoll(from(A, answer(ID, [0]), COHOST));
    assert.equal(polls.get(ID)!.tally, null);
    assert.deepEqual(refused.map((r) => r.kind), ['poll-answer']);
  });

  test('a participant’s poll is never shown, and nobody else can close a poll or share its results', () => {
    const { polls, refused } = pollsOf(A);
    const opened: string[] = [];
    polls.on('opened', (p) => opened.push(p.id));
    polls.handlePoll(from(B, open));
    assert.deepEqual(polls.list, []);
    polls.handlePoll(from(GONE, open));
    assert.deepEqual(polls.list, [], 'someone not in the meeting is ignored');
    polls.handlePoll(from(HOST, open));
    assert.deepEqual(opened, [ID]);
    polls.handlePoll(from(COHOST, { ...open, question: 'Hijacked?' })); // the same id from another host
    polls.handlePoll(from(HOST, open)); // re-sent for late joiners: nothing changes
    polls.handlePoll(from(COHOST, { kind: 'poll-close', poll: ID }));
    polls.handlePoll(from(B, { kind: 'poll-results', poll: ID, counts: [0, 3], voters: 3 }));
    assert.deepEqual(opened, [ID]);
    assert.equal(polls.get(ID)!.question, open.question);
    assert.equal(polls.get(ID)!.state, 'open');
    assert.equal(polls.get(ID)!.shared, null);
    assert.deepEqual(refused.map((r) => [r.from, r.kind]), [
      [B, 'poll-open'],
      [COHOST, 'poll-open'],
      [COHOST, 'poll-close'],
      [B, 'poll-results'],
    ]);
  });

  test('shared results are shown only if they fit the poll, and they close it', () => {
    const { polls, refused } = pollsOf(A);
    polls.handlePoll(from(HOST, open));
    polls.handlePoll(from(HOST, { kind: 'poll-results', poll: ID, counts: [1, 1, 1], voters: 3 })); // a third option
    polls.handlePoll(from(HOST, { kind: 'poll-results', poll: ID, counts: [2, 2], voters: 3 })); // single choice: 4 answers of 3 people
    polls.handlePoll(from(HOST, { kind: 'poll-results', poll: ID, counts: [4, 0], voters: 3 })); // more than answered
    assert.equal(polls.get(ID)!.shared, null);
    assert.equal(refused.length, 3);
    polls.handlePoll(from(HOST, { kind: 'poll-results', poll: ID, counts: [2, 1], voters: 3 }));
    assert.deepEqual(polls.get(ID)!.shared, { counts: [2, 1], voters: 3 });
    assert.equal(polls.get(ID)!.state, 'closed');
    assert.equal(polls.get(ID)!.tally, null, 'a participant has no tally of its own');
  });

  test('a participant answers to the owner alone, may change the answer while the poll is open, and not after', async () => {
    const { polls, sent } = pollsOf(A);
    polls.handlePoll(from(HOST, { ...open, multiple: true, options: ['x', 'y', 'z'] }));
    await polls.answer(ID, [2, 0]);
    await polls.answer(ID, [1]);
    assert.deepEqual(sent, [
      { poll: answer(ID, [0, 2]), to: HOST },
      { poll: answer(ID, [1]), to: HOST },
    ]);
    assert.deepEqual(polls.get(ID)!.myChoices, [1]);
    await assert.rejects(polls.answer(ID, [3]), TypeError);
    await assert.rejects(polls.answer(ID, [1, 1]), TypeError);
    polls.handlePoll(from(HOST, { kind: 'poll-close', poll: ID }));
    await assert.rejects(polls.answer(ID, [0]), /not open/);
    assert.equal(sent.length, 2);
  });

  test('only a host or co-host opens a poll, and text the typed-text rule refuses never leaves', async () => {
    await assert.rejects(pollsOf(A).polls.open({ question: 'Q', options: ['a', 'b'], multiple: false, anonymous: true }), /only hosts/);
    const { polls, sent } = pollsOf(HOST);
    await assert.rejects(polls.open({ question: 'a\u202eb', options: ['a', 'b'], multiple: false, anonymous: true }), TypeError);
    await assert.rejects(polls.open({ question: 'Q', options: ['a'], multiple: false, anonymous: true }), TypeError);
    assert.deepEqual(sent, []);
    assert.deepEqual(polls.list, []);
  });

  test('a poll whose owner left closes; the owner re-sends its open polls when people join', async () => {
    const { polls: participant } = pollsOf(A);
    participant.handlePoll(from(HOST, open));
    participant.retain(new Set([A, B]));
    assert.equal(participant.get(ID)!.state, 'closed');
    const { polls, sent } = pollsOf(HOST);
    const first = await polls.open({ question: 'Q1', options: ['a', 'b'], multiple: false, anonymous: true });
    const second = await polls.open({ question: 'Q2', options: ['a', 'b'], multiple: false, anonymous: true });
    await polls.close(first);
    sent.length = 0;
    polls.reannounce();
    await Promise.resolve();
    assert.deepEqual(sent.map((s) => [s.poll.kind, s.poll.poll, s.to]), [['poll-open', second, undefined]]);
  });

  test('a receiver keeps a bounded number of polls, however many a host opens', () => {
    const { polls } = pollsOf(A);
    for (let i = 0; i < MAX_POLLS_KEPT * 3; i++) polls.handlePoll(from(HOST, { ...open, poll: `${String(i).padStart(4, '0')}${'A'.repeat(18)}` }));
    assert.equal(polls.list.length, MAX_POLLS_KEPT);
    assert.equal(polls.list.at(-1)!.id, `${String(MAX_POLLS_KEPT * 3 - 1).padStart(4, '0')}${'A'.repeat(18)}`, 'the newest are kept');
  });
});

/**
 * The server's recording-consent state machine (src/server/meetings/recording.ts) on its own: a real Roster of
 * real Participants whose messages land in inboxes, and no sockets. Proofs are opaque to the server, so any
 * base64 stands in for one.
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { serverMessage, type ServerMessage, type ServerMessageOf } from '../../src/protocol/index.ts';
import { ProtocolError } from '../../src/server/errors.ts';
import { Participant } from '../../src/server/meetings/participant.ts';
import { RecordingConsent } from '../../src/server/meetings/recording.ts';
import { Roster } from '../../src/server/meetings/roster.ts';
import { Logger } from '../../src/log/logger.ts';

const testLogger = new Logger('test', 'error');

const PROOF = Buffer.alloc(300, 1).toString('base64');
const REQUEST = 'abcdefghijklmnopqrstuv';
const OTHER_REQUEST = 'ABCDEFGHIJKLMNOPQRSTUV';

type Inboxed = Participant & { inbox: ServerMessage[] };

function person(roster: Roster, name: string, state: 'joined' | 'waiting-room', role: Participant['role'] = 'participant'): Inboxed {
  const p = new Participant(name, `device-${name}`.padEnd(43, 'x'), '127.0.0.1', testLogger) as Inboxed;
  p.inbox = [];
  p.sink = {
    send: (m) => {
      // Whatever the state machine sends must be a message the client accepts.
      assert.ok(serverMessage.safeParse(m).success, `schema refuses ${JSON.stringify(m)}`);
      p.inbox.push(m);
    },
    close: () => undefined,
  };
  p.role = role;
  if (state === 'waiting-room') p.transition('waiting-room');
  else p.transition('joined');
  roster.add(p);
  return p;
}

function meeting(options: { group?: boolean } = {}) {
  const roster = new Roster((p) => p.info(false));
  const recording = new RecordingConsent({ roster, groupExists: () => options.group ?? true });
  const host = person(roster, 'Host', 'joined', 'host');
  const alice = person(roster, 'Alice', 'joined');
  const bob = person(roster, 'Bob', 'joined');
  return { roster, recording, host, alice, bob };
}

const codeOf = (f: () => void) => {
  try {
    f();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'ok';
};
const last = <T extends ServerMessage['type']>(p: Inboxed, type: T) => p.inbox.findLast((m) => m.type === type) as ServerMessageOf<T> | undefined;

describe('recording consent state machine', () => {
  it('goes from asking to recording only once every joined person said yes, and tells everyone who records', () => {
    const { recording, host, alice, bob } = meeting();
    recording.ask(host, REQUEST, PROOF);
    assert.equal(recording.phase.name, 'asking');
    for (const p of [alice, bob]) assert.equal(last(p, 'recording-ask')?.from, host.id, 'everyone else gets the sealed ask');
    assert.equal(last(host, 'recording-ask'), undefined, 'the asker is not asked');
    assert.equal(last(alice, 'recording-state')?.recording.state, 'asking');

    assert.equal(codeOf(() => recording.start(host, REQUEST)), 'forbidden', 'nobody answered yet');
    recording.answer(alice, REQUEST, true, PROOF);
    assert.equal(codeOf(() => recording.start(host, REQUEST)), 'forbidden', 'Bob has not answered');
    recording.answer(bob, REQUEST, true, PROOF);
    assert.equal(last(host, 'recording-answer')?.from, bob.id, 'hosts see each answer');
    assert.equal(last(alice, 'recording-answer'), undefined, 'participants do not see others’ answers');
    recording.start(host, REQUEST);
    const state = last(bob, 'recording-state')!.recording;
    assert.equal(state.state, 'recording');
    assert.ok(state.state === 'recording' && state.by === host.id && state.byName === 'Host');
  });

  it('ends the request at the first no and tells the hosts who declined and who had not answered', () => {
    const { recording, host, alice, bob } = meeting();
    recording.ask(host, REQUEST, PROOF);
    recording.answer(alice, REQUEST, false, PROOF);
    assert.equal(recording.phase.name, 'idle');
    assert.deepEqual(last(host, 'recording-outcome'), { type: 'recording-outcome', request: REQUEST, declined: [alice.id], unanswered: [bob.id] });
    assert.equal(last(bob, 'recording-outcome'), undefined, 'only hosts learn who declined');
    assert.equal(last(bob, 'recording-state')?.recording.state, 'idle');
    assert.equal(codeOf(() => recording.start(host, REQUEST)), 'invalid-state', 'a declined request cannot be started');
  });

  it('ends an unanswered request when its time is up, listing everyone silent', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { recording, host, alice, bob } = meeting();
      recording.ask(host, REQUEST, PROOF);
      recording.answer(alice, REQUEST, true, PROOF);
      mock.timers.tick(59_000);
      assert.equal(recording.phase.name, 'asking');
      mock.timers.tick(1_000);
      assert.equal(recording.phase.name, 'idle');
      assert.deepEqual(last(host, 'recording-outcome'), { type: 'recording-outcome', request: REQUEST, declined: [], unanswered: [bob.id] });
    } finally {
      mock.timers.reset();
    }
  });

  it('lets only a host or co-host ask, only with an MLS group, and only one request at a time', () => {
    const { recording, host, alice } = meeting();
    assert.equal(codeOf(() => recording.ask(alice, REQUEST, PROOF)), 'forbidden');
    assert.equal(recording.phase.name, 'idle');
    const noGroup = meeting({ group: false });
    assert.equal(codeOf(() => noGroup.recording.ask(noGroup.host, REQUEST, PROOF)), 'forbidden');
    recording.ask(host, REQUEST, PROOF);
    assert.equal(codeOf(() => recording.ask(host, OTHER_REQUEST, PROOF)), 'invalid-state');
  });

  it('lets only the asking host start, refuses answers to another request, unsealed answers and second answers', () => {
    const { roster, recording, host, alice, bob } = meeting();
    const cohost = person(roster, 'Cohost', 'joined', 'cohost');
    recording.ask(host, REQUEST, PROOF);
    for (const p of [alice, bob, cohost]) recording.answer(p, REQUEST, true, PROOF);
    assert.equal(codeOf(() => recording.start(cohost, REQUEST)), 'forbidden', 'a co-host did not ask');
    assert.equal(codeOf(() => recording.start(alice, REQUEST)), 'forbidden');
    assert.equal(codeOf(() => recording.answer(alice, OTHER_REQUEST, true, PROOF)), 'invalid-state');
    assert.equal(codeOf(() => recording.answer(alice, REQUEST, false, PROOF)), 'invalid-state', 'a joined person answers once');
    const late = person(roster, 'Late', 'joined');
    assert.equal(codeOf(() => recording.answer(late, REQUEST, true, undefined)), 'forbidden', 'a member’s answer must be sealed');
    assert.equal(codeOf(() => recording.start(host, REQUEST)), 'forbidden', 'the late joiner has not answered');
    recording.answer(late, REQUEST, true, PROOF);
    recording.start(host, REQUEST);
    assert.equal(recording.phase.name, 'recording');
  });

  it('asks people in the waiting room and admits them only after their yes, which counts for the request', () => {
    const { roster, recording, host, alice, bob } = meeting();
    const early = person(roster, 'Early', 'waiting-room');
    assert.equal(recording.mayAdmit(early), true, 'nothing recorded: no consent needed');
    recording.ask(host, REQUEST, PROOF);
    assert.deepEqual(last(early, 'recording-consent-needed'), { type: 'recording-consent-needed', request: REQUEST, byName: 'Host', recording: false });
    assert.equal(last(early, 'recording-ask'), undefined, 'the sealed ask is for members only');
    assert.equal(recording.mayAdmit(early), false);
    assert.equal(codeOf(() => recording.answer(early, REQUEST, true, PROOF)), 'forbidden', 'the waiting room has no group to seal for');
    recording.answer(early, REQUEST, false, undefined);
    assert.equal(recording.phase.name, 'asking', 'a waiting person’s no does not end the request');
    assert.deepEqual(last(host, 'recording-answer'), { type: 'recording-answer', from: early.id, request: REQUEST, consent: false, waiting: true });
    assert.equal(recording.mayAdmit(early), false);
    recording.answer(early, REQUEST, true, undefined);
    assert.equal(recording.mayAdmit(early), true, 'a waiting person may change their mind');
    assert.deepEqual(recording.answersSnapshot(), [{ type: 'recording-answer', from: early.id, request: REQUEST, consent: true, waiting: true }]);
    // Admitted, the yes given in the waiting room is their answer.
    early.transition('joined');
    for (const p of [alice, bob]) recording.answer(p, REQUEST, true, PROOF);
    recording.start(host, REQUEST);
    // Someone arriving now is asked about a running recording.
    const later = person(roster, 'Later', 'waiting-room');
    recording.askWaiting(later);
    assert.equal(last(later, 'recording-consent-needed')?.recording, true);
  });

  it('stops when a participant withdraws consent, when a host stops it, and when the recorder leaves', () => {
    const setUp = () => {
      const m = meeting();
      m.recording.ask(m.host, REQUEST, PROOF);
      for (const p of [m.alice, m.bob]) m.recording.answer(p, REQUEST, true, PROOF);
      m.recording.start(m.host, REQUEST);
      return m;
    };
    const a = setUp();
    a.recording.answer(a.bob, REQUEST, false, PROOF);
    assert.equal(a.recording.phase.name, 'idle');
    assert.deepEqual(last(a.host, 'recording-outcome')?.declined, [a.bob.id]);

    const b = setUp();
    assert.equal(codeOf(() => b.recording.stop(b.alice)), 'forbidden', 'a participant cannot stop someone else’s recording');
    b.recording.stop(b.host);
    assert.equal(last(b.alice, 'recording-state')?.recording.state, 'idle');
    assert.equal(codeOf(() => b.recording.stop(b.host)), 'invalid-state');

    const c = setUp();
    c.roster.delete(c.host);
    c.host.transition('gone');
    c.recording.participantGone(c.host);
    assert.equal(c.recording.phase.name, 'idle');
    assert.equal(last(c.alice, 'recording-state')?.recording.state, 'idle');
  });
});

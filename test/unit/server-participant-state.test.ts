import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '../../src/log/logger.ts';
import { PARTICIPANT_TRANSITIONS, Participant, mayTransition, type ParticipantState } from '../../src/server/meetings/participant.ts';
import { deviceId, Inbox, newMeeting } from '../helpers/meeting-unit.ts';

const STATES: readonly ParticipantState[] = ['entering', 'waiting-host', 'waiting-room', 'joined', 'gone'];
/** A legal way from `entering` to each state, to set up a participant in it. */
const PATH_TO: Record<ParticipantState, ParticipantState[]> = {
  entering: [],
  'waiting-host': ['waiting-host'],
  'waiting-room': ['waiting-room'],
  joined: ['joined'],
  gone: ['joined', 'gone'],
};

function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { log: new Logger('test', 'debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)), lines };
}

function participantIn(state: ParticipantState, log: Logger): Participant {
  const p = new Participant('Ada Lovelace', deviceId(), '127.0.0.1', log);
  for (const step of PATH_TO[state]) assert.equal(p.transition(step), true, `setting up ${state}`);
  assert.equal(p.state, state);
  return p;
}

const illegal = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === 'illegal participant transition refused');

describe('the server participant state machine', () => {
  it('allows exactly the moves of the table, from every state to every state', () => {
    const expected = new Set([
      'entering→waiting-host',
      'entering→waiting-room',
      'entering→joined',
      'waiting-host→waiting-room',
      'waiting-host→joined',
      'waiting-host→gone',
      'waiting-room→joined',
      'waiting-room→gone',
      'joined→gone',
    ]);
    for (const from of STATES) {
      for (const to of STATES) {
        const { log, lines } = capturingLogger();
        const p = participantIn(from, log);
        const legal = expected.has(`${from}→${to}`);
        assert.equal(mayTransition(from, to), legal, `${from}→${to} in the table`);
        assert.equal(p.transition(to), legal, `${from}→${to} accepted or refused`);
        assert.equal(p.state, legal ? to : from, `${from}→${to}: the state after`);
        assert.equal(illegal(lines).length, legal ? 0 : 1, `${from}→${to}: logged only if refused`);
      }
    }
    const tableSize = Object.values(PARTICIPANT_TRANSITIONS).reduce((n, targets) => n + targets.length, 0);
    assert.equal(tableSize, expected.size, 'the table holds nothing else');
  });

  it('never leaves gone and never goes back from joined to a waiting state', () => {
    const { log } = capturingLogger();
    const gone = participantIn('gone', log);
    for (const to of STATES) assert.equal(gone.transition(to), false);
    const joined = participantIn('joined', log);
    assert.equal(joined.transition('waiting-room'), false);
    assert.equal(joined.transition('waiting-host'), false);
    assert.equal(joined.state, 'joined');
  });

  it('logs a refused move as an error with the participant id and both states, and never the name', () => {
    const { log, lines } = capturingLogger();
    const p = participantIn('waiting-room', log);
    assert.equal(p.transition('entering'), false);
    const [entry, ...more] = illegal(lines);
    assert.equal(more.length, 0);
    assert.equal(entry!.level, 'error');
    assert.equal(entry!.participant, p.id);
    assert.equal(entry!.from, 'waiting-room');
    assert.equal(entry!.to, 'entering');
    assert.ok(!JSON.stringify(lines).includes('Ada'), 'the name is not in the log');
  });

  it('takes a meeting through a whole day of entries, admissions, departures and its end with legal moves only', () => {
    const { log, lines } = capturingLogger();
    const meeting = newMeeting({ title: 'Day', log });
    const enter = (asHost = false) => meeting.enter({ name: 'Person', deviceId: deviceId(), address: 'a', asHost }, new Inbox());

    const early = enter();
    const earlyDenied = enter();
    assert.equal(early.state, 'waiting-host');
    const host = enter(true);
    assert.equal(host.state, 'joined');
    assert.equal(early.state, 'waiting-room', 'released into the waiting room when the host came');
    meeting.deny(host, [earlyDenied.id]);
    assert.equal(earlyDenied.state, 'gone');
    meeting.admit(host, [early.id], undefined);
    assert.equal(early.state, 'joined');

    const late = enter();
    assert.equal(late.state, 'waiting-room');
    meeting.updateSettings(host, { waitingRoom: false });
    assert.equal(late.state, 'joined', 'let in when the waiting room was turned off');
    const direct = enter();
    assert.equal(direct.state, 'joined');

    meeting.detach(direct);
    assert.equal(direct.state, 'joined', 'a dropped connection keeps the place');
    meeting.resume(direct, new Inbox());
    meeting.remove(host, late.id);
    assert.equal(late.state, 'gone');
    meeting.leave(early);
    meeting.leave(early); // a second leave changes nothing
    assert.equal(early.state, 'gone');
    meeting.end('ended', host);
    assert.equal(host.state, 'gone');
    assert.equal(direct.state, 'gone');
    assert.deepEqual(illegal(lines), []);
  });
});

/**
 * Host actions that concern many people arrive as one message each (`all-muted`, `settings`); the client
 * state works out who changed, and tells the UI about each of them as if an update had come for it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoomState } from '../../src/client/room-state.ts';
import { DEFAULT_SETTINGS, type MeetingSettings, type ParticipantInfo, type Role } from '../../src/protocol/index.ts';

const id = (n: number) => n.toString(16).padStart(16, '0');
const person = (n: number, role: Role, fields: Partial<ParticipantInfo> = {}): ParticipantInfo => ({
  id: id(n),
  name: `P${n}`,
  role,
  audio: true,
  video: false,
  screen: false,
  mayShareScreen: role !== 'participant',
  reconnecting: false,
  ...fields,
});

/** A client that joined as participant 1 beside a host (0), a co-host (2) and participants 3 and 4 (4 muted already). */
function meeting(settings: MeetingSettings = DEFAULT_SETTINGS): { state: RoomState; updates: [ParticipantInfo, ParticipantInfo][] } {
  const state = new RoomState();
  state.handleJoined({
    type: 'joined',
    self: { participantId: id(1), role: 'participant', resumeToken: 'r'.repeat(22) },
    title: 't',
    startedAt: 0,
    settings,
    participants: [person(0, 'host'), person(1, 'participant'), person(2, 'cohost'), person(3, 'participant'), person(4, 'participant', { audio: false })],
    publications: [],
    mls: { epoch: 0, groupExists: true },
  });
  const updates: [ParticipantInfo, ParticipantInfo][] = [];
  state.on('participant-updated', (p, previous) => updates.push([p, previous]));
  return { state, updates };
}

const audioOf = (state: RoomState) => [...state.participants.values()].map((p) => p.audio);
const mayShareOf = (state: RoomState) => [...state.participants.values()].map((p) => p.mayShareScreen);

describe('host actions in the client state', () => {
  it('mutes every participant but the hosts and co-hosts on all-muted, self included, with an update for each one muted', () => {
    const { state, updates } = meeting();
    state.handleMessage({ type: 'all-muted' });
    assert.deepEqual(audioOf(state), [true, false, true, false, false]);
    assert.deepEqual(
      updates.map(([p, previous]) => [p.id, previous.audio, p.audio]),
      [
        [id(1), true, false],
        [id(3), true, false],
      ],
      'the one already muted is not announced again',
    );
    assert.equal(state.self?.audio, false);
  });

  it('mutes by the roles it knows at the time, so a participant made co-host before it keeps the microphone', () => {
    const { state } = meeting();
    state.handleMessage({ type: 'participant-updated', participant: person(3, 'cohost') });
    state.handleMessage({ type: 'all-muted' });
    assert.deepEqual(audioOf(state), [true, false, true, true, false]);
  });

  it('derives everyone’s permission to share a screen from new settings, announcing only those whose permission changed', () => {
    const { state, updates } = meeting();
    const order: string[] = [];
    state.on('settings', () => order.push('settings'));
    state.on('participant-updated', (p) => order.push(p.id));

    state.handleMessage({ type: 'settings', settings: { ...DEFAULT_SETTINGS, screenShare: 'everyone' } });
    assert.deepEqual(mayShareOf(state), [true, true, true, true, true]);
    assert.deepEqual(order, ['settings', id(1), id(3), id(4)]);
    assert.ok(updates.every(([p, previous]) => p.mayShareScreen && !previous.mayShareScreen));

    updates.length = 0;
    state.handleMessage({ type: 'settings', settings: { ...DEFAULT_SETTINGS, screenShare: 'named', screenShareAllowed: [id(3), id(2)] } });
    assert.deepEqual(mayShareOf(state), [true, false, true, true, false], 'hosts and co-hosts always may; of the others only the named');
    assert.deepEqual(updates.map(([p]) => p.id), [id(1), id(4)]);

    updates.length = 0;
    state.handleMessage({ type: 'settings', settings: { ...DEFAULT_SETTINGS, screenShare: 'named', screenShareAllowed: [id(3)], locked: true } });
    assert.deepEqual(updates, [], 'a change that touches nobody’s permission announces nobody');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoomState } from '../../src/client/room-state.ts';
import { DEFAULT_SETTINGS, type ServerMessageOf, type WaitingEntry } from '../../src/protocol/index.ts';

const id = (n: number) => n.toString(16).padStart(16, '0');
const entry = (n: number, keyPackage?: string): WaitingEntry => ({ participantId: id(n), name: `P${n}`, ...(keyPackage ? { keyPackage } : {}) });

function joinedAs(role: 'host' | 'participant'): ServerMessageOf<'joined'> {
  return {
    type: 'joined',
    self: { participantId: id(999), role, resumeToken: 'r'.repeat(22) },
    title: 't',
    startedAt: 0,
    settings: DEFAULT_SETTINGS,
    participants: [{ id: id(999), name: 'Me', role, audio: false, video: false, screen: false, mayShareScreen: true, reconnecting: false }],
    publications: [],
    mls: { epoch: 0, groupExists: true },
  };
}

describe('the waiting room in the client state', () => {
  it('is the snapshot plus every change since, and the UI hears the whole list after each', () => {
    const state = new RoomState();
    const heard: string[][] = [];
    state.on('waiting-room', (entries) => heard.push(entries.map((e) => e.name)));
    state.handleJoined(joinedAs('host'));
    state.handleMessage({ type: 'waiting-room', entries: [entry(1), entry(2)] });
    state.handleMessage({ type: 'waiting-room-changed', added: [entry(3)] });
    state.handleMessage({ type: 'waiting-room-changed', updated: [entry(2, 'AAAA')] });
    state.handleMessage({ type: 'waiting-room-changed', removed: [id(1)] });
    assert.deepEqual(state.waiting, [entry(2, 'AAAA'), entry(3)], 'arrival order, the KeyPackage in place');
    assert.deepEqual(heard, [['P1', 'P2'], ['P1', 'P2', 'P3'], ['P1', 'P2', 'P3'], ['P2', 'P3']]);

    // A new snapshot (after a resume) replaces whatever was known.
    state.handleJoined(joinedAs('host'));
    state.handleMessage({ type: 'waiting-room', entries: [entry(4)] });
    assert.deepEqual(state.waiting, [entry(4)]);
  });

  it('forgets the waiting room when its holder is no longer a host', () => {
    const state = new RoomState();
    state.handleJoined(joinedAs('host'));
    state.handleMessage({ type: 'waiting-room', entries: [entry(1)] });
    state.handleJoined(joinedAs('participant'));
    assert.deepEqual(state.waiting, []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeClientMessage, decodeServerMessage, encodeMessage, DEFAULT_SETTINGS } from '../../src/protocol/index.ts';

const deviceId = 'A'.repeat(43);

describe('protocol schemas', () => {
  it('accept a well-formed join and hand back exactly its fields', () => {
    const decoded = decodeClientMessage(JSON.stringify({ type: 'join', id: 1, meetingId: 'abcdefghijklmnop', passcode: 'abcdefghij', name: ' Asha ', deviceId }));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.message, { type: 'join', id: 1, meetingId: 'abcdefghijklmnop', passcode: 'abcdefghij', name: 'Asha', deviceId });
  });

  it('reject unknown fields, unknown types and wrong types', () => {
    for (const bad of [
      { type: 'join', meetingId: 'abcdefghijklmnop', passcode: 'x', name: 'A', deviceId, admin: true },
      { type: 'become-host' },
      { type: 'set-media-state', audio: 1, video: false },
      { type: 'update-settings', settings: { locked: true, superuser: true } },
      { type: 'admit', participantIds: [] },
      { type: 'chat', body: { kind: 'text', text: '' } },
    ]) {
      assert.equal(decodeClientMessage(JSON.stringify(bad)).ok, false, JSON.stringify(bad));
    }
  });

  it('reject names with control or bidirectional-override characters', () => {
    for (const name of ['a\u0000b', 'Admin\u202e', 'line\nbreak', '', 'x'.repeat(65)]) {
      assert.equal(decodeClientMessage(JSON.stringify({ type: 'rename', name })).ok, false, JSON.stringify(name));
    }
  });

  it('keep the request id of an invalid message so that the error can name it', () => {
    const decoded = decodeClientMessage(JSON.stringify({ type: 'nope', id: 12 }));
    assert.equal(decoded.ok, false);
    assert.equal(!decoded.ok && decoded.requestId, 12);
  });

  it('round-trip server messages through encode and decode', () => {
    const message = { type: 'settings' as const, settings: DEFAULT_SETTINGS };
    const decoded = decodeServerMessage(encodeMessage(message));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.message, message);
  });

  it('default every meeting to the advisory counter-measures', () => {
    assert.equal(DEFAULT_SETTINGS.waitingRoom, true);
    assert.equal(DEFAULT_SETTINGS.screenShare, 'host-only');
    assert.equal(DEFAULT_SETTINGS.muteOnEntry, true);
    assert.equal(DEFAULT_SETTINGS.privateChat, false);
    assert.equal(DEFAULT_SETTINGS.locked, false);
  });
});

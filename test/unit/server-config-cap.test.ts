import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/server/config.ts';
import { MAX_MEETING_PARTICIPANTS } from '../../src/protocol/index.ts';

describe('the participant cap in the configuration', () => {
  it('defaults to 100 and accepts up to the 1000 the protocol is bounded for, not more', () => {
    assert.equal(loadConfig({ env: {} }).limits.maxParticipantsPerMeeting, 100);
    assert.equal(MAX_MEETING_PARTICIPANTS, 1000);
    assert.equal(loadConfig({ env: { SABHA_MAX_PARTICIPANTS: '1000' } }).limits.maxParticipantsPerMeeting, 1000);
    assert.throws(() => loadConfig({ env: { SABHA_MAX_PARTICIPANTS: '1001' } }), /maxParticipantsPerMeeting/);
    assert.throws(() => loadConfig({ env: { SABHA_MAX_PARTICIPANTS: '0' } }), /maxParticipantsPerMeeting/);
  });
});

/**
 * The give-up rule of a media-engine outage (src/media/outage-policy.ts): recover from a few crashes, give up
 * on a crash loop or on an SFU that stays away.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_OUTAGE_POLICY, OutagePolicy } from '../../src/media/outage-policy.ts';

describe('the media-engine outage policy', () => {
  it('recovers from a first outage and gives it the longest outage allowed before giving up', () => {
    const policy = new OutagePolicy();
    assert.deepEqual(policy.outageStarted(), { action: 'recover', giveUpInMs: DEFAULT_OUTAGE_POLICY.maxOutageMs });
  });

  it('recovers from three crashes in a minute, as a meeting that lives through three restarts needs', () => {
    let now = 0;
    const policy = new OutagePolicy({}, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(policy.outageStarted().action, 'recover', `crash ${i + 1}`);
      now += 5_000;
    }
  });

  it('gives up at the fifth outage within a minute: a crash loop', () => {
    let now = 0;
    const policy = new OutagePolicy({}, () => now);
    for (let i = 0; i < 4; i++) {
      assert.equal(policy.outageStarted().action, 'recover');
      now += 10_000;
    }
    const verdict = policy.outageStarted();
    assert.equal(verdict.action, 'give-up');
    assert.match(verdict.action === 'give-up' ? verdict.reason : '', /5 outages within 60 s/);
  });

  it('forgets outages older than the window, so crashes spread over hours never add up', () => {
    let now = 0;
    const policy = new OutagePolicy({ maxOutages: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 10; i++) {
      assert.equal(policy.outageStarted().action, 'recover', `crash ${i + 1}, 31 s after the one before`);
      now += 31_000;
    }
  });

  it('refuses a policy whose numbers are not positive integers', () => {
    assert.throws(() => new OutagePolicy({ maxOutages: 0 }), TypeError);
    assert.throws(() => new OutagePolicy({ maxOutageMs: 1.5 }), TypeError);
  });
});

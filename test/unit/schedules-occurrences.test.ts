/**
 * Which occurrence a schedule is at (src/server/schedules/occurrences.ts) and the in-memory live state
 * (live-occurrences.ts): the weekly repeat, a meeting held early or late, and one that ended.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentOccurrence, WEEK_MS } from '../../src/server/schedules/occurrences.ts';
import { LiveOccurrences } from '../../src/server/schedules/live-occurrences.ts';

const start = Date.UTC(2026, 11, 1, 10, 0, 0);
const hour = 3_600_000;
const weekly = { startsAt: start, durationMinutes: 60, weekly: true };
const once = { startsAt: start, durationMinutes: 60, weekly: false };

describe('weekly occurrences', () => {
  it('is the first occurrence before it starts and while its slot lasts', () => {
    assert.equal(currentOccurrence(weekly, start - 10 * 24 * hour), start);
    assert.equal(currentOccurrence(weekly, start + 30 * 60_000), start);
  });

  it('moves to the next week once the slot has passed', () => {
    assert.equal(currentOccurrence(weekly, start + hour), start + WEEK_MS);
    assert.equal(currentOccurrence(weekly, start + 3 * WEEK_MS + 2 * hour), start + 4 * WEEK_MS);
    assert.equal(currentOccurrence(weekly, start + 3 * WEEK_MS + hour - 1), start + 3 * WEEK_MS);
  });

  it('skips an occurrence that was held and ended early, even inside its slot', () => {
    assert.equal(currentOccurrence(weekly, start + 20 * 60_000, start), start + WEEK_MS);
    assert.equal(currentOccurrence(weekly, start + 2 * WEEK_MS, start + 2 * WEEK_MS), start + 3 * WEEK_MS);
  });

  it('gives a one-off schedule its only start, late or not, until it was held', () => {
    assert.equal(currentOccurrence(once, start - hour), start);
    assert.equal(currentOccurrence(once, start + 5 * hour), start);
    assert.equal(currentOccurrence(once, start + 5 * hour, start), null);
  });
});

describe('live occurrences', () => {
  it('links a meeting to its schedule while it is open and remembers the occurrence once it ended', () => {
    const live = new LiveOccurrences();
    const meeting = { id: 'meeting-one', state: 'open' as 'open' | 'ended' };
    live.started('schedule-a', start, meeting);
    assert.equal(live.live('schedule-a')?.meeting, meeting);
    assert.equal(live.ofMeeting('meeting-one')?.scheduleId, 'schedule-a');
    assert.throws(() => live.started('schedule-a', start, { id: 'meeting-two', state: 'open' }));
    meeting.state = 'ended';
    assert.equal(live.live('schedule-a'), undefined);
    assert.equal(live.ofMeeting('meeting-one'), undefined);
    assert.equal(live.endedThrough('schedule-a'), start);
    assert.equal(live.endedThrough('schedule-b'), null);
  });
});

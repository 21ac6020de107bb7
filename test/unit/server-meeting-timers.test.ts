import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { Meeting } from '../../src/server/meetings/meeting.ts';
import { deviceId as device, Inbox, meetingLimits, newMeeting as newUnitMeeting } from '../helpers/meeting-unit.ts';

const limits = meetingLimits({ maxParticipants: 10, maxDurationMs: 30 * 60_000 });

function newMeeting(ended: Meeting[] = []) {
  return newUnitMeeting({ title: 'Timers', limits, onEnded: (m) => ended.push(m) });
}

describe('meeting timers', () => {
  it('lock the meeting by themselves when auto-lock is due', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const meeting = newMeeting();
      const hostInbox = new Inbox();
      const host = meeting.enter({ name: 'Host', deviceId: device(1), address: 'a', asHost: true }, hostInbox);
      meeting.updateSettings(host, { autoLockMinutes: 5 });
      mock.timers.tick(4 * 60_000);
      assert.equal(meeting.settings.locked, false);
      mock.timers.tick(60_000);
      assert.equal(meeting.settings.locked, true);
      assert.ok(hostInbox.messages.some((m) => m.type === 'settings' && m.settings.locked));
      assert.throws(() => meeting.enter({ name: 'Late', deviceId: device(2), address: 'b', asHost: false }, new Inbox()), /locked/);
      meeting.end();
    } finally {
      mock.timers.reset();
    }
  });

  it('end a meeting that stays empty, but not one that someone rejoins in time', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const ended: Meeting[] = [];
      const meeting = newMeeting(ended);
      const host = meeting.enter({ name: 'Host', deviceId: device(1), address: 'a', asHost: true }, new Inbox());
      meeting.leave(host);
      mock.timers.tick(limits.emptyMeetingMs - 1000);
      meeting.enter({ name: 'Host', deviceId: device(1), address: 'a', asHost: true }, new Inbox());
      mock.timers.tick(limits.emptyMeetingMs * 2);
      assert.equal(meeting.state, 'open');
      meeting.leave(meeting.joined[0]!);
      mock.timers.tick(limits.emptyMeetingMs);
      assert.equal(meeting.state, 'ended');
      assert.deepEqual(ended, [meeting]);
    } finally {
      mock.timers.reset();
    }
  });

  it('keep an unstarted meeting for its host when an early arrival gives up waiting', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const meeting = newMeeting();
      const early = meeting.enter({ name: 'Early', deviceId: device(3), address: 'c', asHost: false }, new Inbox());
      assert.equal(early.state, 'waiting-host');
      meeting.leave(early);
      mock.timers.tick(limits.emptyMeetingMs * 5);
      assert.equal(meeting.state, 'open');
      mock.timers.tick(limits.unstartedMeetingMs);
      assert.equal(meeting.state, 'ended', 'the unstarted limit still applies');
    } finally {
      mock.timers.reset();
    }
  });

  it('end the meeting for everyone at the maximum duration', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const meeting = newMeeting();
      const inbox = new Inbox();
      meeting.enter({ name: 'Host', deviceId: device(1), address: 'a', asHost: true }, inbox);
      mock.timers.tick(limits.maxDurationMs!);
      assert.equal(meeting.state, 'ended');
      assert.ok(inbox.messages.some((m) => m.type === 'left' && m.reason === 'max-duration'));
      assert.equal(inbox.closedWith, 'max-duration');
    } finally {
      mock.timers.reset();
    }
  });

  it('promote someone to host when the last host leaves without ending', () => {
    const meeting = newMeeting();
    const host = meeting.enter({ name: 'Host', deviceId: device(1), address: 'a', asHost: true }, new Inbox());
    meeting.updateSettings(host, { waitingRoom: false });
    const aliceInbox = new Inbox();
    const alice = meeting.enter({ name: 'Alice', deviceId: device(2), address: 'b', asHost: false }, aliceInbox);
    assert.equal(alice.state, 'joined');
    meeting.leave(host);
    assert.equal(alice.role, 'host');
    meeting.end();
  });
});

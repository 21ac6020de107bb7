/**
 * The .ics writer of invitation e-mails (src/server/schedules/ics.ts): RFC 5545 escaping, folding, UTC times,
 * the weekly rule, and a round trip through an unfolding, unescaping reader.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarInvite, escapeText, foldLine, utcDateTime } from '../../src/server/schedules/ics.ts';

const base = {
  uid: 'a1b2c3d4e5f6a7b8c9d0@meet.example.org',
  stamp: Date.UTC(2026, 10, 28, 9, 0, 0),
  startsAt: Date.UTC(2026, 11, 1, 10, 30, 0),
  durationMinutes: 45,
  weekly: false,
  summary: 'Class 7; maths, algebra',
  description: 'Your personal link: https://meet.example.org/i/abc\nDo not forward it.',
  url: 'https://meet.example.org/i/abc',
  organizer: 'meet@example.org',
  attendee: 'priya@example.org',
};

/** Unfolds continuation lines (RFC 5545 3.1) and returns the content lines. */
function contentLines(ics: string): string[] {
  return ics.replace(/\r\n /g, '').split('\r\n').filter((l) => l !== '');
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

describe('iCalendar invitations', () => {
  it('escapes backslash, semicolon, comma and line breaks in TEXT values', () => {
    assert.equal(escapeText('a\\b;c,d\ne\r\nf'), 'a\\\\b\\;c\\,d\\ne\\nf');
  });

  it('writes times in UTC basic form', () => {
    assert.equal(utcDateTime(Date.UTC(2026, 0, 2, 3, 4, 5)), '20260102T030405Z');
  });

  it('writes a one-off event as a METHOD:REQUEST calendar with UTC start and end and no repeat rule', () => {
    const lines = contentLines(calendarInvite(base));
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.ok(lines.includes('METHOD:REQUEST'));
    assert.ok(lines.includes('VERSION:2.0'));
    assert.ok(lines.includes(`UID:${base.uid}`));
    assert.ok(lines.includes('DTSTART:20261201T103000Z'));
    assert.ok(lines.includes('DTEND:20261201T111500Z'));
    assert.ok(!lines.some((l) => l.startsWith('RRULE')));
    assert.equal(lines.at(-1), 'END:VCALENDAR');
    assert.equal(lines.filter((l) => l === 'BEGIN:VEVENT').length, 1);
  });

  it('adds RRULE:FREQ=WEEKLY to a weekly schedule', () => {
    const lines = contentLines(calendarInvite({ ...base, weekly: true }));
    assert.ok(lines.includes('RRULE:FREQ=WEEKLY'));
  });

  it('round-trips a summary with special characters, and no title can add a property of its own', () => {
    const summary = 'Review; budget, Q4 \\ final';
    const ics = calendarInvite({ ...base, summary });
    const lines = contentLines(ics);
    const line = lines.find((l) => l.startsWith('SUMMARY:'))!;
    assert.equal(unescapeText(line.slice('SUMMARY:'.length)), summary);
    const description = lines.find((l) => l.startsWith('DESCRIPTION:'))!;
    assert.equal(unescapeText(description.slice('DESCRIPTION:'.length)), base.description);
    // The description's line break is escaped, not a new content line.
    assert.ok(!lines.some((l) => l.startsWith('Do not forward')));
  });

  it('folds long lines at 75 octets with CRLF and a space, never inside a UTF-8 sequence', () => {
    const summary = 'सभा की बैठक '.repeat(12);
    const ics = calendarInvite({ ...base, summary });
    for (const physical of ics.split('\r\n')) assert.ok(Buffer.byteLength(physical) <= 75, `line of ${Buffer.byteLength(physical)} octets`);
    const line = contentLines(ics).find((l) => l.startsWith('SUMMARY:'))!;
    assert.equal(unescapeText(line.slice('SUMMARY:'.length)), summary);
    assert.equal(foldLine('short'), 'short');
    assert.ok(ics.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(ics), 'every line ends with CRLF');
  });
});

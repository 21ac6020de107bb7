/**
 * A small iCalendar (RFC 5545) writer for invitation e-mails: one VEVENT with METHOD:REQUEST, so that mail
 * programs offer to add it to a calendar. No dependency: the few properties it writes are escaped and folded here.
 *
 * - UID is per schedule (`<scheduleId>@<host>`): a second e-mail about the same schedule updates the same event.
 * - DTSTART/DTEND are UTC (`YYYYMMDDTHHMMSSZ`), so no time-zone definitions are needed; a weekly series adds
 *   `RRULE:FREQ=WEEKLY`, which repeats at the same UTC instant.
 * - TEXT values (SUMMARY, DESCRIPTION) escape backslash, semicolon, comma and line breaks (RFC 5545 3.3.11);
 *   the titles Sabha accepts hold no other control characters (src/protocol/text.ts).
 * - Lines are folded at 75 octets (3.1), never inside a UTF-8 sequence, and end with CRLF.
 */
export interface CalendarInvite {
  uid: string;
  /** When this version of the event was written (ms). */
  stamp: number;
  startsAt: number;
  durationMinutes: number;
  weekly: boolean;
  summary: string;
  description: string;
  /** The invitation link, also given as URL. */
  url: string;
  /** mailto: of the organiser (the sender), required with METHOD:REQUEST. */
  organizer: string;
  attendee: string;
}

export function calendarInvite(invite: CalendarInvite): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Sabha//Scheduled meetings//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${escapeText(invite.uid)}`,
    `DTSTAMP:${utcDateTime(invite.stamp)}`,
    `DTSTART:${utcDateTime(invite.startsAt)}`,
    `DTEND:${utcDateTime(invite.startsAt + invite.durationMinutes * 60_000)}`,
    ...(invite.weekly ? ['RRULE:FREQ=WEEKLY'] : []),
    `SUMMARY:${escapeText(invite.summary)}`,
    `DESCRIPTION:${escapeText(invite.description)}`,
    `URL:${invite.url}`,
    `ORGANIZER:mailto:${invite.organizer}`,
    `ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:${invite.attendee}`,
    'SEQUENCE:0',
    'STATUS:CONFIRMED',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** RFC 5545 3.3.11 TEXT: `\` `;` `,` escaped, line breaks as `\n`. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** `YYYYMMDDTHHMMSSZ` (RFC 5545 3.3.5, form 2: UTC). */
export function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Splits a content line into lines of at most 75 octets, each continuation starting with a space (3.1). */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const char of line) {
    const bytes = encoder.encode(char).length;
    // The first line holds 75 octets; a continuation 74 after its leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (currentBytes + bytes > limit) {
      parts.push(current);
      current = '';
      currentBytes = 0;
    }
    current += char;
    currentBytes += bytes;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

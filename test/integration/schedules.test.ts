/**
 * Scheduled meetings with personal invitations, end to end over real HTTP, a real WebSocket and a real SMTP sink
 * on a loopback port, on SQLite and on PostgreSQL: a signed-in host schedules a weekly, invited-only meeting; each
 * invitee's mail arrives with a personal link and a valid .ics; before the start the link says "not started";
 * the host starts it; the link says "live"; the invitee joins by invitation (no passcode) into the waiting room,
 * where the host sees the verified address; a signed-in invitee is shown as their account; both are admitted.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import type { ServerMessage, ServerMessageOf } from '../../src/protocol/index.ts';
import { forEachDatabase } from '../helpers/databases.ts';
import { BrowserLikeClient, calendarLines, joinByInvitation, readInvitation, signedInMember, signedInSocket, startScheduled, startSmtpSink, type SmtpSink } from '../helpers/schedule-fixture.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { randomDeviceId } from '../helpers/ws-client.ts';

const sinks: SmtpSink[] = [];
after(async () => {
  for (const sink of sinks) await sink.close();
});

function addedEntry(message: ServerMessage, participantId: string) {
  if (message.type === 'waiting-room-changed') return message.added?.find((e) => e.participantId === participantId);
  if (message.type === 'waiting-room') return message.entries.find((e) => e.participantId === participantId);
  return undefined;
}

forEachDatabase('scheduled meetings with personal invitations', async (db, { options }) => {
  const sink = await startSmtpSink();
  sinks.push(sink);
  const server = await startTestServer({
    overrides: { whoMayHost: 'accounts', database: options, smtp: { host: '127.0.0.1', port: sink.port, secure: false, from: 'Sabha <meet@example.org>' } },
  });
  try {
    const host = await signedInMember(server.url, db, 'host@example.org', 'Asha Host');
    const ravi = await signedInMember(server.url, db, 'ravi@example.org', 'Ravi');
    const startsAt = Date.now() + 3_600_000;
    const title = 'Budget; review, Q4';

    // Schedule: answered at once, the mails go out in the background.
    const created = await host.post('/api/schedules', { title, startsAt, durationMinutes: 45, invitees: ['Priya@Example.org', 'ravi@example.org'], weekly: true, invitedOnly: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.links, null, 'with SMTP configured, no link is handed back');
    const schedule = created.body.schedule as { id: string; state: string; invitations: { email: string }[] };
    assert.equal(schedule.state, 'not-started');
    assert.deepEqual(schedule.invitations.map((i) => i.email).sort(), ['priya@example.org', 'ravi@example.org']);

    // The mails arrive, one per invitee, each with its own link and a valid .ics.
    const mails = await sink.waitFor(2);
    const byRecipient = new Map(mails.map((m) => [m.to.join(','), readInvitation(m)]));
    const priyaMail = byRecipient.get('priya@example.org');
    const raviMail = byRecipient.get('ravi@example.org');
    assert.ok(priyaMail && raviMail, `mails to ${[...byRecipient.keys()].join(' ')}`);
    assert.notEqual(priyaMail.token, raviMail.token, 'each invitee has a personal link');
    assert.ok(priyaMail.link.startsWith(`${server.url}/i/`));
    const lines = calendarLines(priyaMail.calendar);
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.ok(lines.includes('METHOD:REQUEST'));
    assert.ok(lines.includes('RRULE:FREQ=WEEKLY'));
    assert.ok(lines.some((l) => l.startsWith(`UID:${schedule.id}@`)));
    const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
    assert.ok(lines.includes(`DTSTART:${utc(startsAt)}`));
    assert.ok(lines.includes(`DTEND:${utc(startsAt + 45 * 60_000)}`));
    assert.ok(lines.includes('SUMMARY:Budget\\; review\\, Q4'));
    assert.ok(lines.includes('ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:priya@example.org'));
    assert.equal(calendarLines(raviMail.calendar).find((l) => l.startsWith('UID:')), lines.find((l) => l.startsWith('UID:')), 'one UID per schedule');

    // Before the host starts it, the link says so.
    const invitee = new BrowserLikeClient(server.url);
    const before = await invitee.post('/api/invitations/resolve', { token: priyaMail.token });
    assert.equal(before.status, 200);
    assert.equal(before.body.state, 'not-started');
    assert.equal(before.body.title, title);
    assert.equal(before.body.startsAt, startsAt);

    // The host starts it: a fresh meeting, invited people only.
    const meeting = await startScheduled(server.wsUrl, host, schedule.id);
    assert.equal(meeting.joined.settings.invitedOnly, true);
    const live = await invitee.post('/api/invitations/resolve', { token: priyaMail.token });
    assert.equal(live.body.state, 'live');
    assert.equal(live.body.meetingId, meeting.meetingId);

    // Priya joins by her invitation, without the passcode: the host sees her verified address.
    const hostSeesPriya = meeting.host.next((m) => (m.type === 'waiting-room-changed' && (m.added ?? []).length > 0), 5000, 'priya waiting');
    const priya = await joinByInvitation(server.wsUrl, meeting.meetingId, priyaMail.token, 'Priya');
    assert.equal(priya.reply.type, 'ok', JSON.stringify(priya.reply));
    const priyaWaiting = await priya.client.latestOf('waiting');
    assert.equal(priyaWaiting.reason, 'waiting-room');
    const entry = addedEntry(await hostSeesPriya, priyaWaiting.participantId);
    assert.deepEqual(entry?.identity, { kind: 'invitation', email: 'priya@example.org' });
    assert.equal(entry?.name, 'Priya');

    // Ravi, signed in with an invited address, gets past "invited people only" with the passcode, shown as his account.
    const hostSeesRavi = meeting.host.next((m) => m.type === 'waiting-room-changed' && (m.added ?? []).some((e) => e.name === 'Ravi'), 5000, 'ravi waiting');
    const raviSocket = await signedInSocket(server.wsUrl, ravi);
    const raviReply = await raviSocket.request({ type: 'join', meetingId: meeting.meetingId, passcode: meeting.passcode, name: 'Ravi', deviceId: randomDeviceId() });
    assert.equal(raviReply.type, 'ok', JSON.stringify(raviReply));
    const raviWaiting = await raviSocket.latestOf('waiting');
    assert.deepEqual(addedEntry(await hostSeesRavi, raviWaiting.participantId)?.identity, { kind: 'account', email: 'ravi@example.org' });

    // The host admits both; both are in the meeting.
    const priyaJoined = priya.client.nextOf('joined');
    const raviJoined = raviSocket.nextOf('joined');
    const admit = await meeting.host.request({ type: 'admit', participantIds: [priyaWaiting.participantId, raviWaiting.participantId] });
    assert.equal(admit.type, 'ok', JSON.stringify(admit));
    const [p, r] = (await Promise.all([priyaJoined, raviJoined])) as ServerMessageOf<'joined'>[];
    assert.equal(p!.self.participantId, priyaWaiting.participantId);
    assert.equal(r!.self.participantId, raviWaiting.participantId);

    // The host's page lists the schedule as live.
    const list = await host.get('/api/schedules');
    assert.equal((list.body.schedules as { id: string; state: string }[]).find((s) => s.id === schedule.id)?.state, 'live');

    for (const c of [priya.client, raviSocket, meeting.host]) c.close();
  } finally {
    await server.close();
  }
});

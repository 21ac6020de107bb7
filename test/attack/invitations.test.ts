/**
 * Attacks on scheduled meetings and personal invitations, over raw HTTP and a raw WebSocket: a link used after
 * revocation, after its meeting ended, for another meeting, or forged; a passcode-only join of an "invited people
 * only" meeting; one member reaching for another's schedules; a start without a session; requests without the
 * CSRF token or from another origin. Each is refused, nothing changes, and the real invitee or host still gets in.
 *
 * Each attack comes from its own client address (the server trusts X-Forwarded-For here), so the join throttle
 * of one does not answer for another.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/server/store/open.ts';
import type { Database } from '../../src/server/store/database.ts';
import { BrowserLikeClient, joinByInvitation, signedInMember, signedInSocket, startScheduled } from '../helpers/schedule-fixture.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { errorCode, RawClient, randomDeviceId, settle } from '../helpers/ws-client.ts';

let server: TestServer;
let db: Database;
let owner: BrowserLikeClient;
let other: BrowserLikeClient;
let nextAddress = 10;
/** A fresh client address for one attack. */
const from = () => ({ 'X-Forwarded-For': `198.51.100.${nextAddress++}` });

interface Made {
  id: string;
  links: { invitationId: string; email: string; link: string }[];
}

async function schedule(by: BrowserLikeClient, invitees: string[], extra: Partial<{ weekly: boolean; invitedOnly: boolean; title: string }> = {}): Promise<Made & { token: (email: string) => string; invitationId: (email: string) => string }> {
  const answer = await by.post('/api/schedules', { title: extra.title ?? 'Staff meeting', startsAt: Date.now() + 600_000, durationMinutes: 30, invitees, weekly: extra.weekly ?? false, invitedOnly: extra.invitedOnly ?? false });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  const made = { id: (answer.body.schedule as { id: string }).id, links: answer.body.links as Made['links'] };
  const linkOf = (email: string) => made.links.find((l) => l.email === email)!;
  return { ...made, token: (email) => linkOf(email).link.split('/i/')[1]!, invitationId: (email) => linkOf(email).invitationId };
}

const resolve = (token: string) => new BrowserLikeClient(server.url).post('/api/invitations/resolve', { token });

before(async () => {
  // No SMTP: the links come back in the answer, as the host's page shows them.
  server = await startTestServer({ overrides: { whoMayHost: 'accounts', trustProxy: true } });
  db = await openDatabase(server.config.database, server.config.dataDir);
  owner = await signedInMember(server.url, db, 'owner@example.org', 'Owner');
  other = await signedInMember(server.url, db, 'mallory@example.org', 'Mallory');
});

after(async () => {
  await db.close();
  await server.close();
});

describe('personal invitation links', () => {
  it('refuses an invitation after the host revoked it, in resolve and in join, while the other invitee still gets in', async () => {
    const s = await schedule(owner, ['priya@example.org', 'ravi@example.org']);
    const meeting = await startScheduled(server.wsUrl, owner, s.id);
    const revoked = await owner.post(`/api/schedules/${s.id}/invitations/${s.invitationId('priya@example.org')}/revoke`, {});
    assert.equal(revoked.status, 200);

    const answer = await resolve(s.token('priya@example.org'));
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { error: 'not-found' });
    const attempt = await joinByInvitation(server.wsUrl, meeting.meetingId, s.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(errorCode(attempt.reply), 'join-refused');
    await settle();
    assert.equal(meeting.host.received.filter((m) => m.type === 'waiting-room-changed').length, 0, 'the host was shown nobody');

    const ravi = await joinByInvitation(server.wsUrl, meeting.meetingId, s.token('ravi@example.org'), 'Ravi', undefined, from());
    assert.equal(ravi.reply.type, 'ok');
    for (const c of [attempt.client, ravi.client, meeting.host]) c.close();
  });

  it('refuses an invitation after its meeting ended: a one-off schedule is over for good, and cannot be started again', async () => {
    const s = await schedule(owner, ['priya@example.org']);
    const meeting = await startScheduled(server.wsUrl, owner, s.id);
    assert.equal((await resolve(s.token('priya@example.org'))).body.state, 'live');
    const left = meeting.host.nextOf('left');
    meeting.host.send({ type: 'end-meeting' });
    await left;

    assert.deepEqual((await resolve(s.token('priya@example.org'))).body, { state: 'ended', title: 'Staff meeting' });
    const attempt = await joinByInvitation(server.wsUrl, meeting.meetingId, s.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(errorCode(attempt.reply), 'join-refused');
    const again = await signedInSocket(server.wsUrl, owner);
    assert.equal(errorCode(await again.request({ type: 'create-meeting', title: '', scheduleId: s.id })), 'invalid-state');
    for (const c of [attempt.client, again]) c.close();
  });

  it('lets a weekly invitation wait for the next occurrence after a meeting ended, which gets a new id and passcode', async () => {
    const s = await schedule(owner, ['priya@example.org'], { weekly: true });
    const first = await startScheduled(server.wsUrl, owner, s.id);
    const left = first.host.nextOf('left');
    first.host.send({ type: 'end-meeting' });
    await left;
    const between = await resolve(s.token('priya@example.org'));
    assert.equal(between.body.state, 'not-started');
    assert.ok(Number(between.body.startsAt) > Date.now() + 6 * 24 * 3_600_000, 'the next occurrence is next week');
    const stale = await joinByInvitation(server.wsUrl, first.meetingId, s.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(errorCode(stale.reply), 'join-refused');

    const second = await startScheduled(server.wsUrl, owner, s.id);
    assert.notEqual(second.meetingId, first.meetingId);
    assert.notEqual(second.passcode, first.passcode);
    const priya = await joinByInvitation(server.wsUrl, second.meetingId, s.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(priya.reply.type, 'ok');
    for (const c of [stale.client, priya.client, second.host]) c.close();
  });

  it('refuses the links of a cancelled schedule at once, also for the meeting it started', async () => {
    const s = await schedule(owner, ['priya@example.org']);
    const meeting = await startScheduled(server.wsUrl, owner, s.id);
    assert.equal((await owner.post(`/api/schedules/${s.id}/cancel`, {})).status, 200);
    assert.deepEqual((await resolve(s.token('priya@example.org'))).body, { state: 'ended', title: 'Staff meeting' });
    const attempt = await joinByInvitation(server.wsUrl, meeting.meetingId, s.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(errorCode(attempt.reply), 'join-refused');
    for (const c of [attempt.client, meeting.host]) c.close();
  });

  it('does not let an invitation to one schedule into another schedule’s meeting', async () => {
    const a = await schedule(owner, ['priya@example.org']);
    const b = await schedule(owner, ['ravi@example.org'], { title: 'Board' });
    await startScheduled(server.wsUrl, owner, a.id).then((m) => m.host.close());
    const meetingB = await startScheduled(server.wsUrl, owner, b.id);
    const attempt = await joinByInvitation(server.wsUrl, meetingB.meetingId, a.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(errorCode(attempt.reply), 'join-refused');
    await settle();
    assert.equal(meetingB.host.received.filter((m) => m.type === 'waiting-room-changed').length, 0);
    for (const c of [attempt.client, meetingB.host]) c.close();
  });

  it('answers a forged token like a revoked one, and counts it as a failed join', async () => {
    const s = await schedule(owner, ['priya@example.org']);
    const meeting = await startScheduled(server.wsUrl, owner, s.id);
    const forged = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    assert.deepEqual((await resolve(forged)).body, { error: 'not-found' });
    const address = from();
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const attempt = await joinByInvitation(server.wsUrl, meeting.meetingId, forged, 'Eve', undefined, address);
      codes.push(errorCode(attempt.reply));
      attempt.client.close();
    }
    assert.deepEqual(codes.slice(0, 5), Array(5).fill('join-refused'));
    assert.equal(codes.at(-1), 'throttled', 'forged invitations are throttled like wrong passcodes');
    const priya = await joinByInvitation(server.wsUrl, meeting.meetingId, s.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(priya.reply.type, 'ok', 'the real invitee still gets in');
    for (const c of [priya.client, meeting.host]) c.close();
  });
});

describe('invited people only', () => {
  it('refuses a passcode-only join exactly like a wrong passcode, and admits invitees, invited accounts and the host', async () => {
    const s = await schedule(owner, ['priya@example.org', 'mallory@example.org'], { invitedOnly: true });
    const meeting = await startScheduled(server.wsUrl, owner, s.id);
    assert.equal(meeting.joined.self.role, 'host', 'the host is not held back by the setting');

    const stranger = await RawClient.connect(server.wsUrl, from());
    const withPasscode = await stranger.request({ type: 'join', meetingId: meeting.meetingId, passcode: meeting.passcode, name: 'Stranger', deviceId: randomDeviceId() });
    const wrong = await RawClient.connect(server.wsUrl, from());
    const withWrongPasscode = await wrong.request({ type: 'join', meetingId: meeting.meetingId, passcode: 'aaaaaaaaaa', name: 'Stranger', deviceId: randomDeviceId() });
    assert.equal(errorCode(withPasscode), 'join-refused');
    assert.deepEqual({ ...withPasscode, id: 0 }, { ...withWrongPasscode, id: 0 }, 'the same answer as a wrong passcode');

    // A signed-in account whose e-mail is invited gets in with the passcode; the host cannot be told apart from it.
    const mallory = await signedInSocket(server.wsUrl, other, from());
    const invitedAccount = await mallory.request({ type: 'join', meetingId: meeting.meetingId, passcode: meeting.passcode, name: 'Mallory', deviceId: randomDeviceId() });
    assert.equal(invitedAccount.type, 'ok');
    const priya = await joinByInvitation(server.wsUrl, meeting.meetingId, s.token('priya@example.org'), 'Priya', undefined, from());
    assert.equal(priya.reply.type, 'ok');

    // Turning the setting off is the host's to do, and only for a scheduled meeting.
    const off = await meeting.host.request({ type: 'update-settings', settings: { invitedOnly: false } });
    assert.equal(off.type, 'ok');
    for (const c of [stranger, wrong, mallory, priya.client, meeting.host]) c.close();
  });

  it('refuses the setting on a meeting that was not scheduled', async () => {
    const socket = await signedInSocket(server.wsUrl, owner);
    const created = await socket.request({ type: 'create-meeting', title: 'Ad hoc' });
    assert.equal(created.type, 'created');
    if (created.type !== 'created') return;
    const host = await RawClient.connect(server.wsUrl);
    await host.request({ type: 'join', meetingId: created.meetingId, passcode: created.passcode, name: 'Host', deviceId: randomDeviceId(), hostSecret: created.hostSecret });
    assert.equal(errorCode(await host.request({ type: 'update-settings', settings: { invitedOnly: true } })), 'forbidden');
    for (const c of [socket, host]) c.close();
  });
});

describe('one member and another member’s schedules', () => {
  it('cannot see, cancel, revoke or start another member’s schedule, and the owner’s schedule is unchanged', async () => {
    const s = await schedule(owner, ['priya@example.org']);
    const listed = await other.get('/api/schedules');
    assert.equal(listed.status, 200);
    assert.ok(!(listed.body.schedules as { id: string }[]).some((x) => x.id === s.id));

    const cancel = await other.post(`/api/schedules/${s.id}/cancel`, {});
    const revoke = await other.post(`/api/schedules/${s.id}/invitations/${s.invitationId('priya@example.org')}/revoke`, {});
    const missing = await other.post(`/api/schedules/${'0'.repeat(20)}/cancel`, {});
    assert.equal(cancel.status, 404);
    assert.equal(revoke.status, 404);
    assert.deepEqual(cancel.body, missing.body, 'someone else’s schedule answers like one that does not exist');

    const mallory = await signedInSocket(server.wsUrl, other);
    const start = await mallory.request({ type: 'create-meeting', title: '', scheduleId: s.id });
    assert.equal(errorCode(start), 'not-found');
    mallory.close();

    const mine = (await owner.get('/api/schedules')).body.schedules as { id: string; state: string; invitations: { revoked: boolean }[] }[];
    const unchanged = mine.find((x) => x.id === s.id)!;
    assert.equal(unchanged.state, 'not-started');
    assert.equal(unchanged.invitations[0]!.revoked, false);
    assert.equal((await resolve(s.token('priya@example.org'))).body.state, 'not-started');
  });

  it('refuses create-meeting with a scheduleId from a socket without a session', async () => {
    const s = await schedule(owner, ['priya@example.org']);
    const anonymous = await RawClient.connect(server.wsUrl);
    const answer = await anonymous.request({ type: 'create-meeting', title: '', scheduleId: s.id });
    assert.equal(answer.type, 'error');
    assert.equal((await resolve(s.token('priya@example.org'))).body.state, 'not-started', 'nothing was started');
    anonymous.close();
  });

  it('changes nothing for a schedule request without the CSRF token, from another origin, or without a session', async () => {
    const body = { title: 'Forged', startsAt: Date.now() + 600_000, durationMinutes: 30, invitees: ['x@example.org'], weekly: false, invitedOnly: false };
    const count = async () => ((await owner.get('/api/schedules')).body.schedules as unknown[]).length;
    const before = await count();
    assert.equal((await owner.post('/api/schedules', body, { csrf: null })).status, 403);
    assert.equal((await owner.post('/api/schedules', body, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await owner.post('/api/schedules', body, { csrf: 'A'.repeat(43) })).status, 403);
    assert.equal((await new BrowserLikeClient(server.url).post('/api/schedules', body)).status, 401);
    const s = await schedule(owner, ['priya@example.org']);
    assert.equal((await owner.post(`/api/schedules/${s.id}/cancel`, {}, { origin: 'https://evil.example' })).status, 403);
    assert.equal(await count(), before + 1);
  });

  it('refuses addresses that are not e-mail addresses and more than 100 invitees', async () => {
    const post = (invitees: string[], title = 'Valid') => owner.post('/api/schedules', { title, startsAt: Date.now() + 600_000, durationMinutes: 30, invitees, weekly: false, invitedOnly: false });
    assert.equal((await post(['priya@example.org\r\nBcc: all@example.org'])).status, 400);
    assert.equal((await post(['‮gro.elpmaxe@ayirp'])).status, 400);
    assert.equal((await post(Array.from({ length: 101 }, (_, i) => `p${i}@example.org`))).status, 400);
    assert.equal((await post(['priya@example.org'], 'Title\u202Eevil')).status, 400);
  });
});

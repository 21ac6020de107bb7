/**
 * What the scheduling tests share: a member signed in over real HTTP (made in the database, enrolled through the
 * public enrolment API with a password and a TOTP code, as a person would), and a real SMTP sink on a loopback
 * port (`smtp-server`) that keeps every mail it receives, with a small MIME reader for the parts the tests check.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createCredentials } from '../../src/server/accounts/credentials.ts';
import { createEnrolment } from '../../src/server/accounts/enrolment.ts';
import { totpAt } from '../../src/server/accounts/totp.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import type { Database } from '../../src/server/store/database.ts';
import { BrowserLikeClient } from './browser-like-client.ts';
import { RawClient, randomDeviceId } from './ws-client.ts';

export { BrowserLikeClient };

export const MEMBER_PASSWORD = 'quiet harbour lantern 7 violet';

/** A member account `email`, signed in: the client holds its session cookie and CSRF token. */
export async function signedInMember(baseUrl: string, db: Database, email: string, displayName = 'Member'): Promise<BrowserLikeClient> {
  const user = await createUsers(db).create({ email, displayName, role: 'member' });
  const token = await createEnrolment(db, createCredentials(db)).issue(user.id, 'enrol');
  const client = new BrowserLikeClient(baseUrl);
  const password = await client.post('/api/enrol/password', { token, password: MEMBER_PASSWORD });
  if (password.status !== 200) throw new Error(`enrol password: ${password.status} ${JSON.stringify(password.body)}`);
  const begin = await client.post('/api/enrol/totp/begin', { token });
  if (begin.status !== 200) throw new Error(`enrol totp begin: ${begin.status} ${JSON.stringify(begin.body)}`);
  const finish = await client.post('/api/enrol/totp/finish', { token, code: totpAt(String(begin.body.secret), Date.now()) });
  if (finish.status !== 200) throw new Error(`enrol totp finish: ${finish.status} ${JSON.stringify(finish.body)}`);
  const session = await client.refreshSession();
  if (session.signedIn !== true) throw new Error('not signed in after enrolment');
  return client;
}

export interface ReceivedMail {
  /** Envelope recipients. */
  to: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  readonly mails: ReceivedMail[];
  /** Resolves once `count` mails have arrived in all (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (no TLS, no authentication) that keeps what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        for (const wake of waiters.splice(0)) wake();
        callback();
      });
    },
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} mails, got ${mails.length}`);
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, left);
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
      return mails.slice(0, count);
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export interface MimePart {
  headers: Map<string, string>;
  body: Buffer;
}

/** Every leaf part of a MIME message (a single-part message is its own leaf), decoded. */
export function mimeParts(raw: string): MimePart[] {
  const split = raw.indexOf('\r\n\r\n');
  const headerText = split < 0 ? raw : raw.slice(0, split);
  const bodyText = split < 0 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of headerText.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const sections = bodyText.split(`--${boundary}`).slice(1);
    return sections.filter((s) => !s.startsWith('--')).flatMap((s) => mimeParts(s.replace(/^\r\n/, '')));
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const body =
    encoding === 'base64'
      ? Buffer.from(bodyText.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? Buffer.from(bodyText.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1')
        : Buffer.from(bodyText, 'utf8');
  return [{ headers, body }];
}

/** The mail's plain text, its .ics attachment (as text), and the personal link in the text. */
export function readInvitation(mail: ReceivedMail): { text: string; calendar: string; link: string; token: string } {
  const parts = mimeParts(mail.raw);
  const text = parts.find((p) => /^text\/plain/i.test(p.headers.get('content-type') ?? 'text/plain'))?.body.toString('utf8') ?? '';
  const calendar = parts.find((p) => /^text\/calendar/i.test(p.headers.get('content-type') ?? ''))?.body.toString('utf8') ?? '';
  const match = /(https?:\/\/[^\s/]+\/i\/([A-Za-z0-9_-]{22,64}))/.exec(text);
  if (!match) throw new Error('no personal link in the mail');
  return { text, calendar, link: match[1]!, token: match[2]! };
}

/** The content lines of an .ics (continuation lines unfolded). */
export function calendarLines(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
}

/** A WebSocket carrying the member's session cookie, as a signed-in browser's page opens it. */
export function signedInSocket(wsUrl: string, member: BrowserLikeClient, headers: Record<string, string> = {}): Promise<RawClient> {
  return RawClient.connect(wsUrl, { ...headers, Cookie: member.cookieHeader() });
}

/** The owner starts the schedule's occurrence (`create-meeting {scheduleId}`) and joins it as host. */
export async function startScheduled(wsUrl: string, owner: BrowserLikeClient, scheduleId: string) {
  const creator = await signedInSocket(wsUrl, owner);
  const created = await creator.request({ type: 'create-meeting', title: '', scheduleId });
  creator.close();
  if (created.type !== 'created') throw new Error(`create-meeting refused: ${JSON.stringify(created)}`);
  const deviceId = randomDeviceId();
  const host = await signedInSocket(wsUrl, owner);
  const joinedP = host.nextOf('joined');
  const reply = await host.request({ type: 'join', meetingId: created.meetingId, passcode: created.passcode, name: 'Host', deviceId, hostSecret: created.hostSecret });
  if (reply.type !== 'ok') throw new Error(`host join refused: ${JSON.stringify(reply)}`);
  const joined = await joinedP;
  return { meetingId: created.meetingId, passcode: created.passcode, hostSecret: created.hostSecret, host, hostId: joined.self.participantId, deviceId, joined };
}

/** Sends `join` with a personal invitation (no passcode); resolves with the reply. */
export async function joinByInvitation(wsUrl: string, meetingId: string, invitation: string, name: string, member?: BrowserLikeClient, headers: Record<string, string> = {}) {
  const client = member ? await signedInSocket(wsUrl, member, headers) : await RawClient.connect(wsUrl, headers);
  const reply = await client.request({ type: 'join', meetingId, invitation, name, deviceId: randomDeviceId() });
  return { client, reply };
}

/**
 * Scheduled meetings with personal invitations in real Chromium, through Janus, against a server in `accounts`
 * mode with a real SMTP sink on a loopback port:
 *
 * the host registers a passkey (virtual WebAuthn authenticator) from the first-start link and signs in with it,
 * schedules an "invited people only" meeting with one invitee; the invitee's e-mail arrives at the sink with a
 * personal link; the invitee opens it (a second browser context) before the start and is told the host has not
 * started yet; the host starts the meeting; the invitee's page notices by itself, and its Join leads through the
 * pre-join page into the waiting room, where the host sees "verified: <email>"; the host admits; both are in the
 * meeting, and the host's list of people still shows the verified address. axe-core finds no violations on the
 * schedule page and the invitation page (not started, and live), in English and in Hindi.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeBothLanguages } from '../helpers/axe.ts';
import { stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { openPanel } from '../helpers/meeting-page.ts';
import { readInvitation, startSmtpSink, type SmtpSink } from '../helpers/schedule-fixture.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { contextWithAuthenticator, freePort } from '../helpers/virtual-authenticator.ts';
import { join, launchBrowser, waitFor } from './browser.ts';

describe('scheduling a meeting and joining it by a personal invitation, in Chromium', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let sink: SmtpSink;
  let base: string;
  let host: { context: BrowserContext; page: Page };
  let invitee: { context: BrowserContext; page: Page } | undefined;
  const email = 'priya@example.org';
  let invitationLink = '';
  const axeFound: Record<string, string[]> = {};

  before(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startTestServer({
      janus: true,
      overrides: { whoMayHost: 'accounts', port, publicUrl: base, smtp: { host: '127.0.0.1', port: sink.port, secure: false, from: 'Sabha <meet@example.org>' } },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await invitee?.context.close();
    await host?.context.close();
    await stopServerAndBrowser(server, browser);
    await sink.close();
  });

  it('registers a passkey and signs in with it', async () => {
    assert.ok(server.setupLink, 'a new server in accounts mode has a setup link');
    host = await contextWithAuthenticator(browser);
    const page = host.page;
    await page.goto(server.setupLink);
    await page.getByTestId('enrol-setup-email').fill('asha@example.org');
    await page.getByTestId('enrol-setup-name').fill('Asha Rao');
    await page.getByTestId('enrol-setup-submit').click();
    await page.getByTestId('enrol-passkey').click();
    await page.getByTestId('enrol-done').waitFor({ timeout: 15_000 });
    await page.getByTestId('enrol-continue').click();
    await page.getByTestId('user-menu').waitFor();
    // Out, and in again with the passkey alone.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-signout').click();
    await page.getByTestId('header-signin').waitFor();
    await page.goto(`${base}/signin`);
    await page.getByTestId('signin-passkey').click();
    await page.getByTestId('user-menu').waitFor({ timeout: 15_000 });
  });

  it('schedules an invited-only meeting, and the invitee’s e-mail arrives with a personal link', async () => {
    const page = host.page;
    await page.goto(`${base}/schedule`);
    await page.getByTestId('schedule-title').fill('Parents’ evening');
    // In an hour, written in the browser's own time zone, as a person picks it.
    // (A string: the test runner's transform would add helpers to a function that the page does not have.)
    const local = await page.evaluate<string>(`(() => {
      const d = new Date(Date.now() + 3600000);
      const pad = (n) => String(n).padStart(2, '0');
      return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
    })()`);
    await page.getByTestId('schedule-when').fill(local);
    await page.getByTestId('schedule-duration').fill('30');
    await page.getByTestId('schedule-invitees').fill(email);
    await page.getByTestId('schedule-invited-only').check();
    await page.getByTestId('schedule-create').click();
    await waitFor(() => page.getByTestId('schedule-status').textContent(), (t) => (t ?? '') !== '', 10_000);
    await page.getByTestId('schedule-card').first().waitFor();
    assert.match((await page.getByTestId('schedule-card').first().textContent()) ?? '', /priya@example\.org/);
    await axeBothLanguages(page, 'schedule: a meeting scheduled', axeFound);

    const [mail] = await sink.waitFor(1, 15_000);
    assert.deepEqual(mail!.to, [email]);
    const invitation = readInvitation(mail!);
    assert.ok(invitation.calendar.includes('METHOD:REQUEST'), 'the .ics is attached');
    invitationLink = invitation.link;
    assert.ok(invitationLink.startsWith(`${base}/i/`), invitationLink);
  });

  it('tells the invitee the host has not started yet, then leads them into the waiting room once the host starts', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', permissions: ['camera', 'microphone'] });
    const guest = await context.newPage();
    invitee = { context, page: guest };
    guest.on('pageerror', (err) => console.error('page error:', err.message));
    await guest.goto(invitationLink);
    await guest.getByTestId('invitation-not-started').waitFor({ timeout: 10_000 });
    assert.equal(new URL(guest.url()).pathname, '/i/', 'the token is taken out of the address bar');
    assert.equal(await guest.getByTestId('invitation-title').textContent(), 'Parents’ evening');
    await axeBothLanguages(guest, 'invitation: not started yet', axeFound);

    // The host starts it from the schedule page and enters as host.
    const page = host.page;
    const card = page.getByTestId('schedule-card').first();
    const scheduleId = (await card.getAttribute('data-schedule-id'))!;
    await page.getByTestId(`schedule-start-${scheduleId}`).click();
    await page.waitForURL(/\/m\/[a-z2-7]{16}$/, { timeout: 15_000 });
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });

    // The invitee's page asks again within 10 s and offers Join.
    await guest.getByTestId('invitation-live').waitFor({ timeout: 25_000 });
    await axeBothLanguages(guest, 'invitation: live', axeFound);
    await guest.getByTestId('invitation-name').fill('Priya');
    await guest.getByTestId('invitation-join').click();
    await guest.waitForURL(/\/m\/[a-z2-7]{16}$/, { timeout: 10_000 });
    assert.equal(new URL(guest.url()).hash, '', 'the invitation is taken out of the address bar');
    await guest.getByTestId('passcode-input').waitFor({ state: 'detached', timeout: 1000 }).catch(() => undefined);
    assert.equal(await guest.getByTestId('passcode-input').count(), 0, 'no passcode is asked for');
    assert.equal(await guest.getByTestId('name-input').inputValue(), 'Priya', 'the name typed on the invitation page is kept');
    await guest.getByTestId('join-button').click();
    await guest.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
  });

  it('shows the host the invitee’s verified address, and both are in the meeting after admission', async () => {
    const page = host.page;
    const guest = invitee!.page;
    await openPanel(page, 'participants');
    const entry = page.getByTestId('waiting-entry').filter({ hasText: 'Priya' });
    await entry.waitFor({ timeout: 10_000 });
    assert.equal(await entry.getByTestId('waiting-identity').textContent(), `verified: ${email}`);
    const id = (await entry.getAttribute('data-participant-id'))!;
    await page.getByTestId(`admit-${id}`).click();
    await guest.getByTestId('meeting').waitFor({ timeout: 30_000 });
    await waitFor(() => page.getByTestId('participant-row').count(), (n) => n === 2, 15_000);
    const row = page.locator(`[data-testid="participant-row"][data-participant-id="${id}"]`);
    assert.equal(await row.getByTestId('participant-identity').textContent(), `verified: ${email}`, 'still shown to the host once admitted');
    await openPanel(guest, 'participants');
    await waitFor(() => guest.getByTestId('participant-row').count(), (n) => n === 2, 15_000);
  });

  it('finds no axe violations on the schedule and invitation pages, in English and in Hindi', () => {
    const withViolations = Object.fromEntries(Object.entries(axeFound).filter(([, v]) => v.length > 0));
    assert.deepEqual(withViolations, {});
    assert.equal(Object.keys(axeFound).length, 6, `pages scanned: ${Object.keys(axeFound).join(', ')}`);
  });
});

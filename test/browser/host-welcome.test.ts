/**
 * The host's and guests' first moments in real browsers through Janus (issue 10, "What to add", first item):
 * the meeting's title on the waiting screen (and nothing about the meeting on the pre-join page, which comes
 * before the passcode is checked), admitting straight from the "waiting to join" notification, and the
 * "share this link" card for a host alone in a new meeting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/test-server.ts';
import { startServerAndBrowser, stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { RawClient, randomDeviceId } from '../helpers/ws-client.ts';
import { e2ee, join, newMeetingLinks, openPage, waitFor, type MeetingLinks } from './browser.ts';

/** Right-to-left and left-to-right in one title, so that the bidi handling is exercised. */
const TITLE = 'صف ٧ب · Class 7B';




async function hostInMeeting(browser: Browser, links: MeetingLinks): Promise<Page> {
  const host = await openPage(browser, links.hostLink, { permissions: ['clipboard-read', 'clipboard-write'] });
  await join(host, 'Teacher');
  await host.getByTestId('meeting').waitFor({ timeout: 30_000 });
  return host;
}

describe('the first moments of a meeting in real browsers', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => ({ server, browser } = await startServerAndBrowser()));
  after(() => stopServerAndBrowser(server, browser));

  it('shows the meeting title on the waiting screens, isolated in its own direction, and nothing of it before the passcode is checked', async () => {
    const links = await newMeetingLinks(server, TITLE);
    const guest = await openPage(browser, links.participantLink);
    await guest.getByTestId('join-button').waitFor();
    assert.ok(!((await guest.textContent('body')) ?? '').includes('Class 7B'), 'the pre-join page knows nothing of the meeting');

    await join(guest, 'Student');
    await guest.getByTestId('waiting-host-absent').waitFor({ timeout: 20_000 });
    const title = guest.getByTestId('waiting-title');
    await waitFor(() => title.textContent(), (text) => text === TITLE, 5000);
    assert.equal(await title.textContent(), TITLE, 'waiting for the host');
    assert.ok(await title.isVisible());
    assert.equal(await title.getAttribute('dir'), 'auto');

    // The host arrives (over raw WebSocket: only the guest's screens matter here); the guest now waits to be let in.
    const host = await RawClient.connect(server.wsUrl);
    await host.request({ type: 'join', meetingId: links.meetingId, passcode: links.passcode, name: 'Host', deviceId: randomDeviceId(), hostSecret: links.hostSecret });
    await guest.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
    await waitFor(() => guest.getByTestId('waiting-title').textContent(), (text) => text === TITLE, 5000);
    assert.equal(await guest.getByTestId('waiting-title').textContent(), TITLE, 'in the waiting room');
    host.close();
    await guest.context().close();
  });

  it('offers a host alone in a new meeting the participant link, without the host secret, to copy', async () => {
    const links = await newMeetingLinks(server, TITLE);
    const host = await hostInMeeting(browser, links);
    const card = host.getByTestId('share-link-card');
    await card.waitFor({ state: 'visible', timeout: 10_000 });
    const shown = await host.getByTestId('share-link-address').textContent();
    assert.equal(shown, links.participantLink);
    assert.ok(!shown?.includes(links.hostSecret), 'the host secret is not in the link');

    await host.getByTestId('share-link-copy').click();
    const copied = await waitFor(() => host.evaluate(() => navigator.clipboard.readText()), (text) => text === links.participantLink, 5000);
    assert.equal(copied, links.participantLink);

    await host.getByTestId('share-link-close').click();
    await card.waitFor({ state: 'hidden', timeout: 5000 });
    await host.context().close();
  });

  it('lets the host admit someone from the "waiting to join" notification into the encrypted meeting, and then puts the link away', async () => {
    const links = await newMeetingLinks(server, TITLE);
    const host = await hostInMeeting(browser, links);
    await host.getByTestId('share-link-card').waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(!(await host.getByTestId('waiting-list').isVisible()), 'the People panel is closed');

    const student = await openPage(browser, links.participantLink);
    await join(student, 'Student');
    await student.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });

    const toast = host.getByTestId('waiting-toast');
    await toast.waitFor({ timeout: 10_000 });
    assert.match((await toast.textContent()) ?? '', /Student is waiting to join/);
    const admit = toast.getByTestId('toast-admit');
    assert.equal(await admit.getAttribute('aria-label'), 'Admit Student');
    await admit.click();
    await student.getByTestId('meeting').waitFor({ timeout: 20_000 });
    await toast.waitFor({ state: 'detached', timeout: 5000 });

    // Admitted with the MLS commit: both are in one group and agree on the security code.
    const agreed = await waitFor(
      async () => [await e2ee(host), await e2ee(student)],
      (states) => states.every((s) => s?.state === 'ready' && s.members.length === 2) && states[0]!.securityCode === states[1]!.securityCode,
      30_000,
    );
    assert.equal(agreed[0]!.securityCode, agreed[1]!.securityCode);
    await host.getByTestId('share-link-card').waitFor({ state: 'hidden', timeout: 5000 });

    // A second person: "View all" opens the waiting room in the People panel.
    const late = await openPage(browser, links.participantLink);
    await join(late, 'Latecomer');
    const second = host.getByTestId('waiting-toast').filter({ hasText: 'Latecomer' });
    await second.waitFor({ timeout: 20_000 });
    await second.getByTestId('toast-view-waiting').click();
    await host.getByTestId('waiting-list').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await host.getByTestId('waiting-entry').filter({ hasText: 'Latecomer' }).count(), 1);

    await host.context().close();
    await student.context().close();
    await late.context().close();
  });
});

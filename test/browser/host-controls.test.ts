/**
 * The host's flows in real browsers: deny and admit from the waiting room, lock,
 * remove (and the removed browser cannot come back), and end for all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { endedReason, openPanel } from '../helpers/meeting-page.ts';
import { join, launchBrowser, openParticipant, waitFor } from './browser.ts';

/** Waits in the waiting room and returns the waiting person's id as the host sees it. */
async function queue(host: Page, page: Page, name: string): Promise<string> {
  await join(page, name);
  await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
  await openPanel(host, 'participants');
  const entry = host.getByTestId('waiting-entry').filter({ hasText: name });
  await entry.waitFor({ timeout: 10_000 });
  return (await entry.getAttribute('data-participant-id'))!;
}

describe('the host controls the room in real browsers', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let host: Page;
  let link = '';

  before(async () => {
    server = await startTestServer({ janus: true });
    browser = await launchBrowser();
    ({ page: host } = await openParticipant(browser, server.url + '/'));
    await host.getByTestId('title-input').fill('Class 7B');
    await host.getByTestId('create-meeting').click();
    link = await host.getByTestId('participant-link').inputValue();
    await host.getByTestId('start-as-host').click();
    await join(host, 'Teacher');
    await host.getByTestId('meeting').waitFor({ timeout: 30_000 });
    host.on('dialog', (dialog) => void dialog.accept());
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('denies one person and admits another from the waiting room', async () => {
    const { page: denied } = await openParticipant(browser, link);
    const deniedId = await queue(host, denied, 'Stranger');
    await host.getByTestId(`deny-${deniedId}`).click();
    assert.equal(await endedReason(denied), 'denied');

    const { page: student } = await openParticipant(browser, link);
    const studentId = await queue(host, student, 'Student');
    await host.getByTestId(`admit-${studentId}`).click();
    await student.getByTestId('meeting').waitFor({ timeout: 20_000 });
    await waitFor(() => host.getByTestId('tile').count(), (n) => n === 2);
    assert.equal(await host.getByTestId('waiting-entry').count(), 0, 'the waiting room is empty again');
  });

  it('locks the meeting so that nobody new can join', async () => {
    await openPanel(host, 'security');
    await host.getByTestId('setting-locked').click();
    await waitFor(() => host.getByTestId('setting-locked').getAttribute('aria-checked'), (v) => v === 'true');
    const { page: late } = await openParticipant(browser, link);
    await join(late, 'Latecomer');
    assert.equal(await endedReason(late), 'locked');
    await host.getByTestId('setting-locked').click();
    await waitFor(() => host.getByTestId('setting-locked').getAttribute('aria-checked'), (v) => v === 'false');
  });

  it('removes a participant, who cannot come back from the same browser', async () => {
    const { context, page: troll } = await openParticipant(browser, link);
    const trollId = await queue(host, troll, 'Troll');
    await host.getByTestId(`admit-${trollId}`).click();
    await troll.getByTestId('meeting').waitFor({ timeout: 20_000 });
    await openPanel(host, 'participants');
    await host.getByTestId(`remove-${trollId}`).click();
    assert.equal(await endedReason(troll), 'removed');
    // Same browser profile (same device id), another name.
    const again = await context.newPage();
    await again.goto(link);
    await join(again, 'Nice Person');
    assert.equal(await endedReason(again), 'removed');
    await waitFor(() => host.locator(`[data-testid="tile"][data-participant-id="${trollId}"]`).count(), (n) => n === 0);
  });

  it('ends the meeting for everyone', async () => {
    const { page: student } = await openParticipant(browser, link);
    const id = await queue(host, student, 'Last student');
    await host.getByTestId(`admit-${id}`).click();
    await student.getByTestId('meeting').waitFor({ timeout: 20_000 });
    await host.getByTestId('leave-button').click();
    await host.getByTestId('end-for-all').click();
    assert.equal(await endedReason(student), 'ended');
    assert.equal(await endedReason(host), 'ended');
  });
});

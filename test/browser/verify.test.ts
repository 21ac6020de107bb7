/**
 * Per-person verification in real browsers: two people, each with a browser profile of their own that
 * persists (a directory per person, as for someone who closes the browser and comes back another day).
 * They verify each other by comparing three words; in a second meeting both show the other as verified
 * without a new comparison; after one resets their identity, the other sees "Key changed".
 * The steps build on each other, so they run in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { join, launchPersistentProfile, newMeetingLinks, selfId, waitFor, type MeetingLinks } from './browser.ts';

async function openPeople(page: Page): Promise<void> {
  if (!(await page.getByTestId('participants-list').isVisible())) await page.getByTestId('participants-button').click();
  await page.getByTestId('participants-list').waitFor();
}

async function openSecurity(page: Page): Promise<void> {
  if (!(await page.getByTestId('security-panel').isVisible())) await page.getByTestId('security-button').click();
  await page.getByTestId('security-panel').waitFor();
}

/** The verification state the people list shows for `id` (its data-state and its words), once it shows `expected`. */
async function shownState(page: Page, id: string, expected: string): Promise<{ state: string | null; text: string | null }> {
  await openPeople(page);
  const tag = page.locator(`[data-testid="participant-row"][data-participant-id="${id}"] [data-testid="verification-state"]`);
  const read = async () => ({ state: (await tag.count()) ? await tag.getAttribute('data-state') : null, text: (await tag.count()) ? await tag.textContent() : null });
  return waitFor(read, (v) => v.state === expected, 30_000);
}

async function leave(page: Page): Promise<void> {
  await page.getByTestId('leave-button').click();
  const endForAll = page.getByTestId('end-for-all');
  if (await endForAll.isVisible().catch(() => false)) await endForAll.click();
  await page.close();
}

describe('verifying people, remembered across meetings', { timeout: 300_000 }, () => {
  let server: TestServer;
  const dirs: string[] = [];
  let asha: BrowserContext;
  let bilal: BrowserContext;

  async function hostMeeting(title: string): Promise<{ links: MeetingLinks; page: Page; id: string }> {
    const links = await newMeetingLinks(server, title);
    const page = await asha.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(links.hostLink);
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    return { links, page, id: await selfId(page) };
  }

  async function joinAsBilal(links: MeetingLinks, host: Page): Promise<{ page: Page; id: string }> {
    const page = await bilal.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(links.participantLink);
    await join(page, 'Bilal');
    await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
    await openPeople(host);
    const entry = host.getByTestId('waiting-entry').filter({ hasText: 'Bilal' });
    await entry.waitFor({ timeout: 10_000 });
    const id = (await entry.getAttribute('data-participant-id'))!;
    await host.getByTestId(`admit-${id}`).click();
    await page.getByTestId('meeting').waitFor({ timeout: 20_000 });
    return { page, id: await selfId(page) };
  }

  async function compareWords(page: Page, otherId: string): Promise<string> {
    await openPeople(page);
    await page.getByTestId(`verify-${otherId}`).click();
    const code = page.getByTestId('verify-code');
    await code.waitFor();
    return (await code.textContent()) ?? '';
  }

  before(async () => {
    server = await startTestServer({ janus: true });
    for (const who of ['asha', 'bilal']) dirs.push(mkdtempSync(joinPath(tmpdir(), `sabha-profile-${who}-`)));
    asha = await launchPersistentProfile(dirs[0]!);
    bilal = await launchPersistentProfile(dirs[1]!);
  });

  after(async () => {
    await asha?.close();
    await bilal?.close();
    await server?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('lets two people verify each other with the same three words on both screens', async () => {
    const host = await hostMeeting('First meeting');
    const guest = await joinAsBilal(host.links, host.page);
    assert.equal((await shownState(host.page, guest.id, 'unverified')).text, 'Not verified');
    assert.equal((await shownState(guest.page, host.id, 'unverified')).text, 'Not verified');
    await openSecurity(host.page);
    assert.equal(await host.page.getByTestId('verification-count').textContent(), 'Verified: 0 of 1. Not verified: 1.');
    assert.match((await host.page.getByTestId('group-code-limits').textContent()) ?? '', /does not tell you: who each person is/);

    const ashaReads = await compareWords(host.page, guest.id);
    const bilalReads = await compareWords(guest.page, host.id);
    assert.match(ashaReads, /^[a-z]+ [a-z]+ [a-z]+$/);
    assert.equal(bilalReads, ashaReads, 'both screens show the same words');
    await host.page.getByTestId('verify-match').click();
    await guest.page.getByTestId('verify-match').click();
    assert.equal((await shownState(host.page, guest.id, 'verified')).text, 'Verified');
    assert.equal((await shownState(guest.page, host.id, 'verified')).text, 'Verified');
    await openSecurity(host.page);
    assert.equal(await host.page.getByTestId('verification-count').textContent(), 'Verified: 1 of 1. Not verified: 0.');
    await leave(guest.page);
    await leave(host.page);
  });

  it('shows both as verified in a later meeting without a new comparison, "Key changed" after one resets their identity, and a reported mismatch', async () => {
    const host = await hostMeeting('Second meeting');
    const guest = await joinAsBilal(host.links, host.page);
    assert.equal((await shownState(host.page, guest.id, 'verified')).text, 'Verified');
    assert.equal((await shownState(guest.page, host.id, 'verified')).text, 'Verified');

    // Bilal resets his identity (confirmed in the browser's dialog), leaves, and comes back.
    await openSecurity(guest.page);
    await guest.page.getByTestId('reset-identity').click();
    await waitFor(() => guest.page.getByText('Your new identity is used from the next meeting you join').count(), (n) => n > 0, 10_000);
    await leave(guest.page);
    const again = await joinAsBilal(host.links, host.page);
    const changed = await shownState(host.page, again.id, 'key-changed');
    assert.match(changed.text ?? '', /^Key changed: not the key you verified for \u2068Bilal\u2069$/);
    await openSecurity(host.page);
    assert.match((await host.page.getByTestId('verification-warning').textContent()) ?? '', /changed key/);
    // Bilal's browser still knows Asha: his reset changed his key, not his memory of hers.
    assert.equal((await shownState(again.page, host.id, 'verified')).text, 'Verified');
    // The verify dialog says it plainly. Had the words differed, the host reports it and the list says so.
    await compareWords(host.page, again.id);
    assert.match((await host.page.getByTestId('verify-key-changed').textContent()) ?? '', /Key changed/);
    await host.page.getByTestId('verify-mismatch').click();
    assert.equal((await shownState(host.page, again.id, 'mismatch')).text, 'Words did not match');
    assert.match((await host.page.getByTestId('verification-summary').textContent()) ?? '', /^1 of 1 not verified by you, 1 with a warning\.$/);
  });
});

/**
 * Core meeting flow in real browsers through Janus: three people, video and audio
 * each way, screen share, chat, someone leaving, and the host ending the meeting.
 * The steps build on each other, so they run in order on one meeting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/test-server.ts';
import { startServerAndBrowser, stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { inboundFrom, join, openParticipant, selfId, stats, waitFor } from './browser.ts';

interface Person {
  name: string;
  page: Page;
  id: string;
}


/** Grows by at least `by` over a few seconds; returns [before, after] for the message. */
async function grows(page: Page, read: (s: Awaited<ReturnType<typeof stats>>) => number, by: number, timeoutMs = 20_000): Promise<[number, number]> {
  const first = read(await stats(page));
  const last = read(await waitFor(() => stats(page), (s) => read(s) >= first + by, timeoutMs));
  return [first, last];
}

describe('a three-person meeting in real browsers', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let host: Person;
  let bilal: Person;
  let chitra: Person;
  let participantLink = '';

  before(async () => ({ server, browser } = await startServerAndBrowser()));
  after(() => stopServerAndBrowser(server, browser));

  it('lets the host start a meeting and admits two people from the waiting room', async () => {
    const { page } = await openParticipant(browser, server.url + '/');
    await page.getByTestId('title-input').fill('Core test');
    await page.getByTestId('create-meeting').click();
    participantLink = await page.getByTestId('participant-link').inputValue();
    assert.match(participantLink, /\/m\/[a-z2-7]{16}#pc=[a-z2-7]{10}$/);
    await page.getByTestId('start-as-host').click();
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor();
    host = { name: 'Asha', page, id: await selfId(page) };

    const others: Person[] = [];
    for (const name of ['Bilal', 'Chitra']) {
      const { page: p } = await openParticipant(browser, participantLink);
      // The participant link's secret is taken out of the address bar at once.
      assert.equal(new URL(p.url()).hash, '');
      await join(p, name);
      await p.getByTestId('waiting-waiting-room').waitFor();
      if (!(await host.page.getByTestId('waiting-list').isVisible())) await host.page.getByTestId('participants-button').click();
      const entry = host.page.getByTestId('waiting-entry').filter({ hasText: name });
      const waitingId = await entry.getAttribute('data-participant-id');
      await host.page.getByTestId(`admit-${waitingId}`).click();
      await p.getByTestId('meeting').waitFor();
      const person = { name, page: p, id: await selfId(p) };
      assert.equal(person.id, waitingId, 'the admitted participant keeps the id it had in the waiting room');
      // Participants join muted (mute on entry); they unmute so that their audio is forwarded.
      await p.getByTestId('mic-button').click();
      others.push(person);
    }
    [bilal, chitra] = others as [Person, Person];
    for (const person of [host, bilal, chitra]) {
      await waitFor(() => person.page.getByTestId('tile').count(), (n) => n === 3);
      assert.equal(await person.page.getByTestId('tile').count(), 3, `${person.name} sees three tiles`);
    }
  });

  it('delivers every participant’s video and audio to the two others', async () => {
    const everyone = [host, bilal, chitra];
    for (const viewer of everyone) {
      for (const other of everyone) {
        if (other === viewer) continue;
        const [f0, f1] = await grows(viewer.page, (s) => inboundFrom(s, other.id).videoFrames, 30);
        assert.ok(f1 >= f0 + 30, `${viewer.name} decodes video frames from ${other.name} (${f0} → ${f1})`);
        const [a0, a1] = await grows(viewer.page, (s) => inboundFrom(s, other.id).audioPackets, 20);
        assert.ok(a1 >= a0 + 20, `${viewer.name} receives audio packets from ${other.name} (${a0} → ${a1})`);
      }
    }
  });

  it('shows the host’s screen share to the others', async () => {
    await host.page.getByTestId('share-screen').click();
    await host.page.getByTestId('screen-tile').waitFor();
    for (const viewer of [bilal, chitra]) {
      await viewer.page.getByTestId('screen-tile').first().waitFor({ timeout: 20_000 });
      assert.equal(await viewer.page.getByTestId('screen-tile').first().getAttribute('data-participant-id'), host.id);
      const [f0, f1] = await grows(viewer.page, (s) => inboundFrom(s, host.id).screenFrames, 10);
      assert.ok(f1 >= f0 + 10, `${viewer.name} decodes the host’s screen (${f0} → ${f1})`);
    }
    await host.page.getByTestId('share-screen').click();
    for (const viewer of [bilal, chitra]) {
      await waitFor(() => viewer.page.getByTestId('screen-tile').count(), (n) => n === 0);
      assert.equal(await viewer.page.getByTestId('screen-tile').count(), 0, `${viewer.name} no longer sees the share`);
    }
  });

  it('brings a chat message to everyone, as text', async () => {
    const text = `Agenda <b>here</b> https://example.org/x ${Date.now()}`;
    for (const viewer of [host, bilal, chitra]) {
      if (!(await viewer.page.getByTestId('chat-input').isVisible())) await viewer.page.getByTestId('chat-button').click();
    }
    await bilal.page.getByTestId('chat-input').fill(text);
    await bilal.page.getByTestId('chat-send').click();
    for (const viewer of [host, bilal, chitra]) {
      const message = viewer.page.getByTestId('chat-message').filter({ hasText: 'Agenda' });
      await message.first().waitFor({ timeout: 10_000 });
      assert.equal(await message.count(), 1, `${viewer.name} has the message once`);
      const shown = await message.first().locator('.chat-text').textContent();
      assert.equal(shown, text, `${viewer.name} sees the exact text`);
      assert.equal(await message.first().locator('b').count(), 0, 'markup in a message stays text');
    }
  });

  it('updates the others’ grids when a participant leaves', async () => {
    await chitra.page.getByTestId('leave-button').click();
    await chitra.page.getByTestId('meeting-ended').waitFor();
    assert.equal(await chitra.page.getByTestId('meeting-ended').getAttribute('data-reason'), 'left');
    for (const viewer of [host, bilal]) {
      await waitFor(() => viewer.page.getByTestId('tile').count(), (n) => n === 2);
      assert.equal(await viewer.page.locator(`[data-testid="tile"][data-participant-id="${chitra.id}"]`).count(), 0, `${viewer.name} no longer shows Chitra`);
      assert.equal(await viewer.page.getByTestId('tile').count(), 2);
    }
  });

  it('tells everyone when the host ends the meeting for all', async () => {
    await host.page.getByTestId('leave-button').click();
    await host.page.getByTestId('end-for-all').click();
    for (const viewer of [host, bilal]) {
      await viewer.page.getByTestId('meeting-ended').waitFor({ timeout: 10_000 });
      assert.equal(await viewer.page.getByTestId('meeting-ended').getAttribute('data-reason'), 'ended', `${viewer.name} is told the meeting ended`);
    }
  });
});

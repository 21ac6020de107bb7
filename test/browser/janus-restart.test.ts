/**
 * A meeting survives its media server, in real browsers: during a 3-person end-to-end encrypted meeting Janus
 * is killed with SIGKILL, three times. Each time every page shows "Reconnecting media…", and within 5 s of the
 * kill everyone decodes everyone again (video frames and audio samples growing for every remote), the notice
 * is gone, the security code and MLS epoch are what they were, and chat goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { JanusEngine } from '../../src/media/janus/janus-engine.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { inboundFrom, join, launchBrowser, newMeetingLinks, openParticipant, stats, waitFor } from './browser.ts';
import { settledGroup, type MeetingPerson as Person } from '../helpers/meeting-page.ts';

const RECOVERY_BUDGET_MS = 5_000;

/**
 * Each viewer decodes each other person's video and audio, growing now: two readings `gapMs` apart, the second
 * higher for video frames and for audio samples. Returns the first pair that does not (or null).
 */
async function decodingNow(people: readonly Person[], gapMs = 400): Promise<string | null> {
  const read = () => Promise.all(people.map(async (p) => ({ p, s: await stats(p.page) })));
  const before = await read();
  await new Promise((resolve) => setTimeout(resolve, gapMs));
  const later = await read();
  for (let i = 0; i < people.length; i++) {
    for (const other of people) {
      if (other === people[i]) continue;
      const a = inboundFrom(before[i]!.s, other.id);
      const b = inboundFrom(later[i]!.s, other.id);
      if (!(b.videoFrames > a.videoFrames && b.audioSamples > a.audioSamples)) {
        return `${people[i]!.name} ← ${other.name}: video ${a.videoFrames} → ${b.videoFrames}, audio samples ${a.audioSamples} → ${b.audioSamples}`;
      }
    }
  }
  return null;
}

async function sendChat(from: Person, everyone: readonly Person[], text: string): Promise<void> {
  for (const p of everyone) if (!(await p.page.getByTestId('chat-input').isVisible())) await p.page.getByTestId('chat-button').click();
  await from.page.getByTestId('chat-input').fill(text);
  await from.page.getByTestId('chat-send').click();
  for (const p of everyone) {
    const message = p.page.getByTestId('chat-message').filter({ hasText: text });
    await message.first().waitFor({ timeout: 10_000 });
    assert.equal(await message.count(), 1, `${p.name} has "${text}" once`);
  }
}

describe('an encrypted meeting whose Janus is killed three times', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const people: Person[] = [];

  before(async () => {
    server = await startTestServer({ janus: true });
    browser = await launchBrowser();
    const links = await newMeetingLinks(server, 'Restart');
    const { page: hostPage } = await openParticipant(browser, links.hostLink);
    await join(hostPage, 'Asha');
    await hostPage.getByTestId('meeting').waitFor({ timeout: 30_000 });
    hostPage.on('dialog', (dialog) => void dialog.accept());
    people.push({ name: 'Asha', page: hostPage, id: (await waitFor(() => stats(hostPage), (s) => s.selfId !== null)).selfId! });
    for (const name of ['Bilal', 'Chitra']) {
      const { page } = await openParticipant(browser, links.participantLink);
      await join(page, name);
      await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
      if (!(await hostPage.getByTestId('waiting-list').isVisible())) await hostPage.getByTestId('participants-button').click();
      const entry = hostPage.getByTestId('waiting-entry').filter({ hasText: name });
      await entry.waitFor({ timeout: 10_000 });
      const id = (await entry.getAttribute('data-participant-id'))!;
      await hostPage.getByTestId(`admit-${id}`).click();
      await page.getByTestId('meeting').waitFor({ timeout: 20_000 });
      // Participants join muted; they unmute so that their audio is forwarded.
      await page.getByTestId('mic-button').click();
      people.push({ name, page, id });
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('goes on after each kill: a reconnecting notice, everyone decoding everyone within 5 s, the same security code, chat', async () => {
    const states = await settledGroup(people);
    const code = states[0]!.securityCode!;
    const epoch = states[0]!.epoch;
    const failuresBefore = states.map((s) => Object.values(s.decryptFailures).reduce((a, n) => a + n, 0));
    const ready = await waitFor(() => decodingNow(people), (problem) => problem === null, 30_000, 0);
    assert.equal(ready, null, 'everyone decodes everyone before the first kill');

    const engine = server.engine as JanusEngine;
    for (let round = 1; round <= 3; round++) {
      const pid = engine.janusPid;
      assert.ok(pid, 'the engine knows its Janus process');
      // Seen by each page while it lasts (watched from before the kill, so a short notice is not missed).
      const noticeShown = people.map((p) => p.page.getByTestId('media-reconnecting').waitFor({ state: 'visible', timeout: RECOVERY_BUDGET_MS }));
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await Promise.all(noticeShown);

      const deadline = killedAt + RECOVERY_BUDGET_MS;
      for (const p of people) {
        await p.page.getByTestId('media-reconnecting').waitFor({ state: 'hidden', timeout: Math.max(1, deadline - Date.now()) });
      }
      const noticeGoneMs = Date.now() - killedAt;
      let problem: string | null = 'not read';
      while (problem !== null && Date.now() < deadline) problem = await decodingNow(people, 300);
      const decodingMs = Date.now() - killedAt;
      assert.equal(problem, null, `kill ${round}: everyone decodes everyone again within ${RECOVERY_BUDGET_MS} ms`);
      console.log(`# kill ${round}: notice gone after ${noticeGoneMs} ms, everyone decoding everyone after ${decodingMs} ms (budget ${RECOVERY_BUDGET_MS} ms)`);
      assert.notEqual(engine.janusPid, pid, 'a new Janus process serves the meeting');

      // The MLS group was not touched: same epoch, same code; no frame was refused.
      const now = await settledGroup(people);
      for (const s of now) {
        assert.equal(s.securityCode, code, `kill ${round}: the security code is unchanged`);
        assert.equal(s.epoch, epoch, `kill ${round}: the MLS epoch is unchanged`);
      }
      assert.deepEqual(now.map((s) => Object.values(s.decryptFailures).reduce((a, n) => a + n, 0)), failuresBefore, 'no frame failed to decrypt');
      await sendChat(people[round - 1]!, people, `after restart ${round}`);
    }
    for (const p of people) assert.equal(await p.page.getByTestId('meeting').isVisible(), true, `${p.name} is still in the meeting`);
  });
});

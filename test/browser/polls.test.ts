/**
 * Polls in real Chromium through Janus (issue 12): a host and two participants. An anonymous single-choice
 * poll (one participant changes the answer) and a named multiple-choice poll; the host's live results are
 * right, participants see no results until the host shares them, the shared results reach everyone, and no
 * participant's browser ever receives another participant's answer (every `poll` message a participant's
 * page is sent comes from the host).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServerAndBrowser, stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { joinThroughWaitingRoom, settledGroup, type MeetingPerson } from '../helpers/meeting-page.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { join, newMeetingLinks, openPage, selfId, waitFor } from './browser.ts';

/** In the page before Sabha's script: records the sender and recipient of every `poll` message the server sends it. */
function recordPolls(): void {
  const w = window as unknown as { __polls: { from: string; to: string | null }[] };
  w.__polls = [];
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data !== 'string' || !event.data.includes('"poll"')) return;
        const message = JSON.parse(event.data) as { type: string; from?: string; to?: string };
        if (message.type === 'poll') w.__polls.push({ from: message.from ?? '', to: message.to ?? null });
      });
    }
  };
}

const pollMessages = (page: Page) => page.evaluate(() => (window as unknown as { __polls: { from: string; to: string | null }[] }).__polls);

async function openPolls(page: Page): Promise<void> {
  if (!(await page.getByTestId('polls-panel').isVisible())) await page.getByTestId('polls-button').click();
  await page.getByTestId('polls-panel').waitFor();
}

/** The host asks a poll through the form; returns its id once it shows in the host's list. */
async function ask(page: Page, question: string, options: string[], kind: { multiple: boolean; anonymous: boolean }): Promise<string> {
  await openPolls(page);
  const before = await page.getByTestId('poll').count();
  await page.getByTestId('poll-new-open').click();
  await page.getByTestId('poll-new-question').fill(question);
  while ((await page.getByTestId('poll-new-option').count()) < options.length) await page.getByTestId('poll-add-option').click();
  for (const [i, text] of options.entries()) await page.getByTestId('poll-new-option').nth(i).fill(text);
  await page.getByTestId('poll-multiple').setChecked(kind.multiple);
  await page.getByTestId('poll-anonymous').setChecked(kind.anonymous);
  await page.getByTestId('poll-ask').click();
  await waitFor(() => page.getByTestId('poll').count(), (n) => n === before + 1, 10_000);
  return (await page.getByTestId('poll').first().getAttribute('data-poll-id'))!;
}

const card = (page: Page, id: string) => page.locator(`[data-testid="poll"][data-poll-id="${id}"]`);

/** A participant answers: ticks these options and sends. */
async function answer(page: Page, id: string, choices: number[]): Promise<void> {
  await openPolls(page);
  const poll = card(page, id);
  await poll.waitFor({ timeout: 15_000 });
  const inputs = poll.getByTestId('poll-choice');
  const count = await inputs.count();
  for (let i = 0; i < count; i++) await inputs.nth(i).setChecked(choices.includes(i));
  await poll.getByTestId('poll-answer').click();
  await poll.getByTestId('poll-answered').waitFor({ timeout: 10_000 });
}

/** The counts a card shows, by option, and how many answered. */
async function shownResults(page: Page, id: string): Promise<{ counts: number[]; voters: number | null }> {
  const poll = card(page, id);
  const counts = await poll.getByTestId('poll-result').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.count)));
  const voters = await poll.getByTestId('poll-voters').getAttribute('data-voters', { timeout: 1_000 }).catch(() => null);
  return { counts, voters: voters === null ? null : Number(voters) };
}

async function resultsBecome(page: Page, id: string, expected: { counts: number[]; voters: number }): Promise<void> {
  const shown = await waitFor(() => shownResults(page, id), (r) => JSON.stringify(r) === JSON.stringify(expected), 15_000);
  assert.deepEqual(shown, expected);
}

describe('polls in real browsers', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let host: MeetingPerson;
  let asha: MeetingPerson;
  let ravi: MeetingPerson;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const links = await newMeetingLinks(server, 'Staff meeting');
    const page = await openPage(browser, links.hostLink, { init: recordPolls });
    await join(page, 'Hema');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    host = { name: 'Hema', page, id: await selfId(page) };
    asha = await joinThroughWaitingRoom(host.page, await openPage(browser, links.participantLink, { init: recordPolls }), 'Asha');
    ravi = await joinThroughWaitingRoom(host.page, await openPage(browser, links.participantLink, { init: recordPolls }), 'Ravi');
    await settledGroup([host, asha, ravi]);
  });

  after(() => stopServerAndBrowser(server, browser));

  it('counts an anonymous single-choice poll on the host, with a changed answer counted once, and shares the counts with everyone', async () => {
    const id = await ask(host.page, 'Lunch at one?', ['Yes', 'No'], { multiple: false, anonymous: true });
    // Participants are told, and see the poll to answer.
    await asha.page.getByTestId('poll-opened-toast').waitFor({ timeout: 15_000 });
    await answer(asha.page, id, [0]);
    await answer(ravi.page, id, [1]);
    await resultsBecome(host.page, id, { counts: [1, 1], voters: 2 });
    await answer(ravi.page, id, [0]); // Ravi changes his mind
    await resultsBecome(host.page, id, { counts: [2, 0], voters: 2 });
    assert.equal(await card(host.page, id).getByTestId('poll-names').count(), 0, 'an anonymous poll shows the host no names');
    for (const p of [asha, ravi]) assert.equal(await card(p.page, id).getByTestId('poll-result').count(), 0, `${p.name} sees no results before they are shared`);

    await card(host.page, id).getByTestId('poll-share').click();
    await card(host.page, id).getByTestId('poll-shared').waitFor({ timeout: 10_000 });
    for (const p of [asha, ravi]) {
      await resultsBecome(p.page, id, { counts: [2, 0], voters: 2 });
      assert.equal(await card(p.page, id).getAttribute('data-state'), 'closed');
      assert.equal(await card(p.page, id).getByTestId('poll-choice').count(), 0, 'a closed poll takes no answer');
    }
  });

  it('shows the host who chose what in a named multiple-choice poll, and participants only what the host shares', async () => {
    const id = await ask(host.page, 'Which days suit you?', ['Mon', 'Tue', 'Wed'], { multiple: true, anonymous: false });
    await answer(asha.page, id, [0, 2]);
    await answer(ravi.page, id, [1, 2]);
    await resultsBecome(host.page, id, { counts: [1, 1, 2], voters: 2 });
    const names = await card(host.page, id).getByTestId('poll-result').evaluateAll((rows) => rows.map((r) => r.querySelector('[data-testid="poll-names"]')?.textContent ?? ''));
    assert.match(names[0]!, /Asha/);
    assert.doesNotMatch(names[0]!, /Ravi/);
    assert.match(names[1]!, /Ravi/);
    assert.doesNotMatch(names[1]!, /Asha/);
    assert.match(names[2]!, /Asha.*Ravi/);

    // Closing stops answers; participants still see no results, nor anyone's names.
    await card(host.page, id).getByTestId('poll-close').click();
    for (const p of [asha, ravi]) {
      await waitFor(() => card(p.page, id).getAttribute('data-state'), (s) => s === 'closed', 10_000);
      assert.equal(await card(p.page, id).getByTestId('poll-result').count(), 0, `${p.name} sees no results before they are shared`);
    }
    assert.doesNotMatch((await card(asha.page, id).textContent()) ?? '', /Ravi/, 'Asha never sees Ravi’s answer');
    assert.doesNotMatch((await card(ravi.page, id).textContent()) ?? '', /Asha/, 'Ravi never sees Asha’s answer');

    await card(host.page, id).getByTestId('poll-share').click();
    for (const p of [asha, ravi]) {
      await resultsBecome(p.page, id, { counts: [1, 1, 2], voters: 2 });
      assert.equal(await card(p.page, id).getByTestId('poll-names').count(), 0, 'shared results carry counts, never names');
    }
    // Both polls stay in everyone's list, newest first.
    for (const p of [host, asha, ravi]) assert.equal(await p.page.getByTestId('poll').count(), 2, `${p.name} lists both polls`);
  });

  it('never sends a participant’s browser another participant’s answer: every poll message it gets is the host’s', async () => {
    for (const p of [asha, ravi]) {
      const received = await pollMessages(p.page);
      assert.ok(received.length >= 5, `${p.name} received the polls, their closing and their results: ${received.length}`);
      assert.deepEqual(received.filter((m) => m.from !== host.id), [], `${p.name} got poll messages only from the host`);
    }
    const atHost = await pollMessages(host.page);
    assert.deepEqual(new Set(atHost.map((m) => m.from)), new Set([asha.id, ravi.id]), 'the host got the answers');
    assert.ok(atHost.every((m) => m.to === host.id), 'each answer was addressed to the host alone');
    assert.equal(atHost.length, 5, 'five answers: Asha 2, Ravi 3 (one of them changed)');
  });
});

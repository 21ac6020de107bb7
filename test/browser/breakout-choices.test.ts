/**
 * Breakout rooms in real browsers, the parts the four-person suite (breakout.test.ts) does not click: the
 * host's random assignment, a participant choosing a room from the chooser when choosing is allowed, and the
 * timer running out, which closes the rooms by themselves after a countdown everyone sees. A host and two
 * participants; the steps build on each other, so they run in order on one meeting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServerAndBrowser, stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { joinThroughWaitingRoom, settledGroup, type MeetingPerson as Person } from '../helpers/meeting-page.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { join, newMeetingLinks, openParticipant, selfId, waitFor, type DebugStats, type E2eeDebug } from './browser.ts';

type BreakoutStats = (DebugStats & { room: number | null }) | null;
const breakoutStats = (page: Page): Promise<BreakoutStats> =>
  page.evaluate(() => (window as unknown as { __sabhaDebug: { breakoutStats(): Promise<BreakoutStats> } }).__sabhaDebug.breakoutStats());
const breakoutE2ee = (page: Page): Promise<E2eeDebug | null> =>
  page.evaluate(() => (window as unknown as { __sabhaDebug: { breakoutE2ee(): E2eeDebug | null } }).__sabhaDebug.breakoutE2ee());

/** Everyone in `people` is joined in breakout room `room` and keyed in one group of exactly them. */
async function inRoom(people: readonly Person[], room: number): Promise<void> {
  const states = await waitFor(
    () => Promise.all(people.map(async (p) => ({ stats: await breakoutStats(p.page), e2ee: await breakoutE2ee(p.page) }))),
    (all) => all.every((s) => s.stats?.room === room && s.stats.connection === 'joined' && s.e2ee?.state === 'ready' && s.e2ee.members.length === people.length),
    40_000,
  );
  const summary = JSON.stringify(states.map((s) => [s.stats?.room, s.stats?.connection, s.e2ee?.state, s.e2ee?.members.length]));
  assert.ok(states.every((s) => s.stats?.room === room && s.e2ee?.state === 'ready' && s.e2ee.members.length === people.length), `${people.map((p) => p.name).join(', ')} are keyed together in room ${room}: ${summary}`);
  assert.equal(new Set(states.map((s) => s.e2ee!.securityCode)).size, 1, 'one security code in the room');
}

describe('breakout rooms: random assignment, choosing a room, and the timer', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let host: Person;
  let bilal: Person;
  let chitra: Person;
  /** The room random assignment gave Chitra. */
  let chitraRoom = -1;

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const links = await newMeetingLinks(server, 'Workshop');
    const { page } = await openParticipant(browser, links.hostLink);
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    host = { name: 'Asha', page, id: await selfId(page) };
    for (const name of ['Bilal', 'Chitra']) {
      const { page: guest } = await openParticipant(browser, links.participantLink);
      const person = await joinThroughWaitingRoom(host.page, guest, name);
      if (name === 'Bilal') bilal = person;
      else chitra = person;
    }
    await settledGroup([host, bilal, chitra]);
    await host.page.keyboard.press('Escape');
  });

  after(() => stopServerAndBrowser(server, browser));

  it('puts the participants one in each room when the host assigns at random', async () => {
    const page = host.page;
    await page.getByTestId('breakout-button').click();
    await page.getByTestId('breakout-count').fill('2');
    await page.getByTestId('breakout-allow-choice').check();
    await page.getByTestId('breakout-create').click();
    await page.getByTestId('breakout-random').click();
    const rooms = await waitFor(
      () => Promise.all([bilal, chitra].map((p) => page.getByTestId(`breakout-assign-${p.id}`).inputValue())),
      (values) => values.every((v) => v !== ''),
      10_000,
    );
    assert.deepEqual([...rooms].sort(), ['0', '1'], `one participant in each room (${rooms.join(', ')})`);
    chitraRoom = Number(rooms[1]);
    // Bilal is taken out again, to choose for himself once the rooms open.
    await page.getByTestId(`breakout-assign-${bilal.id}`).selectOption('');
    await waitFor(() => page.getByTestId(`breakout-assign-${bilal.id}`).inputValue(), (v) => v === '', 5000);
  });

  it('lets a participant without a room choose one from the chooser and land in it', async () => {
    const page = host.page;
    await page.getByTestId('breakout-minutes').fill('1');
    await page.getByTestId('breakout-open').click();
    await page.getByTestId(`breakout-visit-${chitraRoom}`).waitFor();
    await page.getByTestId('breakout-dialog-close').click();
    // Bilal has no room: the toast offers the chooser, which offers every room.
    await bilal.page.getByTestId('breakout-choose-open').click();
    const choices = await bilal.page.getByTestId('breakout-chooser').getByRole('button').count();
    assert.equal(choices, 2, 'the chooser offers both rooms');
    await bilal.page.getByTestId(`breakout-choose-${chitraRoom}`).click();
    await bilal.page.getByTestId('breakout-dialog-close').click();
    await inRoom([bilal, chitra], chitraRoom);
    for (const p of [bilal, chitra]) await p.page.getByTestId('breakout-stage').waitFor();
    // The choice is the plan's: the host sees Bilal in that room.
    await page.getByTestId('breakout-button').click();
    const shown = await waitFor(() => page.getByTestId(`breakout-assign-${bilal.id}`).inputValue(), (v) => v === String(chitraRoom), 10_000);
    assert.equal(shown, String(chitraRoom), 'the host sees the room Bilal chose');
    await page.getByTestId('breakout-dialog-close').click();
  });

  it('closes the rooms by themselves when the timer runs out, with a countdown, and brings everyone back', async () => {
    // The one-minute timer set at opening runs out, then the 30 s countdown starts: shown in the rooms and to the host.
    for (const p of [bilal, chitra]) {
      const text = await waitFor(() => p.page.getByTestId('breakout-countdown').textContent(), (s) => /close in \d+/.test(s ?? ''), 75_000, 1000);
      assert.match(text ?? '', /close in \d+/, `${p.name} sees the countdown in the room`);
    }
    const hostClock = await waitFor(() => host.page.getByTestId('breakout-clock').textContent(), (s) => /close in \d+/.test(s ?? ''), 5000);
    assert.match(hostClock ?? '', /close in \d+/, 'the host sees the countdown in the main room');
    for (const p of [bilal, chitra]) await waitFor(() => breakoutStats(p.page), (s) => s === null, 45_000, 1000);
    for (const p of [bilal, chitra]) assert.equal(await breakoutStats(p.page), null, `${p.name} is back in the main room`);
    await waitFor(() => host.page.getByTestId('breakout-clock').isHidden(), (hidden) => hidden, 5000);
    assert.ok(await host.page.getByTestId('breakout-clock').isHidden(), 'no clock once the rooms are over');
    const states = await settledGroup([host, bilal, chitra]);
    assert.equal(new Set(states.map((s) => s.securityCode)).size, 1, 'everyone is keyed together in the main group again');
  });
});

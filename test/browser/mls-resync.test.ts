/**
 * MLS resynchronisation in real browsers through Janus: a participant's signalling connection drops (its
 * page closes the WebSocket and cannot reconnect for a while) while the host admits someone, so it misses
 * the commit that adds them. When it comes back it resumes its place, is re-added to the MLS group by a
 * resync commit, reports no desynchronisation, decodes everyone, and everyone shows one security code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { join, launchBrowser, newMeetingLinks, openPage, stats, waitFor } from './browser.ts';
import { e2eeState, everyoneDecodesEveryone, joinThroughWaitingRoom, openPanel, settledGroup, type MeetingPerson as Person } from '../helpers/meeting-page.ts';

/**
 * Runs before Sabha's script: every WebSocket the page opens is remembered, `__testNetwork.drop()` closes
 * them and sends new ones to a path the server refuses (404) until `restore()`, the way a network that
 * went away looks to the page. Media connections are left alone: only signalling drops.
 */
const NETWORK_SWITCH = `(() => {
  const Native = window.WebSocket;
  const sockets = [];
  let blocked = false;
  function TestWebSocket(url, protocols) {
    const target = blocked ? String(url).replace(/\\/ws$/, '/ws-blocked') : url;
    const socket = protocols === undefined ? new Native(target) : new Native(target, protocols);
    sockets.push(socket);
    return socket;
  }
  TestWebSocket.prototype = Native.prototype;
  Object.assign(TestWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = TestWebSocket;
  window.__testNetwork = {
    drop() { blocked = true; for (const s of sockets) if (s.readyState <= 1) s.close(); },
    restore() { blocked = false; },
  };
})();`;

describe('a participant whose signalling drops while someone is admitted', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let link = '';
  let host: Person;

  async function enter(name: string, init?: string): Promise<Person> {
    return joinThroughWaitingRoom(host.page, await openPage(browser, link, init ? { init } : {}), name);
  }

  before(async () => {
    server = await startTestServer({ janus: true });
    browser = await launchBrowser();
    const links = await newMeetingLinks(server, 'Resync');
    link = links.participantLink;
    const page = await openPage(browser, links.hostLink);
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    host = { name: 'Asha', page, id: (await waitFor(() => stats(page), (s) => s.selfId !== null)).selfId! };
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('comes back into the MLS group by itself, reports no desynchronisation, decodes everyone, and everyone shows one security code', async () => {
    const bilal = await enter('Bilal', NETWORK_SWITCH);
    const initial = await settledGroup([host, bilal]);

    // Dev waits; Bilal's signalling goes away; the host admits Dev while Bilal cannot hear it.
    const devPage = await openPage(browser, link);
    await join(devPage, 'Dev');
    await devPage.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
    await bilal.page.evaluate(() => (window as unknown as { __testNetwork: { drop(): void } }).__testNetwork.drop());
    await openPanel(host.page, 'participants');
    await host.page.getByTestId('participant-row').filter({ hasText: 'Bilal' }).filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 15_000 });
    const entry = host.page.getByTestId('waiting-entry').filter({ hasText: 'Dev' });
    const devId = (await entry.getAttribute('data-participant-id'))!;
    await host.page.getByTestId(`admit-${devId}`).click();
    await devPage.getByTestId('meeting').waitFor({ timeout: 20_000 });
    await devPage.getByTestId('mic-button').click();
    const dev: Person = { name: 'Dev', page: devPage, id: devId };
    const admitted = await waitFor(() => Promise.all([host, dev].map(e2eeState)), ([h, d]) => h!.epoch === d!.epoch && d!.state === 'ready' && h!.members.includes(devId));
    assert.equal(admitted[0]!.epoch, initial[0]!.epoch! + 1, 'the admission was one commit');
    assert.equal((await e2eeState(bilal)).epoch, initial[0]!.epoch, 'Bilal missed it');

    // Bilal's network comes back: it resumes its place (same participant id) and is re-added.
    const restoredAt = Date.now();
    await bilal.page.evaluate(() => (window as unknown as { __testNetwork: { restore(): void } }).__testNetwork.restore());
    await waitFor(() => stats(bilal.page), (s) => s.connection === 'joined', 30_000, 50);
    const resumedAt = Date.now();
    assert.equal((await stats(bilal.page)).selfId, bilal.id, 'Bilal resumed, it did not join again');

    const people = [host, bilal, dev];
    const final = await settledGroup(people);
    // A figure, not an assertion: the page's reconnect back-off dominates the first, the resync the second.
    console.log(`resync: resumed ${resumedAt - restoredAt} ms after the network came back; group agreed ${Date.now() - resumedAt} ms after the resume (polled every 250 ms)`);
    const code = final[0]!.securityCode!;
    for (const s of final) assert.equal(s.securityCode, code, 'every member derives the same security code');
    assert.equal(final[0]!.epoch, admitted[0]!.epoch! + 1, 'Bilal was re-added by one resync commit');
    assert.notEqual(code, admitted[0]!.securityCode, 'the security code changed with the resync');
    for (const p of people) {
      const s = await e2eeState(p);
      assert.equal(s.problems.desynchronized ?? 0, 0, `${p.name} reports no desynchronisation`);
      assert.deepEqual([s.roster.missingFromGroup, s.roster.unknownInGroup], [[], []], `${p.name}'s roster matches the meeting`);
      assert.equal(await p.page.getByTestId('e2ee-state').textContent(), 'End-to-end encrypted');
      await waitFor(() => p.page.getByTestId('security-code').textContent(), (t) => t === code, 10_000);
      assert.equal(await p.page.getByTestId('security-code').textContent(), code, `${p.name}'s header shows the code`);
    }
    await everyoneDecodesEveryone(people);
    for (const p of people) {
      const warnings = await waitFor(() => p.page.locator('[data-testid="decrypt-warning"]:visible').count(), (n) => n === 0, 15_000);
      assert.equal(warnings, 0, `${p.name} sees no "can't decrypt" warning`);
      assert.equal(await p.page.getByTestId('roster-warning').isVisible(), false, `${p.name} sees no roster warning`);
    }
  });
});

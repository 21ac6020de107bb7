/**
 * End-to-end encryption in real browsers through Janus: every meeting is encrypted, members decode each
 * other's media, all show one security code, and the code changes when someone is admitted or removed while
 * the others keep decoding. The steps build on each other, so they run in order on one meeting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { everyoneDecodesEveryone, joinThroughWaitingRoom, openPanel, settledGroup, type MeetingPerson as Person } from '../helpers/meeting-page.ts';
import { e2ee, join, launchBrowser, openParticipant, stats, waitFor } from './browser.ts';

/** The code each person's header shows, once it shows one for this epoch. */
async function shownCodes(people: readonly Person[], expected: string): Promise<string[]> {
  return Promise.all(
    people.map(async (p) => {
      const code = await waitFor(() => p.page.getByTestId('security-code').textContent(), (t) => t === expected, 10_000);
      return code ?? '';
    }),
  );
}

/** No tile warns about undecryptable media (warnings of an epoch change fade within seconds). */
async function noDecryptWarnings(people: readonly Person[]): Promise<void> {
  for (const p of people) {
    const n = await waitFor(() => p.page.locator('[data-testid="decrypt-warning"]:visible').count(), (count) => count === 0, 15_000);
    assert.equal(n, 0, `${p.name} sees no "can't decrypt" warning`);
  }
}

describe('an end-to-end encrypted meeting in real browsers', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let host: Person;
  let link = '';
  const people: Person[] = [];
  let codes: string[] = [];

  async function admit(name: string): Promise<Person> {
    const { page } = await openParticipant(browser, link);
    return joinThroughWaitingRoom(host.page, page, name);
  }

  before(async () => {
    server = await startTestServer({ janus: true });
    browser = await launchBrowser();
    const { page } = await openParticipant(browser, server.url + '/');
    await page.getByTestId('title-input').fill('Encrypted');
    await page.getByTestId('create-meeting').click();
    link = await page.getByTestId('participant-link').inputValue();
    await page.getByTestId('start-as-host').click();
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    page.on('dialog', (dialog) => void dialog.accept());
    host = { name: 'Asha', page, id: (await waitFor(() => stats(page), (s) => s.selfId !== null)).selfId! };
    people.push(host);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lets three people see and hear each other through encryption, all showing the same security code', async () => {
    people.push(await admit('Bilal'), await admit('Chitra'));
    const states = await settledGroup(people);
    const code = states[0]!.securityCode!;
    assert.match(code, /^\d{5} \d{5} \d{5}$/);
    for (const s of states) assert.equal(s.securityCode, code, 'every member derives the same security code');
    assert.deepEqual(await shownCodes(people, code), people.map(() => code), 'every header shows that code');
    for (const p of people) assert.equal(await p.page.getByTestId('e2ee-state').textContent(), 'End-to-end encrypted');
    await everyoneDecodesEveryone(people);
    await noDecryptWarnings(people);
    // The badge explains what the code is for.
    await host.page.getByTestId('e2ee-badge').click();
    const dialog = host.page.getByTestId('e2ee-dialog');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /compare it/i);
    assert.equal(await host.page.getByTestId('e2ee-dialog-code').textContent(), code);
    await host.page.getByTestId('e2ee-dialog-close').click();
    // The security panel's encryption row shows the state and the code, for participants too.
    await openPanel(people[1]!.page, 'security');
    assert.equal(await people[1]!.page.getByTestId('encryption-state').getAttribute('data-state'), 'ready');
    assert.equal(await people[1]!.page.getByTestId('encryption-code').textContent(), code);
    codes.push(code);
  });

  it('keys a fourth person admitted later, who decodes everyone, and changes the code for all', async () => {
    people.push(await admit('Dev'));
    const states = await settledGroup(people);
    const code = states[0]!.securityCode!;
    for (const s of states) assert.equal(s.securityCode, code);
    assert.notEqual(code, codes[0], 'the code changed when someone joined');
    await shownCodes(people, code);
    await everyoneDecodesEveryone(people);
    await noDecryptWarnings(people);
    codes.push(code);
  });

  it('goes on decoding after the host removes someone, with a new code for the rest', async () => {
    const removed = people.splice(2, 1)[0]!;
    await openPanel(host.page, 'participants');
    await host.page.getByTestId(`remove-${removed.id}`).click();
    await removed.page.getByTestId('meeting-ended').waitFor({ timeout: 20_000 });
    const states = await settledGroup(people);
    const code = states[0]!.securityCode!;
    for (const s of states) assert.equal(s.securityCode, code);
    assert.ok(!codes.includes(code), 'the code changed again when someone was removed');
    assert.ok(states.every((s) => !s.members.includes(removed.id)), 'the removed person is out of the MLS group');
    await shownCodes(people, code);
    await everyoneDecodesEveryone(people);
    await noDecryptWarnings(people);
    for (const p of people) {
      const s = (await e2ee(p.page))!;
      assert.deepEqual([s.roster.missingFromGroup, s.roster.unknownInGroup], [[], []], `${p.name}'s roster matches the meeting`);
      assert.equal(await p.page.getByTestId('roster-warning').isVisible(), false);
    }
  });
});

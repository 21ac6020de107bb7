/**
 * The older encoded-transform path, `createEncodedStreams` ("insertable streams"), which Chromium before 141
 * (and Chromium-based browsers built on it) take because they lack `RTCRtpScriptTransform`. Chromium 156 has
 * both, so its pages are made to look like an older one: an init script removes `RTCRtpScriptTransform` before
 * Sabha's script runs, and counts the `createEncodedStreams` calls so the test knows the path was taken.
 *
 * A host on the script-transform path and participants on the legacy path must decode each other with one
 * security code and no decryption failure, also after a fourth person is admitted (a new epoch).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { everyoneDecodesEveryone, joinThroughWaitingRoom, settledGroup, type MeetingPerson as Person } from '../helpers/meeting-page.ts';
import { e2ee, join, launchBrowser, openPage, stats, waitFor } from './browser.ts';

/**
 * Runs in the page before Sabha: the browser now looks like a Chromium without the script transform, and each
 * stream pair taken is counted by direction.
 */
function olderChromium(): void {
  const scope = window as unknown as { RTCRtpScriptTransform?: unknown; __legacyStreams: { senders: number; receivers: number } };
  delete scope.RTCRtpScriptTransform;
  scope.__legacyStreams = { senders: 0, receivers: 0 };
  for (const [proto, key] of [
    [RTCRtpSender.prototype, 'senders'],
    [RTCRtpReceiver.prototype, 'receivers'],
  ] as const) {
    const target = proto as unknown as { createEncodedStreams: (this: unknown) => unknown };
    const original = target.createEncodedStreams;
    target.createEncodedStreams = function (this: unknown) {
      scope.__legacyStreams[key]++;
      return original.call(this);
    };
  }
}

function legacyStreams(page: Page): Promise<{ senders: number; receivers: number; scriptTransform: boolean }> {
  return page.evaluate(() => {
    const scope = window as unknown as { RTCRtpScriptTransform?: unknown; __legacyStreams?: { senders: number; receivers: number } };
    return { ...(scope.__legacyStreams ?? { senders: 0, receivers: 0 }), scriptTransform: typeof scope.RTCRtpScriptTransform === 'function' };
  });
}

describe('the createEncodedStreams path of browsers without RTCRtpScriptTransform', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let host: Person;
  let link = '';
  const people: Person[] = [];

  async function admit(name: string): Promise<Person> {
    return joinThroughWaitingRoom(host.page, await openPage(browser, link, { init: olderChromium }), name);
  }

  /** Everyone keyed alike and decoding everyone, with no frame dropped as undecryptable. */
  async function meetingWorks(): Promise<string> {
    const states = await settledGroup(people);
    const code = states[0]!.securityCode!;
    for (const s of states) assert.equal(s.securityCode, code, 'every member derives the same security code');
    await everyoneDecodesEveryone(people);
    for (const p of people) assert.deepEqual((await e2ee(p.page))!.decryptFailures, {}, `${p.name} dropped no frame as undecryptable`);
    return code;
  }

  before(async () => {
    server = await startTestServer({ janus: true });
    browser = await launchBrowser();
    const page = await openPage(browser, server.url + '/');
    await page.getByTestId('title-input').fill('Legacy');
    await page.getByTestId('create-meeting').click();
    link = await page.getByTestId('participant-link').inputValue();
    await page.getByTestId('start-as-host').click();
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    host = { name: 'Asha', page, id: (await waitFor(() => stats(page), (s) => s.selfId !== null)).selfId! };
    people.push(host);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lets people on the legacy path and on the script transform decode each other, with one security code', async () => {
    people.push(await admit('Bilal'), await admit('Chitra'));
    await meetingWorks();
    const hostPath = await legacyStreams(host.page);
    assert.deepEqual(hostPath, { senders: 0, receivers: 0, scriptTransform: true }, 'the host takes the script transform');
    for (const p of people.slice(1)) {
      const path = await legacyStreams(p.page);
      assert.equal(path.scriptTransform, false, `${p.name}'s page has no RTCRtpScriptTransform`);
      // Microphone and camera senders; a receiver for each audio and video of the two others.
      assert.ok(path.senders >= 2, `${p.name} sealed its microphone and camera through encoded streams (${path.senders})`);
      assert.ok(path.receivers >= 4, `${p.name} opened the others' media through encoded streams (${path.receivers})`);
    }
  });

  it('keeps everyone decoding on the legacy path after a fourth person is admitted, under a new code', async () => {
    const before = (await e2ee(host.page))!.securityCode;
    people.push(await admit('Dev'));
    const code = await meetingWorks();
    assert.notEqual(code, before, 'the code changed when someone joined');
  });
});

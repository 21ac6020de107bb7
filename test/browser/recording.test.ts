/**
 * Recording with everyone's consent in real Chromium through Janus (issue 12): a meeting of three where one
 * person says no (nothing is recorded, the host is told who); everyone says yes and the host's browser records;
 * a late joiner is asked in the waiting room before admission and the host sees the answer; the indicator shows
 * who records to everyone throughout; stopping saves a WebM under the meeting's unique name, which Chromium
 * decodes back: a picture, and sound, of the length recorded. One meeting serves every test, in order.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Download, Page } from 'playwright-core';
import type { TestServer } from '../helpers/test-server.ts';
import { startServerAndBrowser, stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { joinThroughWaitingRoom, openPanel, settledGroup, type MeetingPerson } from '../helpers/meeting-page.ts';
import { join, newMeetingLinks, openPage, selfId, waitFor, type MeetingLinks } from './browser.ts';

const TITLE = 'Class 12/B: Optics…';
/** The title made safe, the local date and time, six random characters. */
const FILE_NAME = /^Class-12-B-Optics_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_[a-z2-9]{6}\.webm$/;

interface IndicatorState {
  hidden: boolean;
  state: string | undefined;
  by: string | undefined;
  label: string;
}

function indicator(page: Page): Promise<IndicatorState> {
  return page.getByTestId('recording-indicator').evaluate((el) => ({
    hidden: (el as HTMLElement).hidden === true,
    state: (el as HTMLElement).dataset.state,
    by: (el as HTMLElement).dataset.by,
    label: el.querySelector('[data-testid="recording-indicator-label"]')?.textContent ?? '',
  }));
}

/** Every page shows the indicator in `state`, naming the host as the one who records. */
async function everyoneSees(people: readonly MeetingPerson[], state: 'asking' | 'recording', hostId: string): Promise<void> {
  for (const p of people) {
    const seen = await waitFor(() => indicator(p.page), (s) => !s.hidden && s.state === state, 15_000);
    assert.ok(!seen.hidden && seen.state === state, `${p.name} sees the indicator ${state}: ${JSON.stringify(seen)}`);
    assert.equal(seen.by, hostId, `${p.name} is shown who records`);
    assert.match(seen.label, /Teacher/, `${p.name} reads the recorder's name`);
  }
}

/** What the host's recorder reports: milliseconds recorded and bytes so far. */
async function progress(page: Page): Promise<{ durationMs: number; bytes: number }> {
  return page.getByTestId('recording-progress').evaluate((el) => ({
    durationMs: Number((el as HTMLElement).dataset.durationMs ?? 0),
    bytes: Number((el as HTMLElement).dataset.bytes ?? 0),
  }));
}

/** Decodes a WebM in Chromium: its picture size, duration (after seeking to the end), frames shown, and its sound. */
function decodeInChromium(page: Page, base64: string) {
  return page.evaluate(async (data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const video = document.createElement('video');
    video.muted = true;
    video.src = URL.createObjectURL(new Blob([bytes], { type: 'video/webm' }));
    await new Promise<void>((resolve, reject) => {
      video.onloadedmetadata = () => resolve();
      video.onerror = () => reject(new Error(`video error ${video.error?.code}`));
    });
    // MediaRecorder writes no duration: it is known once the end was reached.
    video.currentTime = 1e9;
    // (No functions bound to names in here: the test's TypeScript loader would wrap them in a helper the page lacks.)
    await new Promise<void>((resolve) => {
      video.ondurationchange = video.onseeked = () => {
        if (Number.isFinite(video.duration)) resolve();
      };
      if (Number.isFinite(video.duration)) resolve();
    });
    const duration = video.duration;
    video.currentTime = 0;
    await video.play();
    await new Promise((r) => setTimeout(r, 1500));
    video.pause();
    const frames = video.getVideoPlaybackQuality().totalVideoFrames;
    // A picture, not a blank canvas: the colours of one frame, counted coarsely.
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const context = canvas.getContext('2d')!;
    context.drawImage(video, 0, 0, 320, 180);
    const pixels = context.getImageData(0, 0, 320, 180).data;
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4) colours.add(((pixels[i]! >> 4) << 8) | ((pixels[i + 1]! >> 4) << 4) | (pixels[i + 2]! >> 4));
    const audio = await new AudioContext().decodeAudioData(bytes.buffer.slice(0));
    // Sound, not silence: the fake microphones' beeps, mixed.
    let loudest = 0;
    for (const sample of audio.getChannelData(0)) loudest = Math.max(loudest, Math.abs(sample));
    return { width: video.videoWidth, height: video.videoHeight, duration, frames, colours: colours.size, audioSeconds: audio.duration, loudest };
  }, base64);
}

describe('recording with everyone’s consent in real browsers', { timeout: 400_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let links: MeetingLinks;
  let host: MeetingPerson;
  let asha: MeetingPerson;
  let ravi: MeetingPerson;
  let meena: MeetingPerson | undefined;
  const downloads: Download[] = [];

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    links = await newMeetingLinks(server, TITLE);
    const hostPage = await openPage(browser, links.hostLink);
    await join(hostPage, 'Teacher');
    await hostPage.getByTestId('meeting').waitFor({ timeout: 30_000 });
    host = { name: 'Teacher', page: hostPage, id: await selfId(hostPage) };
    hostPage.on('download', (d) => downloads.push(d));
    asha = await joinThroughWaitingRoom(hostPage, await openPage(browser, links.participantLink), 'Asha');
    ravi = await joinThroughWaitingRoom(hostPage, await openPage(browser, links.participantLink), 'Ravi');
    await settledGroup([host, asha, ravi]);
  });

  after(() => stopServerAndBrowser(server, browser));

  it('records nothing when one person declines, and tells the host who declined', async () => {
    for (const p of [asha, ravi]) assert.equal(await p.page.getByTestId('record-button').isVisible(), false, `${p.name} has no Record button`);
    await host.page.getByTestId('record-button').click();
    await everyoneSees([host, asha, ravi], 'asking', host.id);
    for (const p of [asha, ravi]) {
      const dialog = p.page.getByTestId('recording-consent-dialog');
      await dialog.waitFor({ timeout: 15_000 });
      assert.match((await p.page.getByTestId('recording-consent-asker').textContent()) ?? '', /Teacher asks to record/);
    }
    await asha.page.getByTestId('recording-consent-yes').click();
    await ravi.page.getByTestId('recording-consent-no').click();
    // The request ends for everyone, and only the host learns who said no.
    for (const p of [host, asha, ravi]) {
      const seen = await waitFor(() => indicator(p.page), (s) => s.hidden, 15_000);
      assert.ok(seen.hidden, `${p.name}'s indicator goes away: nothing is recorded`);
    }
    const outcome = await waitFor(() => host.page.getByTestId('recording-indicator').getAttribute('data-outcome'), (v) => v !== null, 10_000);
    assert.deepEqual(JSON.parse(outcome!), { declined: [ravi.id], unanswered: [] });
    await host.page.locator('.toast', { hasText: 'Ravi declined' }).waitFor({ timeout: 10_000 });
    assert.equal(await asha.page.locator('.toast', { hasText: 'declined' }).count(), 0, 'participants are not told who declined');
    assert.equal(downloads.length, 0, 'no recording was saved');
  });

  it('starts recording in the host’s browser once everyone agrees, with the indicator, duration and size shown', async () => {
    await host.page.getByTestId('record-button').click();
    for (const p of [asha, ravi]) {
      await p.page.getByTestId('recording-consent-dialog').waitFor({ timeout: 15_000 });
      await p.page.getByTestId('recording-consent-yes').click();
    }
    await everyoneSees([host, asha, ravi], 'recording', host.id);
    const first = await waitFor(() => progress(host.page), (p) => p.durationMs >= 2000 && p.bytes > 0, 15_000);
    assert.ok(first.durationMs >= 2000 && first.bytes > 0, `the host sees the recording grow: ${JSON.stringify(first)}`);
    assert.match((await host.page.getByTestId('recording-progress').textContent()) ?? '', /\d:\d\d · [\d.]+ MB/);
    // Others may withdraw their consent; only the host can stop.
    assert.equal(await asha.page.getByTestId('recording-withdraw').isVisible(), true);
    assert.equal(await asha.page.getByTestId('recording-stop').isVisible(), false);
  });

  it('asks a late joiner in the waiting room before admission, and shows the host the answer', async () => {
    const page = await openPage(browser, links.participantLink);
    await join(page, 'Meena');
    await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
    await page.getByTestId('recording-consent-dialog').waitFor({ timeout: 15_000 });
    assert.match((await page.getByTestId('recording-consent-asker').textContent()) ?? '', /Teacher is recording/);
    await openPanel(host.page, 'participants');
    const entry = host.page.getByTestId('waiting-entry').filter({ hasText: 'Meena' });
    await entry.waitFor({ timeout: 10_000 });
    assert.equal(await entry.getByTestId('waiting-recording-answer').count(), 0, 'no answer yet');
    await page.getByTestId('recording-consent-yes').click();
    await entry.getByTestId('waiting-recording-answer').filter({ hasText: 'Agreed to be recorded' }).waitFor({ timeout: 10_000 });
    const id = (await entry.getAttribute('data-participant-id'))!;
    await host.page.getByTestId(`admit-${id}`).click();
    await page.getByTestId('meeting').waitFor({ timeout: 20_000 });
    meena = { name: 'Meena', page, id };
    assert.equal(await page.getByTestId('recording-consent-dialog').count(), 0, 'not asked a second time once in');
    await everyoneSees([host, asha, ravi, meena], 'recording', host.id);
  });

  it('saves the recording under the meeting’s unique name when stopped, and the file plays with picture and sound', async () => {
    const done = await waitFor(() => progress(host.page), (p) => p.durationMs >= 7000, 20_000);
    assert.ok(done.durationMs >= 7000, `recorded ${done.durationMs} ms`);
    const people = [host, asha, ravi, meena!];
    await everyoneSees(people, 'recording', host.id);
    const saved = host.page.waitForEvent('download', { timeout: 20_000 });
    const recorded = (await progress(host.page)).durationMs / 1000;
    await host.page.getByTestId('recording-stop').click();
    const download = await saved;
    for (const p of people) await waitFor(() => indicator(p.page), (s) => s.hidden, 15_000);
    const name = download.suggestedFilename();
    assert.match(name, FILE_NAME);
    const bytes = await readFile((await download.path())!);
    assert.ok(bytes.length > 20_000, `a real recording: ${bytes.length} bytes`);
    assert.equal(bytes.readUInt32BE(0), 0x1a45dfa3, 'an EBML (WebM) file');
    const decoded = await decodeInChromium(asha.page, bytes.toString('base64'));
    console.log(`recording ${name}: ${bytes.length} bytes, ${JSON.stringify(decoded)}`);
    assert.equal(decoded.width, 1280, 'it has a picture (the composed layout)');
    assert.equal(decoded.height, 720);
    assert.ok(decoded.frames > 0, 'frames decode and play');
    assert.ok(decoded.colours > 20, `the picture shows the meeting's videos, not a blank canvas: ${decoded.colours} colours`);
    // As long as the host's recorder said it recorded, give or take the last second's slice and the stop.
    assert.ok(decoded.duration >= 5 && Math.abs(decoded.duration - recorded) <= 3, `a plausible duration: ${decoded.duration} s for ${recorded} s recorded`);
    assert.ok(Math.abs(decoded.audioSeconds - decoded.duration) <= 2, `sound for the whole recording: ${decoded.audioSeconds} s`);
    assert.ok(decoded.loudest > 0.01, `the meeting's sound is in it, not silence: peak ${decoded.loudest}`);
    assert.equal(downloads.length, 1);
  });

  it('saves what was recorded, under another unique name, when the host ends the meeting', async () => {
    const people = [host, asha, ravi, meena!];
    await host.page.getByTestId('record-button').click();
    for (const p of people.slice(1)) {
      await p.page.getByTestId('recording-consent-dialog').waitFor({ timeout: 15_000 });
      await p.page.getByTestId('recording-consent-yes').click();
    }
    await everyoneSees(people, 'recording', host.id);
    await waitFor(() => progress(host.page), (p) => p.durationMs >= 3000, 15_000);
    const saved = host.page.waitForEvent('download', { timeout: 20_000 });
    await host.page.getByTestId('leave-button').click();
    await host.page.getByTestId('end-for-all').click();
    const download = await saved;
    assert.match(download.suggestedFilename(), FILE_NAME);
    assert.notEqual(download.suggestedFilename(), downloads[0]!.suggestedFilename(), 'two recordings, two names');
    const bytes = await readFile((await download.path())!);
    assert.ok(bytes.length > 10_000 && bytes.readUInt32BE(0) === 0x1a45dfa3, `what was recorded is saved: ${bytes.length} bytes`);
  });
});

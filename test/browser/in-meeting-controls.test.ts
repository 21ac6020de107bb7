/**
 * The everyday in-meeting controls in real Chromium through Janus (issue 10): changing camera, microphone and
 * speaker mid-meeting (Chromium started with two fake cameras), the noise suppression switch, raise hand with
 * its ordered queue and the host's controls, raise hand with chat turned off, reactions, a forged "lower hand"
 * from a participant, and the keyboard shortcuts. One meeting of three (a host and two participants) serves every
 * test, in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { CHROMIUM_ARGS, inboundFrom, join, newMeetingLinks, openPage, selfId, stats, waitFor } from './browser.ts';

/** In the page before Sabha's script: keeps every peer connection, and lets the test swap one sealed signal's text. */
function instrument(): void {
  const w = window as unknown as { __pcs: RTCPeerConnection[]; __forge: Record<string, string> };
  w.__pcs = [];
  w.__forge = {};
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__pcs.push(this);
    }
  };
  // What a modified client could seal: the text of a signal replaced just before MLS encrypts it.
  const encode = TextEncoder.prototype.encode;
  TextEncoder.prototype.encode = function (this: TextEncoder, input?: string) {
    const forged = input === undefined ? undefined : w.__forge[input];
    if (forged !== undefined) delete w.__forge[input!];
    return encode.call(this, forged ?? input);
  };
}

interface SentVideo {
  deviceId: string | undefined;
  label: string;
  trackId: string;
  hasTransform: boolean;
  layers: number;
  pcs: number;
}

/** The camera publisher's video sender: what it sends now, and that its SFrame transform and layers are there. */
function sentVideo(page: Page): Promise<SentVideo | null> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const sender = pcs.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'video');
    if (!sender?.track) return null;
    return {
      deviceId: sender.track.getSettings().deviceId,
      label: sender.track.label,
      trackId: sender.track.id,
      hasTransform: (sender as RTCRtpSender & { transform?: unknown }).transform != null,
      layers: sender.getParameters().encodings.length,
      pcs: pcs.length,
    };
  });
}

function sentAudio(page: Page): Promise<{ label: string; noiseSuppression: boolean | undefined; echoCancellation: unknown } | null> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const track = pcs.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'audio')?.track;
    if (!track) return null;
    const settings = track.getSettings();
    return { label: track.label, noiseSuppression: settings.noiseSuppression, echoCancellation: settings.echoCancellation };
  });
}

/** The raised hands the people list shows, in order (participant ids). */
async function queue(page: Page): Promise<string[]> {
  return page.locator('[data-testid="raised-hand-entry"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.participantId ?? ''));
}

async function openPeople(page: Page): Promise<void> {
  if (!(await page.getByTestId('participants-list').isVisible())) await page.getByTestId('participants-button').click();
  await page.getByTestId('participants-list').waitFor();
}

/** Video frames `viewer` decodes from `id` grow by at least 30 (a second at 30 fps) from now on. */
async function keepsDecoding(viewer: Page, id: string): Promise<void> {
  const read = async () => inboundFrom(await stats(viewer), id).videoFrames;
  const first = await read();
  const last = await waitFor(read, (n) => n >= first + 30, 20_000);
  assert.ok(last >= first + 30, `decodes ${id}'s video: ${first} → ${last}`);
}

describe('in-meeting controls in real browsers', { timeout: 400_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let host: Page;
  let asha: Page;
  let ravi: Page;
  let ids: { host: string; asha: string; ravi: string };
  /** Admits one more person from the waiting room; their page once in the meeting. */
  let admit: (name: string) => Promise<Page>;

  before(async () => {
    server = await startTestServer({ janus: true });
    // Three fake cameras (and Chromium's three fake microphones and speakers), so there is something to switch
    // to. The second fake camera gives 16-bit depth frames that no encoder takes; the third gives MJPEG.
    const args = CHROMIUM_ARGS.map((a) => (a === '--use-fake-device-for-media-stream' ? '--use-fake-device-for-media-stream=device-count=3' : a));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
    const links = await newMeetingLinks(server, 'Class 7B');
    host = await openPage(browser, links.hostLink, { init: instrument });
    await join(host, 'Teacher');
    await host.getByTestId('meeting').waitFor({ timeout: 30_000 });
    admit = async (name: string): Promise<Page> => {
      const page = await openPage(browser, links.participantLink, { init: instrument });
      await join(page, name);
      await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
      await openPeople(host);
      const entry = host.getByTestId('waiting-entry').filter({ hasText: name });
      const id = (await entry.getAttribute('data-participant-id'))!;
      await host.getByTestId(`admit-${id}`).click();
      await page.getByTestId('meeting').waitFor({ timeout: 20_000 });
      return page;
    };
    asha = await admit('Asha');
    ravi = await admit('Ravi');
    ids = { host: await selfId(host), asha: await selfId(asha), ravi: await selfId(ravi) };
    // Everyone keyed and decoding before the tests begin.
    await keepsDecoding(host, ids.asha);
    await keepsDecoding(ravi, ids.asha);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('switches the camera mid-meeting with replaceTrack: same connection, SFrame transform and layers kept, others keep decoding', async () => {
    const before = (await sentVideo(asha))!;
    assert.ok(before.hasTransform, 'the video sender is sealed');
    await asha.getByTestId('camera-options').click();
    const select = asha.getByTestId('meeting-camera-select');
    await waitFor(() => select.locator('option').count(), (n) => n >= 3);
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));
    assert.equal(before.label, 'fake_device_0');
    const other = options.find(([, label]) => label === 'fake_device_2')?.[0];
    assert.ok(other, `the other cameras are offered: ${options.map((o) => o[1]).join(', ')}`);
    await select.selectOption(other);
    const after = await waitFor(() => sentVideo(asha), (v) => v?.deviceId === other);
    assert.equal(after?.deviceId, other, 'the new camera is what the sender sends');
    assert.equal(after.label, 'fake_device_2');
    assert.notEqual(after.trackId, before.trackId);
    assert.ok(after.hasTransform, 'the SFrame transform stays on the sender');
    assert.equal(after.layers, before.layers, 'the simulcast layers are kept');
    assert.equal(after.pcs, before.pcs, 'no new peer connection');
    await keepsDecoding(host, ids.asha);
    await keepsDecoding(ravi, ids.asha);
    const stored = await asha.evaluate(() => JSON.parse(localStorage.getItem('sabha.devices') ?? '{}') as { camera?: string });
    assert.equal(stored.camera, other, 'the choice is remembered for the next pre-join screen');
    await asha.keyboard.press('Escape');
    assert.equal(await asha.getByTestId('device-menu').isVisible(), false);
  });

  it('switches the microphone and turns noise suppression off and on, echo cancellation staying on', async () => {
    // Muted on entry (the meeting's default): unmuted, so that the others receive Asha's microphone.
    await asha.getByTestId('mic-button').click();
    await waitFor(() => asha.getByTestId('mic-button').getAttribute('aria-pressed'), (v) => v === 'true');
    await asha.getByTestId('mic-options').click();
    const select = asha.getByTestId('meeting-microphone-select');
    const labels = await select.locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));
    const second = labels.find(([, label]) => label === 'Fake Audio Input 2');
    assert.ok(second, `the fake microphones are offered: ${labels.map((l) => l[1]).join(', ')}`);
    await select.selectOption(second[0]!);
    const audio = await waitFor(() => sentAudio(asha), (a) => a?.label === 'Fake Audio Input 2');
    assert.equal(audio?.label, 'Fake Audio Input 2', 'the new microphone is what the sender sends');
    assert.equal(audio.noiseSuppression, true);
    const toggle = asha.getByTestId('noise-suppression');
    assert.equal(await toggle.isChecked(), true);
    await toggle.uncheck();
    const off = await waitFor(() => sentAudio(asha), (a) => a?.noiseSuppression === false);
    assert.equal(off?.noiseSuppression, false, 'noise suppression is off on the track sent');
    assert.equal(off.echoCancellation, true, 'echo cancellation stays on');
    assert.equal(off.label, 'Fake Audio Input 2', 'on the same microphone');
    await toggle.check();
    const on = await waitFor(() => sentAudio(asha), (a) => a?.noiseSuppression === true);
    assert.equal(on?.noiseSuppression, true);
    // Others still hear Asha.
    const read = async () => inboundFrom(await stats(host), ids.asha).audioSamples;
    const first = await read();
    assert.ok((await waitFor(read, (n) => n >= first + 48_000)) >= first + 48_000, 'the host still decodes Asha’s audio');
  });

  it('sends the meeting’s audio to the chosen speaker', async () => {
    const select = asha.getByTestId('meeting-speaker-select');
    if (!(await select.isVisible())) await asha.getByTestId('mic-options').click();
    const outputs = await select.locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));
    const chosen = outputs.find(([, label]) => label === 'Fake Audio Output 1');
    assert.ok(chosen, `speakers offered: ${outputs.map((o) => o[1]).join(', ')}`);
    await select.selectOption(chosen[0]!);
    const sinks = await waitFor(
      () => asha.evaluate(() => [...document.querySelectorAll('audio')].map((a) => (a as HTMLAudioElement & { sinkId: string }).sinkId)),
      (s) => s.length > 0 && s.every((id) => id === chosen[0]),
    );
    assert.ok(sinks.length > 0 && sinks.every((id) => id === chosen[0]), `every audio element plays on the chosen speaker: ${JSON.stringify(sinks)}`);
    await asha.keyboard.press('Escape');
  });

  it('falls back to another camera and says so when the camera in use goes away', async () => {
    const before = (await sentVideo(asha))!;
    await asha.evaluate(() => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      const track = pcs.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'video')?.track;
      // What an unplugged camera does: its track ends.
      track?.stop();
      track?.dispatchEvent(new Event('ended'));
    });
    const after = await waitFor(() => sentVideo(asha), (v) => v !== null && v.trackId !== before.trackId);
    assert.notEqual(after?.trackId, before.trackId, 'a new camera track is sent');
    await asha.locator('.toast', { hasText: 'Your camera was disconnected' }).first().waitFor({ timeout: 10_000 });
    await keepsDecoding(host, ids.asha);
  });

  it('blurs the background with the segmentation model Sabha serves itself, and the others keep decoding', async () => {
    const before = (await sentVideo(asha))!;
    await asha.getByTestId('camera-options').click();
    await asha.getByTestId('background-blur').check();
    const blurred = await waitFor(() => sentVideo(asha), (v) => v !== null && v.trackId !== before.trackId, 30_000);
    assert.ok(blurred && blurred.trackId !== before.trackId, 'another track is sent');
    assert.ok(!blurred.label.startsWith('fake_device') && blurred.deviceId !== before.deviceId, `the blurred picture (a canvas), not the camera itself: ${blurred.label}`);
    assert.ok(blurred.hasTransform, 'sealed by SFrame');
    assert.equal(blurred.layers, before.layers, 'with the same simulcast layers');
    assert.equal(blurred.pcs, before.pcs, 'on the same connection');
    const segmented = await waitFor(() => asha.evaluate(() => (window as unknown as { __sabhaDebug: { blurFrames(): number } }).__sabhaDebug.blurFrames()), (n) => n >= 10, 30_000);
    assert.ok(segmented >= 10, `the model segments camera frames: ${segmented}`);
    const loaded = await asha.evaluate(() => {
      const names = performance.getEntriesByType('resource').map((e) => e.name);
      return { model: names.filter((n) => n.includes('/segmentation/')).map((n) => new URL(n).pathname), elsewhere: names.filter((n) => !n.startsWith(location.origin)) };
    });
    assert.ok(loaded.model.includes('/segmentation/selfie_segmentation_landscape.tflite'), `the model came from Sabha: ${loaded.model.join(', ')}`);
    assert.deepEqual(loaded.elsewhere, [], 'nothing was fetched from elsewhere');
    await keepsDecoding(host, ids.asha);
    await keepsDecoding(ravi, ids.asha);
    await asha.getByTestId('background-blur').uncheck();
    const plain = await waitFor(() => sentVideo(asha), (v) => v?.label === before.label);
    assert.equal(plain?.label, before.label, 'the camera itself is sent again');
    await asha.keyboard.press('Escape');
  });

  it('queues raised hands in the order the server relayed them, shows them on tiles, and lets the host lower one and then all', async () => {
    await openPeople(host);
    await ravi.getByTestId('raise-hand').click();
    await waitFor(() => queue(host), (q) => q.length === 1);
    // The host is told, with a way to the list.
    await host.getByTestId('hand-raised-toast').filter({ hasText: 'raised their hand' }).waitFor({ timeout: 10_000 });
    await asha.getByTestId('raise-hand').click();
    const expected = [ids.ravi, ids.asha];
    for (const page of [host, asha, ravi]) {
      await openPeople(page);
      const seen = await waitFor(() => queue(page), (q) => q.length === 2);
      assert.deepEqual(seen, expected, 'Ravi first, then Asha, for everyone');
    }
    assert.equal(await asha.getByTestId('raise-hand').getAttribute('aria-pressed'), 'true');
    // Numbered hands on the tiles and in the list.
    const tileHand = host.locator(`[data-testid="tile"][data-participant-id="${ids.asha}"] [data-testid="tile-hand"]`);
    await tileHand.waitFor({ timeout: 10_000 });
    assert.equal(await tileHand.getAttribute('data-position'), '2');
    assert.equal(await host.locator(`[data-testid="participant-row"][data-participant-id="${ids.ravi}"] [data-testid="hand-indicator"]`).getAttribute('aria-label'), 'Hand raised, number 1 in the queue');
    // Participants cannot lower others' hands: no button for it.
    assert.equal(await asha.getByTestId(`lower-hand-${ids.ravi}`).count(), 0);
    assert.equal(await asha.getByTestId('lower-all-hands').count(), 0);

    await host.getByTestId(`lower-hand-${ids.ravi}`).click();
    for (const page of [host, asha, ravi]) assert.deepEqual(await waitFor(() => queue(page), (q) => q.length === 1), [ids.asha]);
    await ravi.locator('.toast', { hasText: 'A host lowered your hand.' }).waitFor({ timeout: 10_000 });
    assert.equal(await ravi.getByTestId('raise-hand').getAttribute('aria-pressed'), 'false');

    await ravi.getByTestId('raise-hand').click();
    assert.deepEqual(await waitFor(() => queue(host), (q) => q.length === 2), [ids.asha, ids.ravi]);
    await host.getByTestId('lower-all-hands').click();
    for (const page of [host, asha, ravi]) assert.deepEqual(await waitFor(() => queue(page), (q) => q.length === 0), []);
    assert.equal(await host.getByTestId('tile-hand').count(), 0);
  });

  it('ignores a “lower hand” for someone else that a participant forged', async () => {
    await asha.getByTestId('raise-hand').click();
    await waitFor(() => queue(host), (q) => q.length === 1);
    // Ravi's client seals {"lower-hand": Asha} in place of a reaction: a modified client could send it.
    await ravi.evaluate(
      ({ target }) => {
        (window as unknown as { __forge: Record<string, string> }).__forge[JSON.stringify({ v: 1, signal: { kind: 'reaction', emoji: '👍' } })] = JSON.stringify({ v: 1, signal: { kind: 'lower-hand', of: target } });
      },
      { target: ids.asha },
    );
    await ravi.getByTestId('reactions-button').click();
    await ravi.getByTestId('reaction-0').click();
    // Then an honest reaction: once everyone has it, the forgery (sent before it, in order) was handled too.
    await ravi.getByTestId('reaction-2').click();
    for (const page of [host, asha]) {
      await page.locator(`[data-testid="reaction-bubble"][data-emoji="❤️"]`).first().waitFor({ timeout: 10_000 });
      assert.deepEqual(await queue(page), [ids.asha], 'Asha’s hand is still up');
    }
    await ravi.keyboard.press('Escape');
    await asha.getByTestId('raise-hand').click();
    await waitFor(() => queue(host), (q) => q.length === 0);
  });

  it('shows a reaction to everyone over the sender’s tile', async () => {
    await host.getByTestId('reactions-button').click();
    await host.getByTestId('reaction-5').click();
    for (const page of [asha, ravi, host]) {
      const bubble = page.locator(`[data-testid="tile"][data-participant-id="${ids.host}"] [data-testid="reaction-bubble"][data-emoji="🎉"], [data-testid="reaction-feed"] [data-participant-id="${ids.host}"][data-emoji="🎉"]`);
      await bubble.first().waitFor({ timeout: 10_000 });
    }
    await host.keyboard.press('Escape');
  });

  it('lets a participant raise a hand when the host has turned chat off, and the host sees it', async () => {
    const chatSetting = async (value: 'off' | 'everyone') => {
      const button = host.getByTestId('security-button');
      if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
      await host.getByTestId('setting-chat').selectOption(value);
    };
    await chatSetting('off');
    // Ravi's chat says it is off: the setting reached him before he raises his hand.
    await ravi.getByTestId('chat-button').click();
    await ravi.locator('.chat-note', { hasText: 'Chat is turned off.' }).waitFor({ timeout: 10_000 });
    await ravi.getByTestId('raise-hand').click();
    await openPeople(host);
    assert.deepEqual(await waitFor(() => queue(host), (q) => q.length === 1), [ids.ravi], 'the host sees Ravi’s hand');
    await host.getByTestId('hand-raised-toast').filter({ hasText: 'raised their hand' }).first().waitFor({ timeout: 10_000 });
    assert.equal(await ravi.getByTestId('raise-hand').getAttribute('aria-pressed'), 'true');
    assert.equal(await ravi.locator('.toast', { hasText: 'Raising your hand did not work' }).count(), 0, 'no refusal');
    await ravi.getByTestId('raise-hand').click();
    await waitFor(() => queue(host), (q) => q.length === 0);
    await chatSetting('everyone');
    await ravi.locator('.chat-note', { hasText: 'Chat is turned off.' }).waitFor({ state: 'hidden', timeout: 10_000 });
    await openPeople(ravi);
    await openPeople(host);
  });

  it('works by keyboard shortcut, says what changed, and not while typing in the chat', async () => {
    const mic = asha.getByTestId('mic-button');
    const micWas = await mic.getAttribute('aria-pressed');
    await asha.locator('body').click({ position: { x: 5, y: 5 } });
    await asha.keyboard.press('m');
    await waitFor(() => mic.getAttribute('aria-pressed'), (v) => v !== micWas);
    assert.notEqual(await mic.getAttribute('aria-pressed'), micWas, 'M toggles the microphone');
    await waitFor(() => asha.getByTestId('shortcut-announcer').textContent(), (t) => t === 'Microphone on' || t === 'Microphone off');
    await asha.keyboard.press('Control+d');
    assert.equal(await mic.getAttribute('aria-pressed'), micWas, 'Ctrl+D toggles it back');

    await asha.keyboard.press('h');
    await waitFor(() => queue(host), (q) => q.length === 1);
    assert.deepEqual(await queue(host), [ids.asha], 'H raises the hand');

    // C opens the chat; letters typed there stay text.
    await asha.keyboard.press('c');
    const input = asha.getByTestId('chat-input');
    await input.waitFor();
    await input.focus();
    await asha.keyboard.type('mhvcp?');
    assert.equal(await input.inputValue(), 'mhvcp?');
    assert.equal(await mic.getAttribute('aria-pressed'), micWas, 'the microphone did not change');
    assert.equal(await asha.getByTestId('raise-hand').getAttribute('aria-pressed'), 'true', 'the hand is still up');
    assert.equal(await asha.getByTestId('shortcuts-dialog').count(), 0, 'no dialog opened');
    assert.equal(await asha.getByTestId('chat-input').isVisible(), true, 'the chat stayed open');

    // "?" lists the shortcuts.
    await asha.locator('body').click({ position: { x: 5, y: 5 } });
    await asha.keyboard.press('?');
    const dialog = asha.getByTestId('shortcuts-dialog');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /Raise or lower your hand/);
    await asha.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await asha.keyboard.press('h');
    await waitFor(() => queue(host), (q) => q.length === 0);
    assert.deepEqual(await queue(host), []);
  });

  it('tells someone who joins later which hands are up, in their order', async () => {
    await ravi.getByTestId('raise-hand').click();
    await waitFor(() => queue(host), (q) => q.length === 1);
    await asha.getByTestId('raise-hand').click();
    assert.deepEqual(await waitFor(() => queue(host), (q) => q.length === 2), [ids.ravi, ids.asha]);
    const meera = await admit('Meera');
    await openPeople(meera);
    const seen = await waitFor(() => queue(meera), (q) => q.length === 2);
    assert.deepEqual(seen, [ids.ravi, ids.asha], 'the raisers announced their hands again, with their original times');
    assert.deepEqual(await queue(host), [ids.ravi, ids.asha], 'nothing changed for the others');
    await meera.close();
  });

  it('keeps the new controls inside a phone’s width', async () => {
    await ravi.setViewportSize({ width: 390, height: 844 });
    const read = () => ravi.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
    const widths = await waitFor(read, (w) => w.page <= w.window);
    assert.ok(widths.page <= widths.window, `the page is no wider than the window: ${JSON.stringify(widths)}`);
    for (const id of ['mic-options', 'camera-options', 'raise-hand', 'reactions-button', 'shortcuts-button']) {
      const box = await ravi.getByTestId(id).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.y >= 0 && box.y + box.height <= 844, `${id} is on screen: ${JSON.stringify(box)}`);
    }
  });
});

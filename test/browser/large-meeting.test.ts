/**
 * A meeting of 12 through Janus: 3 real Chromium browsers and 9 synthetic participants (Node, werift,
 * the project's own MLS and SFrame code) that publish real VP8 simulcast and Opus, end-to-end
 * encrypted like a browser. What must hold at this size:
 * - a browser decodes exactly the videos it shows (4 tiles a page here), and a page flip brings the
 *   next page's videos within about a second, on the same subscriber connection;
 * - in speaker view the large tile follows whoever talks;
 * - a thumbnail receives the low simulcast layer and the large tile the high one;
 * - a sender whose high layer nobody watches stops sending it, and starts again when someone does;
 * - people coming and going (5 join and 5 leave in turn) cost no receiver a single decryption failure.
 * The steps build on each other, so they run in order on one meeting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Browser, Page } from 'playwright-core';
import { loadMlsSuite, type MlsSuite } from '../../src/e2ee/mls/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { SyntheticParticipant, mediaFixtures } from '../helpers/synthetic/index.ts';
import { e2ee, join, launchBrowser, openWithTilesPerPage, selfId, stats, waitFor, type DebugStats } from './browser.ts';

const TILES_PER_PAGE = 4;
const SYNTHETIC = 9;

interface Person {
  name: string;
  page: Page;
  id: string;
}



/** Remote camera tiles on screen now, by participant id, with where each is drawn. */
async function shownRemote(page: Page, self: string): Promise<{ id: string; place: string }[]> {
  const tiles = await page.locator('[data-testid="tile"]').evaluateAll((els) =>
    els.map((el) => ({ id: (el as HTMLElement).dataset.participantId ?? '', place: (el as HTMLElement).dataset.place ?? '' })));
  return tiles.filter((t) => t.id !== self);
}

/** Inbound camera video per participant: frames decoded, packets, width of the last frame. */
function videoBy(s: DebugStats): Map<string, { frames: number; packets: number; width: number }> {
  const out = new Map<string, { frames: number; packets: number; width: number }>();
  for (const x of s.streams) {
    if (x.direction !== 'inbound' || x.kind !== 'video' || x.source !== 'camera' || !x.participantId) continue;
    out.set(x.participantId, { frames: x.framesDecoded ?? 0, packets: x.packets, width: x.frameWidth ?? 0 });
  }
  return out;
}

/** Inbound video streams (mids) whose packets grow over the window, whoever they are mapped to. */
async function receiving(page: Page, windowMs = 1500): Promise<{ decoding: Set<string>; activeMids: number }> {
  const a = await stats(page);
  await new Promise((r) => setTimeout(r, windowMs));
  const b = await stats(page);
  const before = new Map(a.streams.filter((x) => x.direction === 'inbound' && x.kind === 'video').map((x) => [x.mid, x]));
  const decoding = new Set<string>();
  let activeMids = 0;
  for (const x of b.streams) {
    if (x.direction !== 'inbound' || x.kind !== 'video') continue;
    const prev = before.get(x.mid);
    if (x.packets > (prev?.packets ?? 0) + 2) activeMids++;
    if (x.participantId && (x.framesDecoded ?? 0) > (prev?.framesDecoded ?? 0) + 2) decoding.add(x.participantId);
  }
  return { decoding, activeMids };
}

describe('a meeting of 12: three browsers and nine synthetic participants', { timeout: 420_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let suite: MlsSuite;
  let asha: Person;
  let bilal: Person;
  let chitra: Person;
  let link = '';
  let meetingId = '';
  let passcode = '';
  const synthetic: SyntheticParticipant[] = [];
  const names = new Map<string, string>();
  const name = (id: string) => names.get(id) ?? id;

  before(async () => {
    server = await startTestServer({ janus: true });
    browser = await launchBrowser();
    suite = await loadMlsSuite();
  });

  after(async () => {
    await Promise.all(synthetic.map((s) => s.close().catch(() => undefined)));
    await browser?.close();
    await server?.close();
  });

  async function addSynthetic(label: string, talking = false): Promise<SyntheticParticipant> {
    const s = await SyntheticParticipant.join({ wsUrl: server.wsUrl, meetingId, passcode, name: label, mlsSuite: suite, fixtures: mediaFixtures() });
    await s.whenPhase('joined');
    await s.whenKeyed();
    await s.publishCamera({ simulcast: true, talking });
    names.set(s.selfId, label);
    return s;
  }

  it('brings three browsers and nine synthetic participants into one encrypted meeting', async () => {
    const page = await openWithTilesPerPage(browser, server.url + '/', TILES_PER_PAGE);
    await page.getByTestId('title-input').fill('Large meeting');
    await page.getByTestId('create-meeting').click();
    link = await page.getByTestId('participant-link').inputValue();
    const parsed = /\/m\/([a-z2-7]{16})#pc=([a-z2-7]{10})$/.exec(link);
    assert.ok(parsed, 'a participant link');
    [, meetingId, passcode] = parsed as unknown as [string, string, string];
    await page.getByTestId('start-as-host').click();
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    asha = { name: 'Asha', page, id: await selfId(page) };
    names.set(asha.id, 'Asha');
    // The host mutes herself (Chromium's fake microphone beeps), and lets people straight in.
    await page.getByTestId('mic-button').click();
    await page.getByTestId('security-button').click();
    await page.getByTestId('setting-waitingRoom').click();
    await waitFor(() => page.getByTestId('setting-waitingRoom').getAttribute('aria-checked'), (v) => v === 'false');
    await page.getByTestId('security-button').click();

    for (const who of ['Bilal', 'Chitra']) {
      const p = await openWithTilesPerPage(browser, link, TILES_PER_PAGE);
      await join(p, who);
      await p.getByTestId('meeting').waitFor({ timeout: 30_000 });
      const person = { name: who, page: p, id: await selfId(p) };
      names.set(person.id, who);
      if (who === 'Bilal') bilal = person;
      else chitra = person;
    }
    for (let i = 1; i <= SYNTHETIC; i++) synthetic.push(await addSynthetic(`S${i}`));

    const everyone = [asha, bilal, chitra];
    for (const person of everyone) {
      const state = await waitFor(() => e2ee(person.page), (s) => s?.state === 'ready' && s.members.length === 12, 60_000);
      assert.equal(state?.members.length, 12, `${person.name} holds the keys of all 12`);
    }
    for (const s of synthetic) assert.deepEqual(s.errors, [], `${name(s.selfId)} had no errors`);
  });

  it('decodes exactly the four videos of the grid page shown, and the next page within about a second', async () => {
    const page = bilal.page;
    assert.equal(await page.getByTestId('grid').getAttribute('data-layout'), 'grid');
    const check = async (label: string) => {
      // Every camera in this meeting is on, so every remote tile on the page has a video to decode.
      const shown = (await shownRemote(page, bilal.id)).map((t) => t.id);
      assert.ok(shown.length > 0, `${label}: people on this page`);
      const got = await waitFor(() => receiving(page), (r) => [...r.decoding].sort().join() === [...shown].sort().join(), 15_000, 0);
      assert.deepEqual([...got.decoding].map(name).sort(), shown.map(name).sort(), `${label}: decodes the videos on screen and no others`);
      assert.ok(got.activeMids <= shown.length, `${label}: no other inbound video is receiving (${got.activeMids} active for ${shown.length} shown)`);
      return shown;
    };

    await waitFor(() => page.getByTestId('page-indicator').textContent(), (t) => /^Page 1 of \d+$/.test(t ?? ''), 15_000);
    const first = await check('page 1');
    const pcsBefore = (await stats(page)).streams.filter((x) => x.pc === 'subscriber').length;

    // Page flips: the next page's videos decode within about a second, on the same connection.
    const flips: number[] = [];
    for (let flip = 0; flip < 2; flip++) {
      const atClick = videoBy(await stats(page));
      const t0 = Date.now();
      await page.getByTestId('page-next').click();
      await waitFor(() => page.getByTestId('page-indicator').textContent(), (t) => t === `Page ${flip + 2} of 3`, 5_000, 50);
      const next = (await shownRemote(page, bilal.id)).map((t) => t.id);
      assert.ok(next.every((id) => !first.includes(id)), 'another page');
      const all = await waitFor(
        async () => videoBy(await stats(page)),
        (v) => next.every((id) => (v.get(id)?.frames ?? 0) >= (atClick.get(id)?.frames ?? 0) + 3),
        10_000,
        50,
      );
      flips.push(Date.now() - t0);
      for (const id of next) assert.ok((all.get(id)?.frames ?? 0) >= (atClick.get(id)?.frames ?? 0) + 3, `${name(id)} decodes after the page flip`);
      await check(`page ${flip + 2}`);
    }
    console.log(`# page flip to the new page's videos decoding: ${flips.join(' ms, ')} ms (${TILES_PER_PAGE} tiles a page)`);
    assert.ok(flips.every((ms) => ms < 4_000), `each page shows its videos quickly (${flips.join(', ')} ms)`);
    const pcsAfter = (await stats(page)).streams.filter((x) => x.pc === 'subscriber').length;
    assert.ok(pcsAfter <= Math.max(pcsBefore, TILES_PER_PAGE * 2 + 16), 'slots are reused, not added per page');
    await page.getByTestId('page-prev').click();
    await page.getByTestId('page-prev').click();
  });

  it('follows whoever talks in speaker view', async () => {
    const page = bilal.page;
    await page.getByTestId('layout-switch').click();
    await waitFor(() => page.getByTestId('grid').getAttribute('data-layout'), (l) => l === 'speaker', 5_000);
    const [s4, s7] = [synthetic[3]!, synthetic[6]!];
    for (const talker of [s4, s7]) {
      for (const s of synthetic) s.setTalking(s === talker);
      const featured = await waitFor(() => page.getByTestId('grid').getAttribute('data-featured'), (id) => id === talker.selfId, 15_000);
      assert.equal(name(featured ?? ''), name(talker.selfId), 'the large tile shows whoever talks');
    }
  });

  it('gives the large tile the high simulcast layer and the thumbnails the low one', async () => {
    const page = bilal.page;
    const talker = synthetic[6]!;
    const strip = (await shownRemote(page, bilal.id)).filter((t) => t.place === 'strip' && t.id !== talker.selfId && names.get(t.id)?.startsWith('S'));
    assert.ok(strip.length > 0, 'thumbnails in the filmstrip');
    const widths = await waitFor(
      async () => videoBy(await stats(page)),
      (v) => {
        const thumbs = strip.map((t) => v.get(t.id)?.width ?? 0).filter((w) => w > 0);
        return (v.get(talker.selfId)?.width ?? 0) >= 1280 && thumbs.length > 0 && thumbs.every((w) => w === 320);
      },
      15_000,
    );
    console.log(`# large tile ${widths.get(talker.selfId)?.width} px wide; thumbnails ${strip.map((t) => widths.get(t.id)?.width ?? 0).join(', ')} px`);
    assert.ok((widths.get(talker.selfId)?.width ?? 0) >= 1280, 'the large tile decodes 720p');
    for (const t of strip) {
      const width = widths.get(t.id)?.width ?? 0;
      if (width > 0) assert.equal(width, 320, `${name(t.id)}'s thumbnail decodes 180p`);
    }
  });

  it('stops the high layer of a sender nobody watches large, and resumes it when someone does', async () => {
    const watched = synthetic[6]!; // large on Bilal's screen
    const unwatched = synthetic[0]!; // a thumbnail or a grid tile everywhere
    await waitFor(async () => [unwatched.sendLayers, watched.sendLayers], () => unwatched.sendLayers?.[2] === false && watched.sendLayers?.[2] === true, 10_000);
    const high = (s: SyntheticParticipant) => s.camera!.stats.videoFrames[2];
    const [u0, w0] = [high(unwatched), high(watched)];
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(high(unwatched) - u0, 0, 'no high-layer frame from a sender nobody watches large');
    assert.ok(high(watched) - w0 > 10, 'the watched sender keeps sending its high layer');

    // Bilal goes back to the grid (medium tiles): nobody watches anyone's high layer any more.
    await bilal.page.getByTestId('layout-switch').click();
    await waitFor(async () => watched.sendLayers?.[2], (v) => v === false, 10_000);
    // The browsers' own cameras too: nobody shows Asha large, so her high layer is not encoded.
    const ashaHigh = async () => (await stats(asha.page)).streams.find((x) => x.direction === 'outbound' && x.rid === 'h')?.framesEncoded ?? 0;
    const h0 = await ashaHigh();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await ashaHigh(), h0, "Asha's browser encodes no high layer nobody receives");
  });

  it('lets five people join and five leave in turn without a single decryption failure anywhere', async () => {
    // Six people, as people come and go in a class: the three browsers and three synthetic participants;
    // the other six leave first. One synthetic participant listens too (every camera, low layer, and every
    // microphone), so that a receiver outside the browsers counts failures as well.
    for (const s of synthetic.splice(3)) await s.leave();
    const listener = synthetic[1]!;
    const failuresOf = async (p: Person) => (await e2ee(p.page))?.decryptFailures ?? {};
    await new Promise((r) => setTimeout(r, 4000));
    const before = await Promise.all([asha, bilal, chitra].map(failuresOf));
    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    const comers: SyntheticParticipant[] = [];
    for (let i = 1; i <= 5; i++) {
      comers.push(await addSynthetic(`J${i}`));
      await listener.subscribe(listener.otherCameras().map((publicationId) => ({ publicationId, quality: 'low' as const })), listener.otherCameras().slice(0, 16));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const failuresBefore = listener.receiver?.failures() ?? 0;
    const listenerFailures: string[] = [];
    listener.session.on('decrypt-failure', (f) => listenerFailures.push(`${name(f.participantId)}: ${f.count} (${f.reason})`));
    for (const c of comers) {
      await c.leave();
      await new Promise((r) => setTimeout(r, 1000));
    }
    // Let the last epoch's frames flow for a while.
    await new Promise((r) => setTimeout(r, 4000));
    lag.disable();
    console.log(`# load generator event-loop delay during the churn: p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms`);
    for (const [i, person] of [asha, bilal, chitra].entries()) {
      const s = await e2ee(person.page);
      const added = Object.entries(s?.decryptFailures ?? {})
        .filter(([id, n]) => n > (before[i]![id] ?? 0))
        .map(([id, n]) => [name(id), `${n - (before[i]![id] ?? 0)} (${s?.decryptFailureReasons[id]})`]);
      assert.deepEqual(Object.fromEntries(added), {}, `${person.name} counted no decryption failure while people came and went`);
      assert.equal(await person.page.locator('[data-testid="decrypt-warning"]:visible').count(), 0, `${person.name} sees no warning`);
    }
    assert.equal((listener.receiver?.failures() ?? 0) - failuresBefore, 0, `the synthetic listener counted no decryption failure: ${listenerFailures.join(', ')}`);
    for (const s of synthetic) assert.deepEqual(s.problems, [], `${name(s.selfId)} reports no E2EE problem`);
  });
});

/**
 * Layouts in real browsers through Janus: grid pages (4 tiles a page here, set through
 * `localStorage['sabha.tilesPerPage']`), speaker view following whoever talks, one's own
 * pin, the host's spotlight, and a page that never grows wider than the window when a
 * side panel opens. Each browser must receive exactly the videos it draws.
 *
 * Five people: the host (Asha) watches; Bilal, Chitra, Dev and Esha take turns to talk
 * (Chromium's fake microphone beeps, so "talking" is unmuting). With Asha's own tile
 * first, her grid is [Asha, Bilal, Chitra, Dev] on page 1 and [Esha] on page 2.
 * The steps build on each other, so they run in order on one meeting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/test-server.ts';
import { startServerAndBrowser, stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { inboundFrom, join, openWithTilesPerPage, selfId, stats, waitFor, type DebugStats } from './browser.ts';

const TILES_PER_PAGE = 4;

interface Person {
  name: string;
  page: Page;
  id: string;
}



/** What the layout root says about itself (data attributes of `[data-testid=grid]`). */
async function layout(page: Page): Promise<{ layout?: string; mode?: string; page?: string; pages?: string; featured?: string; featuredReason?: string }> {
  return page.getByTestId('grid').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
}

async function shownIds(page: Page): Promise<string[]> {
  return page.locator('[data-testid="tile"]').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.participantId ?? ''));
}

/** Decoded camera frames per participant, in one sample. */
function framesBy(s: DebugStats, ids: readonly string[]): Map<string, number> {
  return new Map(ids.map((id) => [id, inboundFrom(s, id).videoFrames]));
}

/** Whose video frames grow over a few seconds (and whose do not). */
async function growingVideos(page: Page, ids: readonly string[], windowMs = 3000): Promise<Set<string>> {
  const first = framesBy(await stats(page), ids);
  await new Promise((r) => setTimeout(r, windowMs));
  const last = framesBy(await stats(page), ids);
  return new Set(ids.filter((id) => (last.get(id) ?? 0) > (first.get(id) ?? 0) + 5));
}

/** Waits until exactly `expected` of `ids` have growing video on this page; asserts it. */
async function decodesExactly(page: Page, ids: readonly string[], expected: readonly string[], names: Map<string, string>, timeoutMs = 15_000): Promise<void> {
  const want = [...expected].sort().join(',');
  const got = await waitFor(() => growingVideos(page, ids, 2000), (g) => [...g].sort().join(',') === want, timeoutMs, 0);
  const show = (xs: Iterable<string>) => [...xs].map((id) => names.get(id) ?? id).sort().join(', ');
  assert.equal(show(got), show(expected), 'decodes the videos on screen and no others');
}

async function setMic(person: Person, on: boolean): Promise<void> {
  const button = person.page.getByTestId('mic-button');
  if ((await button.getAttribute('aria-pressed')) !== String(on)) await button.click();
  await waitFor(() => button.getAttribute('aria-pressed'), (v) => v === String(on), 5000);
}

describe('layouts in real browsers', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let asha: Person;
  let others: Person[] = [];
  let bilal: Person;
  let chitra: Person;
  let dev: Person;
  let esha: Person;
  const names = new Map<string, string>();
  let remoteIds: string[] = [];

  before(async () => ({ server, browser } = await startServerAndBrowser()));
  after(() => stopServerAndBrowser(server, browser));

  it('lets five people into one meeting', async () => {
    const page = await openWithTilesPerPage(browser, server.url + '/', TILES_PER_PAGE);
    await page.getByTestId('title-input').fill('Layouts');
    await page.getByTestId('create-meeting').click();
    const link = await page.getByTestId('participant-link').inputValue();
    await page.getByTestId('start-as-host').click();
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    asha = { name: 'Asha', page, id: await selfId(page) };
    names.set(asha.id, 'Asha');
    // Everyone else joins straight in: the waiting room is not what this test is about.
    await page.getByTestId('security-button').click();
    await page.getByTestId('setting-waitingRoom').click();
    await waitFor(() => page.getByTestId('setting-waitingRoom').getAttribute('aria-checked'), (v) => v === 'false');
    await page.getByTestId('security-button').click();
    for (const name of ['Bilal', 'Chitra', 'Dev', 'Esha']) {
      const p = await openWithTilesPerPage(browser, link, TILES_PER_PAGE);
      await join(p, name);
      await p.getByTestId('meeting').waitFor({ timeout: 30_000 });
      const person = { name, page: p, id: await selfId(p) };
      names.set(person.id, name);
      others.push(person);
    }
    [bilal, chitra, dev, esha] = others as [Person, Person, Person, Person];
    remoteIds = others.map((p) => p.id);
    await waitFor(() => shownIds(asha.page), (ids) => ids.length === TILES_PER_PAGE, 20_000);
  });

  it('shows the grid in pages of four, with page controls, and decodes only the page shown', async () => {
    const page = asha.page;
    assert.equal((await layout(page)).layout, 'grid');
    await waitFor(() => page.getByTestId('page-indicator').textContent(), (t) => t === 'Page 1 of 2');
    assert.equal(await page.getByTestId('page-indicator').textContent(), 'Page 1 of 2');
    assert.deepEqual(await shownIds(page), [asha.id, bilal.id, chitra.id, dev.id], 'page 1: own tile, then in order of joining');
    assert.equal(await page.getByTestId('page-prev').isDisabled(), true, 'no page before the first');
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isEnabled(), true, 'the next-page button has an accessible name');
    await decodesExactly(page, remoteIds, [bilal.id, chitra.id, dev.id], names, 25_000);

    await page.getByTestId('page-next').click();
    await waitFor(() => page.getByTestId('page-indicator').textContent(), (t) => t === 'Page 2 of 2');
    assert.deepEqual(await shownIds(page), [esha.id], 'page 2 holds the one person left, and no "+N more" tile');
    await decodesExactly(page, remoteIds, [esha.id], names);

    // Keyboard: the previous-page button is reachable and works with Enter.
    await page.getByTestId('page-prev').focus();
    await page.keyboard.press('Enter');
    await waitFor(() => page.getByTestId('page-indicator').textContent(), (t) => t === 'Page 1 of 2');
    await decodesExactly(page, remoteIds, [bilal.id, chitra.id, dev.id], names);
  });

  it('follows whoever talks in speaker view, keeping the last speaker while nobody talks', async () => {
    const page = asha.page;
    // Asha's own voice never takes the stage, but it could drown the others' in the level comparison.
    await setMic(asha, false);
    await page.getByTestId('layout-switch').click();
    assert.equal(await page.getByTestId('layout-switch').getAttribute('aria-pressed'), 'true');
    await waitFor(() => layout(page), (l) => l.layout === 'speaker');

    await setMic(chitra, true);
    const first = await waitFor(() => layout(page), (l) => l.featured === chitra.id, 30_000);
    assert.equal(first.featured, chitra.id, 'Chitra talks: she is large');
    assert.equal(first.featuredReason, 'speaker');
    await setMic(chitra, false);
    await setMic(esha, true);
    const second = await waitFor(() => layout(page), (l) => l.featured === esha.id, 30_000);
    assert.equal(second.featured, esha.id, 'then Esha talks: she is large');
    await setMic(esha, false);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await layout(page)).featured, esha.id, 'nobody talks: the last speaker stays');

    // Everyone is in the stage or the filmstrip; the filmstrip is short, so all remote videos are on screen.
    await decodesExactly(page, remoteIds, remoteIds, names);
    const stage = page.locator('[data-testid="tile"][data-place="stage"]');
    assert.equal(await stage.getAttribute('data-participant-id'), esha.id);
  });

  it('keeps one’s own pin large whoever talks, until unpinned', async () => {
    const page = asha.page;
    const devTile = page.locator(`[data-testid="tile"][data-participant-id="${dev.id}"]`);
    await devTile.hover();
    await devTile.getByTestId('tile-menu').click();
    await page.getByTestId('tile-pin').click();
    const pinned = await waitFor(() => layout(page), (l) => l.featured === dev.id, 5000);
    assert.equal(pinned.featuredReason, 'pin');
    await setMic(bilal, true);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await layout(page)).featured, dev.id, 'Bilal talks, but Asha’s pin stays large');
    // The others' layouts do not change: a pin is for oneself.
    assert.notEqual((await layout(chitra.page)).featuredReason, 'pin');

    const stageTile = page.locator('[data-testid="tile"][data-place="stage"]');
    await stageTile.hover();
    await stageTile.getByTestId('tile-menu').click();
    assert.equal(await page.getByTestId('tile-pin').textContent(), 'Unpin');
    await page.getByTestId('tile-pin').click();
    const after = await waitFor(() => layout(page), (l) => l.featured === bilal.id, 15_000);
    assert.equal(after.featuredReason, 'speaker', 'unpinned: the active speaker is large again');
    await setMic(bilal, false);
  });

  it('lets the host spotlight someone for everyone, which a personal pin overrides', async () => {
    // Chitra stays in grid view: the spotlight still shows Esha large to her.
    assert.equal((await layout(chitra.page)).layout, 'grid');
    const menuTile = chitra.page.locator(`[data-testid="tile"][data-participant-id="${bilal.id}"]`);
    await menuTile.hover();
    await menuTile.getByTestId('tile-menu').click();
    assert.equal(await chitra.page.getByTestId('tile-spotlight').count(), 0, 'a participant is not offered the spotlight');
    await chitra.page.keyboard.press('Escape');

    await asha.page.getByTestId('participants-button').click();
    await asha.page.getByTestId(`spotlight-${esha.id}`).click();
    for (const viewer of [asha, chitra, dev]) {
      const l = await waitFor(() => layout(viewer.page), (x) => x.featured === esha.id && x.featuredReason === 'spotlight', 10_000);
      assert.equal(l.featured, esha.id, `${viewer.name} sees Esha large`);
    }
    await decodesExactly(chitra.page, [asha.id, bilal.id, dev.id, esha.id], [asha.id, bilal.id, dev.id, esha.id], names);

    // Dev pins Bilal: his pin wins over the spotlight, for him only.
    await dev.page.getByTestId('participants-button').click();
    await dev.page.getByTestId(`pin-${bilal.id}`).click();
    const devView = await waitFor(() => layout(dev.page), (x) => x.featured === bilal.id, 5000);
    assert.equal(devView.featuredReason, 'pin');
    assert.equal((await layout(chitra.page)).featured, esha.id);

    await asha.page.getByTestId(`spotlight-${esha.id}`).click();
    const back = await waitFor(() => layout(chitra.page), (x) => x.layout === 'grid', 10_000);
    assert.equal(back.featured, undefined, 'spotlight removed: Chitra’s grid is back');
    await asha.page.getByTestId('participants-button').click();
    await dev.page.getByTestId(`pin-${bilal.id}`).click();
    await dev.page.getByTestId('participants-button').click();
  });

  it('never makes the page wider than the window when a side panel opens', async () => {
    const page = asha.page;
    await page.getByTestId('layout-switch').click();
    await waitFor(() => layout(page), (l) => l.layout === 'grid');
    for (const [width, height] of [[1280, 800], [1920, 1080], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      for (const panel of ['participants', 'chat', 'security'] as const) {
        await page.getByTestId(`${panel}-button`).click();
        await page.getByTestId('panel-close').waitFor();
        await new Promise((r) => setTimeout(r, 300));
        const doc = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
        assert.ok(doc.scroll <= doc.inner, `${width}x${height} with ${panel} open: page ${doc.scroll} px wide in a ${doc.inner} px window`);
        for (const button of ['participants-button', 'chat-button', 'security-button', 'panel-close']) {
          const box = await page.getByTestId(button).boundingBox();
          assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height, `${width}x${height}, ${panel} open: ${button} is inside the window (${JSON.stringify(box)})`);
        }
        await page.getByTestId('panel-close').click();
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

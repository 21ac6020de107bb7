/**
 * A meeting of Chromium and Firefox (Debian's firefox-esr, over WebDriver BiDi) through Janus: Firefox takes
 * part fully, as participant and as host. Firefox seals and opens its frames with RTCRtpScriptTransform in the
 * same worker as Chromium, and sends rid-based VP8 simulcast that Janus switches between; the others must
 * decode it, and it them, with no decryption failure, one security code, and chat, raised hands and reactions
 * both ways. Firefox runs windowed on a private Xvfb display (test/helpers/firefox.ts) when Xvfb is installed,
 * since headless Firefox cannot share a screen; without Xvfb the screen-share test is skipped and says why.
 *
 * Both browsers are driven through one small interface (`Person`), by the same data-testids a person's
 * clicks reach, so every step below runs the same way whichever browser takes it.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser as ChromiumBrowser, Page as ChromiumPage } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import * as ff from '../helpers/firefox.ts';
import { e2ee as chromiumE2ee, inboundFrom, launchBrowser, openParticipant as openChromium, stats as chromiumStats, waitFor, type DebugStats, type E2eeDebug } from './browser.ts';

type BrowserName = 'chromium' | 'firefox';

/** One person's page, whichever browser shows it. */
interface Person {
  name: string;
  browser: BrowserName;
  id: string;
  click(testId: string): Promise<void>;
  fill(testId: string, text: string): Promise<void>;
  waitVisible(testId: string, timeoutMs?: number): Promise<void>;
  /** Runs `fn(arg)` in the page. */
  evaluate<A, T>(fn: (arg: A) => T, arg: A): Promise<T>;
  stats(): Promise<DebugStats>;
  e2ee(): Promise<E2eeDebug | null>;
  /** Closes the person's browser context: they are gone. */
  close(): Promise<void>;
}

function chromiumPerson(name: string, page: ChromiumPage): Person {
  return {
    name,
    browser: 'chromium',
    id: '',
    click: (id) => page.getByTestId(id).click(),
    fill: (id, text) => page.getByTestId(id).fill(text),
    waitVisible: (id, timeoutMs = 20_000) => page.getByTestId(id).waitFor({ timeout: timeoutMs }),
    evaluate: <A, T>(fn: (arg: A) => T, arg: A) => page.evaluate(fn as (arg: unknown) => T, arg as unknown) as Promise<T>,
    stats: () => chromiumStats(page),
    e2ee: () => chromiumE2ee(page),
    close: () => page.context().close(),
  };
}

function firefoxPerson(name: string, page: ff.FirefoxPage, context: ff.FirefoxContext): Person {
  return {
    name,
    browser: 'firefox',
    id: '',
    click: (id) => ff.click(page, id),
    fill: (id, text) => ff.fill(page, id, text),
    waitVisible: (id, timeoutMs) => ff.waitForTestId(page, id, timeoutMs),
    evaluate: <A, T>(fn: (arg: A) => T, arg: A) => page.evaluate(fn as (arg: unknown) => T, arg) as Promise<T>,
    stats: () => ff.stats(page),
    e2ee: () => ff.e2ee(page),
    close: () => context.close(),
  };
}

/** The text of the first element with this test id, or null. */
function text(person: Person, testId: string): Promise<string | null> {
  return person.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, testId);
}

function visible(person: Person, testId: string): Promise<boolean> {
  return person.evaluate((id) => {
    const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    return el !== null && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  }, testId);
}

/** Creates a meeting from the landing page, starts it as its host and joins; returns the participant link. */
async function startAsHost(host: Person, title: string): Promise<string> {
  await host.fill('title-input', title);
  await host.click('create-meeting');
  await host.waitVisible('participant-link');
  const link = await host.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="participant-link"]')!.value, null);
  await host.click('start-as-host');
  await host.fill('name-input', host.name);
  await host.click('join-button');
  await host.waitVisible('meeting', 30_000);
  host.id = await joinedId(host);
  return link;
}

async function joinedId(person: Person): Promise<string> {
  const s = await waitFor(() => person.stats(), (v) => v.selfId !== null && v.connection === 'joined', 30_000);
  assert.ok(s.selfId, `${person.name} joined`);
  return s.selfId;
}

/** `guest` asks to join at `link`; `host` admits it from the participants panel; the guest unmutes. */
async function admit(host: Person, guest: Person): Promise<void> {
  await guest.fill('name-input', guest.name);
  await guest.click('join-button');
  await guest.waitVisible('waiting-waiting-room');
  if (!(await visible(host, 'participants-list'))) await host.click('participants-button');
  await host.waitVisible('participants-list');
  const findWaiting = () =>
    host.evaluate((name) => {
      const entry = [...document.querySelectorAll('[data-testid="waiting-entry"]')].find((e) => e.textContent?.includes(name));
      return entry?.getAttribute('data-participant-id') ?? null;
    }, guest.name);
  const waitingId = await waitFor(findWaiting, (id) => id !== null, 10_000);
  assert.ok(waitingId, `${host.name} sees ${guest.name} waiting`);
  await host.click(`admit-${waitingId}`);
  await guest.waitVisible('meeting', 20_000);
  guest.id = await joinedId(guest);
  assert.equal(guest.id, waitingId);
  // Participants join muted; they unmute so that their audio is forwarded.
  await guest.click('mic-button');
}

/** Every person is keyed at one epoch with a group of exactly these people. */
async function settledGroup(people: readonly Person[]): Promise<E2eeDebug[]> {
  const ids = people.map((p) => p.id).sort();
  const read = () => Promise.all(people.map(async (p) => (await p.e2ee())!));
  const agreed = (states: E2eeDebug[]) =>
    states.every((s) => s.state === 'ready' && s.epoch === states[0]!.epoch && JSON.stringify([...s.members].sort()) === JSON.stringify(ids));
  const states = await waitFor(read, agreed, 30_000);
  assert.ok(agreed(states), `everyone is keyed at one epoch with the same group: ${JSON.stringify(states.map((s) => [s.state, s.epoch, s.members.length]))}`);
  return states;
}

/** Each viewer decodes growing video frames and audio samples from each other person. */
async function everyoneDecodesEveryone(people: readonly Person[]): Promise<void> {
  for (const viewer of people) {
    for (const other of people) {
      if (other === viewer) continue;
      const read = async () => inboundFrom(await viewer.stats(), other.id);
      const first = await read();
      const last = await waitFor(read, (v) => v.videoFrames >= first.videoFrames + 30 && v.audioSamples >= first.audioSamples + 48_000, 25_000);
      const failures = (await viewer.e2ee())?.decryptFailures[other.id] ?? 0;
      assert.ok(
        last.videoFrames >= first.videoFrames + 30 && last.audioSamples >= first.audioSamples + 48_000,
        `${viewer.name} (${viewer.browser}) decodes ${other.name} (${other.browser}): video ${first.videoFrames} → ${last.videoFrames}, ` +
          `audio samples ${first.audioSamples} → ${last.audioSamples}, frames dropped undecryptable ${failures}`,
      );
    }
  }
}

/** No one has counted a frame it could not decrypt. */
async function noDecryptFailures(people: readonly Person[]): Promise<void> {
  for (const p of people) {
    const s = (await p.e2ee())!;
    assert.deepEqual(s.decryptFailures, {}, `${p.name} (${p.browser}) dropped no frame as undecryptable: ${JSON.stringify(s.decryptFailureReasons)}`);
  }
}

/** Every header shows `code`. */
async function everyoneShows(people: readonly Person[], code: string): Promise<void> {
  for (const p of people) {
    const shown = await waitFor(() => text(p, 'security-code'), (t) => t === code, 10_000);
    assert.equal(shown, code, `${p.name} (${p.browser}) shows the group's security code`);
  }
}

/** `from` sends `message`; every other person's chat shows it, under `from`'s id. */
async function chatReachesEveryone(people: readonly Person[], from: Person, message: string): Promise<void> {
  for (const p of people) if (!(await visible(p, 'chat-input'))) await p.click('chat-button');
  await from.fill('chat-input', message);
  await from.click('chat-send');
  for (const p of people) {
    const read = () =>
      p.evaluate(
        (m) => [...document.querySelectorAll('[data-testid="chat-message"]')].filter((e) => e.textContent?.includes(m)).map((e) => e.getAttribute('data-from')),
        message,
      );
    const senders = await waitFor(read, (s) => s.length > 0, 10_000);
    assert.equal(senders.length, 1, `${p.name} (${p.browser}) shows "${message}" once`);
    if (p !== from) assert.equal(senders[0], from.id, `${p.name} shows it from ${from.name}`);
  }
}

/** True once `viewer` shows `emoji` from `from`, over its tile or in the reaction feed. */
function showsReaction(viewer: Person, from: Person, emoji: string): Promise<boolean> {
  return viewer.evaluate(
    ([id, e]) =>
      document.querySelector(
        `[data-testid="tile"][data-participant-id="${id}"] [data-testid="reaction-bubble"][data-emoji="${e}"], [data-testid="reaction-feed"] [data-participant-id="${id}"][data-emoji="${e}"]`,
      ) !== null,
    [from.id, emoji] as const,
  );
}

/** Whose raised hands `viewer`'s people list shows, in order. */
function raisedHands(viewer: Person): Promise<string[]> {
  return viewer.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid="raised-hand-entry"]')].map((e) => e.dataset.participantId ?? ''), null);
}

/** Whether `viewer` shows a raised hand on `of`'s tile. */
function handOnTile(viewer: Person, of: Person): Promise<boolean> {
  return viewer.evaluate((id) => document.querySelector(`[data-testid="tile"][data-participant-id="${id}"] [data-testid="tile-hand"]`) !== null, of.id);
}

async function openPeople(person: Person): Promise<void> {
  if (!(await visible(person, 'participants-list'))) await person.click('participants-button');
  await person.waitVisible('participants-list');
}

/** The width each of `sender`'s camera simulcast layers is encoded at now, by rid (layers turned off left out). */
async function layerWidths(sender: Person): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of (await sender.stats()).streams) {
    if (s.direction === 'outbound' && s.kind === 'video' && s.source === 'camera' && s.rid && (s.frameWidth ?? 0) > 0) out[s.rid] = s.frameWidth!;
  }
  return out;
}

/** The width of `from`'s camera that `viewer` decodes now. */
async function decodedWidth(viewer: Person, from: Person): Promise<number> {
  const inbound = (await viewer.stats()).streams.filter((s) => s.direction === 'inbound' && s.kind === 'video' && s.source === 'camera' && s.participantId === from.id);
  return inbound[0]?.frameWidth ?? 0;
}

/** Chromium's screen-share frames decoded from `from`. */
async function screenFramesFrom(viewer: Person, from: Person): Promise<number> {
  return inboundFrom(await viewer.stats(), from.id).screenFrames;
}

describe('a meeting of Chromium and Firefox', { timeout: 300_000 }, () => {
  let server: TestServer;
  let chromium: ChromiumBrowser;
  let firefox: ff.FirefoxBrowser;
  /** The people of the current test: each test's meeting is closed before the next starts (2 cores). */
  let open: Person[] = [];

  function track(person: Person): Person {
    open.push(person);
    return person;
  }

  async function chromiumAt(name: string, url: string): Promise<Person> {
    const { page } = await openChromium(chromium, url);
    page.on('dialog', (dialog) => void dialog.accept());
    return track(chromiumPerson(name, page));
  }

  async function firefoxAt(name: string, url: string): Promise<Person> {
    const { page, context } = await ff.openParticipant(firefox, url);
    page.on('dialog', (dialog) => void dialog.accept());
    return track(firefoxPerson(name, page, context));
  }

  before(async () => {
    server = await startTestServer({ janus: true });
    chromium = await launchBrowser();
    // Windowed on a private virtual display when Xvfb is installed, so that screen share works too.
    firefox = await ff.launchFirefox({ display: ff.hasVirtualDisplay() });
  });

  afterEach(async () => {
    const closing = open;
    open = [];
    await Promise.allSettled(closing.map((p) => p.close()));
  });

  after(async () => {
    await firefox?.close();
    await chromium?.close();
    await server?.close();
  });

  it('lets a Chromium host, a Firefox and a Chromium participant decode each other, with one security code, and carries chat, raised hands and reactions both ways', async () => {
    const host = await chromiumAt('Asha', server.url + '/');
    const link = await startAsHost(host, 'Mixed');
    const farah = await firefoxAt('Farah', link);
    await admit(host, farah);
    const chitra = await chromiumAt('Chitra', link);
    await admit(host, chitra);
    const people = [host, farah, chitra];

    const states = await settledGroup(people);
    const code = states[0]!.securityCode!;
    assert.match(code, /^\d{5} \d{5} \d{5}$/);
    for (const s of states) assert.equal(s.securityCode, code, 'every member derives the same security code');
    await everyoneShows(people, code);
    assert.equal(await text(farah, 'e2ee-state'), 'End-to-end encrypted');

    await everyoneDecodesEveryone(people);
    await noDecryptFailures(people);

    await chatReachesEveryone(people, farah, 'Namaste from Firefox');
    await chatReachesEveryone(people, host, 'Welcome, Farah');

    // Raise hand and reactions travel sealed like chat: Firefox raises, sees others' hands, and sends and gets reactions.
    for (const p of people) await openPeople(p);
    await farah.click('raise-hand');
    await chitra.click('raise-hand');
    for (const p of people) {
      const queue = await waitFor(() => raisedHands(p), (q) => q.length === 2, 10_000);
      assert.deepEqual(queue, [farah.id, chitra.id], `${p.name} (${p.browser}) shows Farah's hand, then Chitra's`);
    }
    assert.ok(await waitFor(() => handOnTile(farah, chitra), (v) => v, 10_000), "Farah sees Chitra's hand on her tile");
    await host.click('lower-all-hands');
    for (const p of people) assert.deepEqual(await waitFor(() => raisedHands(p), (q) => q.length === 0, 10_000), [], `${p.name} sees every hand lowered`);
    await host.click('reactions-button');
    await host.click('reaction-5');
    await farah.click('reactions-button');
    await farah.click('reaction-2');
    for (const p of people) {
      if (p !== host) assert.ok(await waitFor(() => showsReaction(p, host, '🎉'), (v) => v, 10_000), `${p.name} (${p.browser}) sees Asha's 🎉`);
      if (p !== farah) assert.ok(await waitFor(() => showsReaction(p, farah, '❤️'), (v) => v, 10_000), `${p.name} (${p.browser}) sees Farah's ❤️`);
    }
  });

  it("re-points Firefox's receivers from someone who was removed to someone admitted after, with no decryption failure", async () => {
    const host = await chromiumAt('Asha', server.url + '/');
    const link = await startAsHost(host, 'Coming and going');
    const farah = await firefoxAt('Farah', link);
    await admit(host, farah);
    const chitra = await chromiumAt('Chitra', link);
    await admit(host, chitra);
    await everyoneDecodesEveryone([host, farah, chitra]);
    const midsOf = async (viewer: Person, of: Person) =>
      (await viewer.stats()).streams.filter((x) => x.direction === 'inbound' && x.participantId === of.id).map((x) => x.mid).sort();
    const chitraMids = await midsOf(farah, chitra);

    await openPeople(host);
    await host.click(`remove-${chitra.id}`);
    await chitra.waitVisible('meeting-ended');
    const dev = await chromiumAt('Dev', link);
    await admit(host, dev);
    const people = [host, farah, dev];
    await settledGroup(people);
    await everyoneDecodesEveryone(people);
    // Janus re-pointed the slots that carried Chitra to Dev (VideoRoom `switch`): Firefox got a new
    // RTCRtpScriptTransform on the same receivers, naming Chitra as whom they showed before.
    assert.deepEqual(await midsOf(farah, dev), chitraMids, "Farah's receivers that showed Chitra now show Dev");
    await noDecryptFailures(people);
  });

  it('lets a Firefox host admit a Chromium participant, and both decode each other', async () => {
    const host = await firefoxAt('Farid', server.url + '/');
    const link = await startAsHost(host, 'Firefox hosts');
    const guest = await chromiumAt('Gita', link);
    await admit(host, guest);
    const people = [host, guest];
    const states = await settledGroup(people);
    assert.equal(states[0]!.securityCode, states[1]!.securityCode);
    await everyoneShows(people, states[0]!.securityCode!);
    await everyoneDecodesEveryone(people);
    await noDecryptFailures(people);
    // Janus forwards one whole simulcast layer of Firefox's (rid-based) camera: Chromium decodes one layer's size.
    const widths = await layerWidths(host);
    assert.ok(Object.keys(widths).length >= 1, `Firefox encodes simulcast layers: ${JSON.stringify(widths)}`);
    const width = await waitFor(() => decodedWidth(guest, host), (w) => Object.values(widths).includes(w), 10_000);
    assert.ok(Object.values(widths).includes(width), `Gita decodes one of Farid's layers (${width} of ${JSON.stringify(widths)})`);
    await chatReachesEveryone(people, guest, 'Thank you for admitting me');
  });

  it("shows the Firefox host's screen share to a Chromium participant", { skip: ff.hasVirtualDisplay() ? false : 'no Xvfb: Firefox shares a screen only with a display' }, async () => {
    const host = await firefoxAt('Farid', server.url + '/');
    const link = await startAsHost(host, 'Firefox presents');
    const guest = await chromiumAt('Gita', link);
    await admit(host, guest);
    await settledGroup([host, guest]);
    await host.click('share-screen');
    const frames = await waitFor(() => screenFramesFrom(guest, host), (n) => n >= 30, 25_000);
    assert.ok(frames >= 30, `Gita decodes Farid's screen (${frames} frames)`);
    // The screen takes the stage and Farid's camera a thumbnail: Janus switches Gita to Firefox's lowest layer
    // (rid 'l', substream 0), which it can do only at a key frame it recognises in the clear VP8 header.
    const low = await waitFor(() => layerWidths(host), (w) => w['l'] !== undefined, 10_000);
    const width = await waitFor(() => decodedWidth(guest, host), (w) => w === low['l'], 15_000);
    assert.equal(width, low['l'], `Gita decodes Farid's camera at its low layer's width (${JSON.stringify(low)})`);
    await noDecryptFailures([host, guest]);
  });
});

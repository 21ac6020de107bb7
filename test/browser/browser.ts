/**
 * Browser-test harness: headless Debian chromium with fake camera/microphone, and
 * helpers that drive Sabha's pages the way a person would (through data-testid'd
 * controls) and read media counters through `window.__sabhaDebug`.
 */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { StreamStats } from '../../src/web/debug-hook.ts';
import { createMeeting } from '../helpers/meeting-fixture.ts';
import type { TestServer } from '../helpers/test-server.ts';

export type { StreamStats };

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Screen capture without a picker: the fake UI auto-selects the current tab/screen.
  '--auto-select-desktop-capture-source=Entire screen',
  '--autoplay-policy=no-user-gesture-required',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/**
 * One person's browser with a profile kept in `userDataDir` (localStorage, IndexedDB): launched again on the
 * same directory, it is the same device, as for someone who closes the browser and comes to another meeting.
 */
export function launchPersistentProfile(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    permissions: ['camera', 'microphone'],
  });
}

export interface DebugStats {
  connection: string;
  selfId: string | null;
  streams: StreamStats[];
}

/** One person: a separate browser context (own localStorage, so an own deviceId). */
export async function openParticipant(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const page = await openPage(browser, url);
  return { context: page.context(), page };
}

export interface PageOptions {
  /** Viewport and device; a 1280x800 desktop by default. */
  context?: BrowserContextOptions;
  /** Granted besides camera and microphone (e.g. the clipboard). */
  permissions?: string[];
  /** Runs in the page before Sabha's script. */
  init?: string | (() => void);
}

/** One person: a page in a fresh browser context (own localStorage, so an own device id), at `url`. */
export async function openPage(browser: Browser, url: string, options: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...options.context,
    permissions: ['camera', 'microphone', ...(options.permissions ?? [])],
  });
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(url);
  return page;
}

/** One person with a grid page of `tilesPerPage` tiles (`localStorage['sabha.tilesPerPage']`). */
export function openWithTilesPerPage(browser: Browser, url: string, tilesPerPage: number): Promise<Page> {
  return openPage(browser, url, { init: `localStorage.setItem('sabha.tilesPerPage', ${JSON.stringify(String(tilesPerPage))})` });
}

export interface MeetingLinks {
  meetingId: string;
  passcode: string;
  hostSecret: string;
  participantLink: string;
  /** The participant link with the host secret in its fragment. */
  hostLink: string;
}

/** A new meeting on `server`, and the links people open to it. */
export async function newMeetingLinks(server: TestServer, title: string): Promise<MeetingLinks> {
  const { meetingId, passcode, hostSecret } = await createMeeting(server.wsUrl, title);
  const participantLink = `${server.url}/m/${meetingId}#pc=${passcode}`;
  return { meetingId, passcode, hostSecret, participantLink, hostLink: `${participantLink}&host=${hostSecret}` };
}

/** The participant id of the page's person, once joined. */
export async function selfId(page: Page, timeoutMs = 30_000): Promise<string> {
  const s = await waitFor(() => stats(page), (v) => v.selfId !== null && v.connection === 'joined', timeoutMs);
  if (!s.selfId) throw new Error('the participant has no id: not joined');
  return s.selfId;
}

/** Fills the pre-join form and presses Join. */
export async function join(page: Page, name: string): Promise<void> {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('join-button').click();
}

export interface E2eeDebug {
  state: 'no-key' | 'ready' | 'closed';
  epoch: number | null;
  securityCode: string | null;
  members: string[];
  roster: { missingFromGroup: string[]; unknownInGroup: string[] };
  decryptFailures: Record<string, number>;
  decryptFailureReasons: Record<string, string>;
}

/** The E2EE state the page exposes for tests (never keys). */
export function e2ee(page: Page): Promise<E2eeDebug | null> {
  return page.evaluate(() => (window as unknown as { __sabhaDebug: { e2ee(): E2eeDebug | null } }).__sabhaDebug.e2ee());
}

export function stats(page: Page): Promise<DebugStats> {
  return page.evaluate(() => (window as unknown as { __sabhaDebug: { stats(): Promise<DebugStats> } }).__sabhaDebug.stats());
}

/** Inbound streams from one participant, summed by kind/source. */
export function inboundFrom(s: DebugStats, participantId: string) {
  const of = (kind: string, source: string) => s.streams.filter((x) => x.direction === 'inbound' && x.participantId === participantId && x.kind === kind && x.source === source);
  const sum = (xs: StreamStats[], f: (x: StreamStats) => number) => xs.reduce((a, x) => a + f(x), 0);
  return {
    videoFrames: sum(of('video', 'camera'), (x) => x.framesDecoded ?? 0),
    audioPackets: sum(of('audio', 'camera'), (x) => x.packets),
    audioBytes: sum(of('audio', 'camera'), (x) => x.bytes),
    audioSamples: sum(of('audio', 'camera'), (x) => x.samplesDecoded ?? 0),
    screenFrames: sum(of('video', 'screen'), (x) => x.framesDecoded ?? 0),
  };
}

/** Polls `check` until it returns true or the time is up; returns the last value for the assertion message. */
export async function waitFor<T>(probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await probe();
  }
  return value;
}

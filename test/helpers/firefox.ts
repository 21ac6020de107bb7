/**
 * Browser-test harness for Firefox: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi (no
 * geckodriver, nothing downloaded), with Firefox's fake camera and microphone. Its page API mirrors the
 * Chromium helpers of test/browser/browser.ts: open a participant, join, read the media counters and the E2EE
 * snapshot through `window.__sabhaDebug`, and `waitFor`. Pages are driven through the same data-testids.
 *
 * Screen share needs a display: headless Firefox's getDisplayMedia fails with NotFoundError. `launchFirefox
 * ({ display: true })` starts a windowed Firefox on a private virtual display (Xvfb, started for it and stopped
 * with it), so the test needs no `xvfb-run` around it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { DebugStats, E2eeDebug } from '../browser/browser.ts';
import { waitFor } from '../browser/browser.ts';

export { waitFor };
export type FirefoxBrowser = Browser;
export type FirefoxPage = Page;
export type FirefoxContext = BrowserContext;

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

/**
 * Prefs of a test Firefox. The fake devices and no permission prompt stand in for Chromium's
 * `--use-fake-device-for-media-stream` and `--use-fake-ui-for-media-stream`; autoplay is allowed for the same
 * reason as Chromium's `--autoplay-policy` flag (remote audio plays without a click). Screen capture is
 * allowed without the picker.
 */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'media.getdisplaymedia.enabled': true,
  // No network beyond the test server: no updates, telemetry or safe-browsing lists.
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

export const XVFB_PATH = '/usr/bin/Xvfb';

export interface FirefoxLaunchOptions {
  /** A windowed Firefox on a virtual display of its own, so that screen share works. */
  display?: boolean;
}

export function launchFirefox(options: FirefoxLaunchOptions = {}): Promise<Browser> {
  if (options.display === true) return launchOnVirtualDisplay();
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
    defaultViewport: { width: 1280, height: 800 },
  });
}

export function hasVirtualDisplay(): boolean {
  return existsSync(XVFB_PATH);
}

/** Xvfb on a free display number (it writes the number it took to fd 3), stopped when Firefox goes away. */
async function launchOnVirtualDisplay(): Promise<Browser> {
  const xvfb = spawn(XVFB_PATH, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const stop = () => {
    if (xvfb.exitCode === null) xvfb.kill('SIGTERM');
  };
  try {
    const display = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 10_000);
      xvfb.stdio[3]!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) {
          clearTimeout(timer);
          resolve(`:${text.trim()}`);
        }
      });
      xvfb.once('exit', () => reject(new Error('Xvfb exited')));
    });
    const browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: FIREFOX_PATH,
      headless: false,
      env: { ...process.env, DISPLAY: display },
      extraPrefsFirefox: FIREFOX_PREFS,
      defaultViewport: { width: 1280, height: 800 },
    });
    browser.once('disconnected', stop);
    return browser;
  } catch (error) {
    stop();
    throw error;
  }
}

/** A data-testid selector. */
export function testId(id: string): string {
  return `[data-testid="${id}"]`;
}

/** One person: a page in a fresh browser context (own localStorage, so an own device id), at `url`. */
export async function openParticipant(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('pageerror', (err) => console.error('firefox page error:', err instanceof Error ? err.message : String(err)));
  await page.goto(url);
  return { context, page };
}

/** Waits until the element is shown. */
export async function waitForTestId(page: Page, id: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForSelector(testId(id), { visible: true, timeout: timeoutMs });
}

export async function click(page: Page, id: string, timeoutMs = 20_000): Promise<void> {
  await page.locator(testId(id)).setTimeout(timeoutMs).click();
}

/** Replaces an input's value, as a person typing it would. */
export async function fill(page: Page, id: string, text: string): Promise<void> {
  await page.locator(testId(id)).fill(text);
}

export async function textContent(page: Page, id: string): Promise<string | null> {
  return page.$eval(testId(id), (el) => el.textContent).catch(() => null);
}

export async function isVisible(page: Page, id: string): Promise<boolean> {
  const handle = await page.$(testId(id));
  if (!handle) return false;
  return handle.isVisible();
}

/** Fills the pre-join form and presses Join. */
export async function join(page: Page, name: string): Promise<void> {
  await fill(page, 'name-input', name);
  await click(page, 'join-button');
}

/** The E2EE state the page exposes for tests (never keys). */
export function e2ee(page: Page): Promise<E2eeDebug | null> {
  return page.evaluate(() => (window as unknown as { __sabhaDebug: { e2ee(): E2eeDebug | null } }).__sabhaDebug.e2ee());
}

export function stats(page: Page): Promise<DebugStats> {
  return page.evaluate(() => (window as unknown as { __sabhaDebug: { stats(): Promise<DebugStats> } }).__sabhaDebug.stats());
}

/** The participant id of the page's person, once joined. */
export async function selfId(page: Page, timeoutMs = 30_000): Promise<string> {
  const s = await waitFor(() => stats(page), (v) => v.selfId !== null && v.connection === 'joined', timeoutMs);
  if (!s.selfId) throw new Error('the participant has no id: not joined');
  return s.selfId;
}

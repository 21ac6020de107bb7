/**
 * Hindi and English in real Chromium through Janus (issue 10), and axe-core on every page.
 *
 * axe-core (the npm package, injected into the page through the test driver, so the page's CSP is not
 * loosened) finds no violations on the landing, sign-in, set-up link, pre-join, waiting, meeting (with each
 * side panel open), ended and error pages, in English and in Hindi. The language comes from the browser's languages, the menu
 * in the header switches it on the spot and the choice lasts into the meeting; plural forms follow the count
 * in both languages; and in Hindi, with Devanagari from Sabha's own font, the pages fit 1280x800 and a
 * 390x844 phone.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { TestServer } from '../helpers/test-server.ts';
import { stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { join, launchBrowser, newMeetingLinks, openPage, waitFor, type MeetingLinks } from './browser.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
/** A browser whose first language is Hindi: Sabha must start in Hindi by itself. */
const HINDI: BrowserContextOptions = { locale: 'hi-IN' };

type Lang = 'en' | 'hi';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/** Runs axe-core on the page as it is now; each violation as "rule: help (elements)". */
async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}: ${v.nodes[0]?.failureSummary ?? ''} ${v.nodes[0]?.html ?? ''}`);
}

/** The document's width beside the window's, and the test ids of visible elements that reach past the window's sides. */
function overflow(page: Page): Promise<{ scroll: number; inner: number; outside: string[] }> {
  return page.evaluate(() => {
    const outside: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('[data-testid]')) {
      const r = el.getBoundingClientRect();
      // Nothing drawn, or only for screen readers (a 1 px box, clipped).
      if (r.width <= 1 || r.height <= 1) continue;
      if (r.left < -0.5 || r.right > window.innerWidth + 0.5) outside.push(el.dataset.testid ?? '');
    }
    return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, outside };
  });
}

function open(browser: Browser, url: string, lang: Lang, context: BrowserContextOptions = DESKTOP): Promise<Page> {
  return openPage(browser, url, { context: { ...context, ...(lang === 'hi' ? HINDI : { locale: 'en-US' }) } });
}

async function joinMeeting(page: Page, name: string): Promise<void> {
  await join(page, name);
  await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
  await waitFor(() => page.getByTestId('security-code').textContent(), (t) => (t ?? '') !== '', 20_000);
}

async function openPanel(page: Page, panel: 'participants' | 'chat' | 'security'): Promise<void> {
  const button = page.getByTestId(`${panel}-button`);
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  await page.getByTestId('panel-close').waitFor();
}

/** Waits until what is drawn with Devanagari uses Sabha's own font (loaded from this origin), not a fallback. */
async function devanagariFontLoaded(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts].some((face) => face.family.replace(/"/g, '') === 'Sabha Devanagari' && face.status === 'loaded');
  });
}

const TEXTS = {
  en: { prejoin: 'Ready to join?', waitingRoom: 'The host will let you in soon', ended: 'You left the meeting', one: '1 person waiting to join', three: '3 people waiting to join' },
  hi: {
    prejoin: 'शामिल होने के लिए तैयार हैं?',
    waitingRoom: 'होस्ट जल्द ही आपको अंदर आने देंगे',
    ended: 'आपने मीटिंग छोड़ दी',
    one: '1 व्यक्ति शामिल होने की प्रतीक्षा में',
    three: '3 लोग शामिल होने की प्रतीक्षा में',
  },
} as const;

describe('Hindi and English, and axe-core, in real browsers', { timeout: 600_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    // This suite makes more meetings from one address than the default limit of 10 at once allows.
    server = await startTestServer({ janus: true, overrides: { limits: { maxMeetingsPerAddress: 100 } } });
    browser = await launchBrowser();
  });
  after(() => stopServerAndBrowser(server, browser));

  for (const lang of ['en', 'hi'] as const) {
    it(`finds no axe violations on the landing, sign-in, set-up link, error, pre-join, waiting, meeting (each panel open) and ended pages in ${lang === 'en' ? 'English' : 'Hindi'}`, async () => {
      const found: Record<string, string[]> = {};
      const check = async (label: string, page: Page) => {
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${label}: <html lang>`);
        found[label] = await axeViolations(page);
      };

      const landing = await open(browser, `${server.url}/`, lang);
      await landing.getByTestId('create-meeting').waitFor();
      await check('landing', landing);
      await landing.getByTestId('create-meeting').click();
      await landing.getByTestId('participant-link').waitFor();
      await check('landing with a new meeting', landing);
      if (lang === 'hi') assert.ok(await devanagariFontLoaded(landing), 'Devanagari is drawn with Sabha’s own font');
      await landing.goto(`${server.url}/m/not-a-meeting`);
      await landing.getByTestId('unavailable').waitFor();
      await check('mangled meeting link', landing);
      await landing.goto(`${server.url}/nothing-here`);
      await landing.getByTestId('unavailable').waitFor();
      await check('page not found', landing);
      // The account pages a visitor reaches without an account (test/browser/accounts.test.ts scans the others).
      await landing.goto(`${server.url}/signin`);
      await landing.getByTestId('signin-passkey').waitFor();
      await check('sign-in', landing);
      await landing.getByTestId('signin-use-password').click();
      await landing.getByTestId('signin-email').waitFor();
      await check('sign-in with a password', landing);
      await landing.goto(`${server.url}/enrol`);
      await landing.getByTestId('enrol-invalid').waitFor();
      await check('a set-up link that does not work', landing);
      await landing.context().close();

      const links = await newMeetingLinks(server, 'Class 7B');
      const host = await open(browser, links.hostLink, lang);
      await host.getByTestId('join-button').waitFor();
      await check('pre-join (host)', host);
      await joinMeeting(host, 'Teacher');
      await check('meeting', host);

      const guest = await open(browser, links.participantLink, lang);
      await host.getByTestId('participants-button').waitFor();
      assert.equal(await guest.locator('h1').textContent(), TEXTS[lang].prejoin);
      await check('pre-join (participant)', guest);
      await join(guest, 'Ravi');
      await guest.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
      assert.equal(await guest.locator('h1').textContent(), TEXTS[lang].waitingRoom);
      await check('waiting room', guest);

      await openPanel(host, 'participants');
      const entry = host.getByTestId('waiting-entry').filter({ hasText: 'Ravi' });
      await entry.waitFor({ timeout: 20_000 });
      await check('meeting, people panel with someone waiting', host);
      const guestId = (await entry.getAttribute('data-participant-id'))!;
      await host.getByTestId(`admit-${guestId}`).click();
      await guest.getByTestId('meeting').waitFor({ timeout: 30_000 });
      await host.getByTestId(`cohost-${guestId}`).waitFor({ timeout: 10_000 });
      await check('meeting, people panel (host)', host);
      await openPanel(host, 'chat');
      await host.getByTestId('chat-input').fill('Good morning, see https://example.org/notes');
      await host.getByTestId('chat-send').click();
      await guest.getByTestId('chat-button').click();
      await guest.getByTestId('chat-message').waitFor({ timeout: 10_000 });
      await check('meeting, chat panel (host)', host);
      await check('meeting, chat panel (participant)', guest);
      // The dialogs: a link from chat, the security code, verifying a person, and the host's leave.
      await guest.getByTestId('chat-link').click();
      await guest.getByTestId('link-dialog').waitFor();
      await check('dialog: open a link from chat', guest);
      await guest.getByTestId('link-cancel').click();
      await host.getByTestId('e2ee-badge').click();
      await host.getByTestId('e2ee-dialog').waitFor();
      await check('dialog: the security code', host);
      await host.getByTestId('e2ee-dialog-close').click();
      await openPanel(host, 'participants');
      await host.getByTestId(`verify-${guestId}`).click();
      await host.getByTestId('verify-dialog').waitFor();
      await check('dialog: verify a person', host);
      await host.getByTestId('verify-cancel').click();
      await host.getByTestId('leave-button').click();
      await host.getByTestId('leave-dialog').waitFor();
      await check('dialog: the host leaves', host);
      await host.getByTestId('leave-cancel').click();
      await openPanel(host, 'security');
      await check('meeting, security panel (host)', host);
      await openPanel(guest, 'security');
      await check('meeting, security panel (participant)', guest);
      await openPanel(guest, 'participants');
      await check('meeting, people panel (participant)', guest);

      await guest.getByTestId('leave-button').click();
      await guest.getByTestId('meeting-ended').waitFor({ timeout: 10_000 });
      assert.equal(await guest.locator('h1').textContent(), TEXTS[lang].ended);
      await check('ended', guest);
      await guest.context().close();
      await host.context().close();

      const withViolations = Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0));
      assert.deepEqual(withViolations, {}, `axe violations in ${lang}`);
      assert.ok(Object.keys(found).length >= 18, `pages scanned: ${Object.keys(found).join(', ')}`);
    });
  }

  it('switches the pre-join page to Hindi from the header menu, keeps the name typed, and the meeting follows', async () => {
    const links = await newMeetingLinks(server, 'Class 7B');
    const page = await open(browser, links.hostLink, 'en');
    await page.getByTestId('name-input').fill('Teacher');
    assert.equal(await page.locator('h1').textContent(), 'Ready to start?');
    assert.equal(await page.getByTestId('join-button').textContent(), 'Start meeting');
    await page.getByTestId('language-select').selectOption('hi');
    await waitFor(() => page.locator('h1').textContent(), (t) => t === 'शुरू करने के लिए तैयार हैं?', 5000);
    assert.equal(await page.getByTestId('join-button').textContent(), 'मीटिंग शुरू करें');
    assert.equal(await page.getByTestId('prejoin-mic').getAttribute('aria-label'), 'माइक्रोफ़ोन बंद करें');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'hi');
    assert.equal(await page.evaluate(() => document.title), 'शुरू करने के लिए तैयार हैं? · सभा');
    assert.equal(await page.getByTestId('name-input').inputValue(), 'Teacher', 'what was typed stays');
    assert.equal(await page.getByTestId('language-select').evaluate((el) => el === document.activeElement), true, 'focus stays on the menu');

    await page.getByTestId('join-button').click();
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('mic-button').getAttribute('aria-label'), 'माइक्रोफ़ोन बंद करें');
    assert.equal(await page.getByTestId('language-select').inputValue(), 'hi');
    await waitFor(() => page.getByTestId('e2ee-state').textContent(), (t) => t === 'एंड-टू-एंड एन्क्रिप्टेड', 20_000);

    // Back to English in the meeting: drawn again at once, still in the meeting with its security code.
    await page.getByTestId('language-select').selectOption('en');
    await waitFor(() => page.getByTestId('e2ee-state').textContent(), (t) => t === 'End-to-end encrypted', 5000);
    assert.equal(await page.getByTestId('mic-button').getAttribute('aria-label'), 'Turn microphone off');
    assert.notEqual(await page.getByTestId('security-code').textContent(), '');
    assert.equal(await page.evaluate(() => localStorage.getItem('sabha.language')), 'en', 'the choice is remembered');

    // A new page in this browser starts in the language chosen last, whatever the browser's own.
    await page.evaluate(() => localStorage.setItem('sabha.language', 'hi'));
    const later = await page.context().newPage();
    await later.goto(`${server.url}/`);
    await waitFor(() => later.locator('h1').textContent(), (t) => t === 'वीडियो मीटिंग, पूरी तरह आपकी अपनी', 5000);
    await page.context().close();
  });

  it('says "1 person" and "3 people" waiting in English and in Hindi', async () => {
    for (const lang of ['en', 'hi'] as const) {
      const links: MeetingLinks = await newMeetingLinks(server, 'Class 7B');
      const host = await open(browser, links.hostLink, lang);
      await joinMeeting(host, 'Teacher');
      await openPanel(host, 'participants');
      const guests: Page[] = [];
      for (const name of ['Asha', 'Bilal', 'Chitra']) {
        const guest = await open(browser, links.participantLink, lang);
        await join(guest, name);
        await guest.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
        guests.push(guest);
        if (guests.length === 1) {
          await waitFor(() => host.getByTestId('waiting-count').textContent(), (t) => t === TEXTS[lang].one, 10_000);
          assert.equal(await host.getByTestId('waiting-count').textContent(), TEXTS[lang].one);
        }
      }
      await waitFor(() => host.getByTestId('waiting-count').textContent(), (t) => t === TEXTS[lang].three, 10_000);
      assert.equal(await host.getByTestId('waiting-count').textContent(), TEXTS[lang].three);
      for (const guest of guests) await guest.context().close();
      await host.context().close();
    }
  });

  for (const [label, context] of [
    ['1280x800', DESKTOP],
    ['a 390x844 phone', PHONE],
  ] as const) {
    it(`keeps the Hindi pages within the window at ${label}`, async () => {
      const width = context.viewport!.width;
      const landing = await open(browser, `${server.url}/`, 'hi', context);
      await landing.getByTestId('create-meeting').click();
      await landing.getByTestId('participant-link').waitFor();
      assert.deepEqual(await overflow(landing), { scroll: width, inner: width, outside: [] }, 'landing');
      await landing.context().close();

      const links = await newMeetingLinks(server, 'कक्षा 7 ब — साप्ताहिक समीक्षा');
      const host = await open(browser, links.hostLink, 'hi', context);
      await host.getByTestId('join-button').waitFor();
      assert.deepEqual(await overflow(host), { scroll: width, inner: width, outside: [] }, 'pre-join');
      await joinMeeting(host, 'शिक्षिका');
      assert.deepEqual(await overflow(host), { scroll: width, inner: width, outside: [] }, 'meeting');
      for (const panel of ['participants', 'chat', 'security'] as const) {
        await openPanel(host, panel);
        assert.deepEqual(await overflow(host), { scroll: width, inner: width, outside: [] }, `${panel} panel`);
        for (const id of ['panel-close', `${panel}-button`]) assert.ok(await host.getByTestId(id).isVisible(), `${id} is shown with the ${panel} panel`);
      }
      if (context === PHONE) {
        // The smallest phones still in use: the header with its language menu wraps instead of widening the page.
        await host.getByTestId('panel-close').click();
        await host.setViewportSize({ width: 320, height: 640 });
        await host.waitForTimeout(200);
        assert.equal((await overflow(host)).scroll, 320, 'the page at 320x640');
        const header = await host.locator('header.meeting-top').evaluate((top) =>
          [...top.querySelectorAll<HTMLElement>('*')].filter((el) => el.getBoundingClientRect().width > 1 && el.getBoundingClientRect().right > window.innerWidth + 0.5).map((el) => el.className || el.tagName),
        );
        assert.deepEqual(header, [], 'the meeting header at 320x640');
      }
      await host.context().close();
    });
  }
});

/**
 * Shared by the browser benchmarks: a server with a real Janus, a host in Chromium
 * who has turned the waiting room off (so joins measure Sabha, not a person's
 * reaction), and helpers to add participants.
 */
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../test/helpers/test-server.ts';
import { createMeeting } from '../test/helpers/meeting-fixture.ts';
import { join, launchBrowser, openParticipant, stats, waitFor } from '../test/browser/browser.ts';

export interface BenchMeeting {
  server: TestServer;
  browser: Browser;
  host: Page;
  participantLink: string;
  close(): Promise<void>;
}

export async function startBenchMeeting(): Promise<BenchMeeting> {
  const server = await startTestServer({ janus: true });
  const browser = await launchBrowser();
  const meeting = await createMeeting(server.wsUrl, 'Benchmark');
  const base = `${server.url}/m/${meeting.meetingId}`;
  const { page: host } = await openParticipant(browser, `${base}#pc=${meeting.passcode}&host=${meeting.hostSecret}`);
  await join(host, 'Host');
  await host.getByTestId('meeting').waitFor({ timeout: 30_000 });
  await host.getByTestId('security-button').click();
  await host.getByTestId('setting-waitingRoom').click();
  await waitFor(() => host.getByTestId('setting-waitingRoom').getAttribute('aria-checked'), (v) => v === 'false', 10_000);
  return {
    server,
    browser,
    host,
    participantLink: `${base}#pc=${meeting.passcode}`,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Opens the participant link and clicks Join. Resolves with the ms from the click to the meeting view
 * (signalling done, and the MLS key in hand or on its way) and to the first decoded remote video frame.
 */
export async function timeJoinToFirstFrame(m: BenchMeeting, name: string): Promise<{ page: Page; ms: number; joinedMs: number }> {
  const { page } = await openParticipant(m.browser, m.participantLink);
  await page.getByTestId('name-input').fill(name);
  const clickedAt = Date.now();
  await page.getByTestId('join-button').click();
  await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
  const joinedMs = Date.now() - clickedAt;
  await waitFor(
    () => stats(page),
    (s) => s.streams.some((x) => x.direction === 'inbound' && x.kind === 'video' && (x.framesDecoded ?? 0) > 0),
    30_000,
    20,
  );
  return { page, ms: Date.now() - clickedAt, joinedMs };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

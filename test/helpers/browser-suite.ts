/**
 * What a browser suite starts before its tests and stops after them: a Sabha server with a real Janus, and
 * one Chromium. A suite calls `startServerAndBrowser` in `before` and `stopServerAndBrowser` in `after`.
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../browser/browser.ts';
import { startTestServer, type TestServer } from './test-server.ts';

export async function startServerAndBrowser(): Promise<{ server: TestServer; browser: Browser }> {
  const server = await startTestServer({ janus: true });
  try {
    return { server, browser: await launchBrowser() };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Safe when `before` failed half-way: either may be missing. */
export async function stopServerAndBrowser(server: TestServer | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
}

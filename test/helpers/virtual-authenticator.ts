/**
 * Chromium with a virtual WebAuthn authenticator (Chrome DevTools Protocol `WebAuthn` domain) standing in for a
 * fingerprint reader: a platform authenticator that keeps resident keys (passkeys) and passes user verification.
 * For browser suites that register and use passkeys (test/browser/schedule.test.ts, accounts.test.ts).
 */
import { createServer } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * A browser context with its own virtual authenticator; camera and microphone allowed (fake devices) unless
 * `media: false` (a context that only visits account pages).
 */
export async function contextWithAuthenticator(browser: Browser, options: { media?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const permissions = options.media === false ? {} : { permissions: ['camera', 'microphone'] };
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', ...permissions });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { context, page };
}

/** A free loopback port, so that a server can be told its own `publicUrl` before it listens (WebAuthn needs `localhost`). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

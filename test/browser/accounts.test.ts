/**
 * The account pages in real Chromium against a real server in `whoMayHost: 'accounts'` mode (issue 9), with a
 * virtual WebAuthn authenticator (Chrome DevTools Protocol `WebAuthn` domain) standing in for a fingerprint reader:
 *
 * the first administrator sets up their account from the first-start link with a passkey, signs out and signs
 * in again with it; creates a user on the admin page; that user sets a password and an authenticator app from
 * the set-up link (the code computed here from the secret the page shows, with node:crypto) and signs in with
 * both, changes her password on the account page (current password and a fresh code; a weak one refused first);
 * the administrator disables, enables and resets her; a member is refused the admin page; someone signed
 * out is asked to sign in to start a meeting but joins one by its link, is told how long to wait after too many
 * wrong passwords, and why single sign-on sent them back. axe-core finds no violations on any of these pages, in
 * English and in Hindi.
 *
 * The pages are opened at `localhost` (WebAuthn refuses IP addresses as relying-party ids), and the server's
 * `publicUrl` says the same, so that its enrolment links and WebAuthn origin match what the browser sees.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeBothLanguages } from '../helpers/axe.ts';
import { stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { contextWithAuthenticator, freePort } from '../helpers/virtual-authenticator.ts';
import { launchBrowser, waitFor } from './browser.ts';

/** RFC 6238 TOTP (HMAC-SHA-1, 30 s, 6 digits) from a base32 secret, computed here independently of the server. */
function totp(base32: string, atMs: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A code that is none of those the server accepts now (this step and one either side). */
function wrongCode(secret: string): string {
  const valid = new Set([-30_000, 0, 30_000].map((d) => totp(secret, Date.now() + d)));
  for (let n = 0; ; n++) {
    const code = String(n * 111_111 % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

async function plainContext(browser: Browser, options: { phone?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(
    options.phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-US' } : { viewport: { width: 1280, height: 800 }, locale: 'en-US', permissions: ['camera', 'microphone'] },
  );
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return { context, page };
}

/** The first administrator's one-time setup link, as the server prints it at first start. */
function firstSetupLink(server: TestServer): string {
  assert.ok(server.setupLink, 'a new server in accounts mode has a setup link');
  return server.setupLink;
}

async function signOutFromMenu(page: Page): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('menu-signout').click();
  await page.getByTestId('header-signin').waitFor();
}

describe('the account pages in Chromium, with accounts required to host', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;
  let admin: { context: BrowserContext; page: Page };
  const member = { email: 'priya@school.example', name: 'Priya Sharma', password: 'lantern harbour quietly 47 violets' };
  let participantLink = '';
  const axeFound: Record<string, string[]> = {};

  before(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startTestServer({ overrides: { whoMayHost: 'accounts', port, publicUrl: base } });
    browser = await launchBrowser();
  });
  after(async () => {
    await admin?.context.close();
    await stopServerAndBrowser(server, browser);
  });

  it('lets the first administrator set up their account with a passkey from the first-start link', async () => {
    const link = firstSetupLink(server);
    assert.ok(link.startsWith(`${base}/enrol#`), link);
    admin = await contextWithAuthenticator(browser, { media: false });
    const page = admin.page;
    await page.goto(link);
    await page.getByTestId('enrol-setup-email').waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token is taken out of the address bar at once');
    await axeBothLanguages(page, 'set-up: the first administrator', axeFound);
    await page.getByTestId('enrol-setup-email').fill('asha@school.example');
    await page.getByTestId('enrol-setup-name').fill('Asha Rao');
    await page.getByTestId('enrol-setup-submit').click();
    await page.getByTestId('enrol-passkey').waitFor();
    assert.match((await page.getByTestId('enrol-who').textContent()) ?? '', /asha@school\.example/);
    await axeBothLanguages(page, 'set-up: choose a passkey or a password', axeFound);
    await page.getByTestId('enrol-passkey').click();
    await page.getByTestId('enrol-done').waitFor({ timeout: 15_000 });
    await page.getByTestId('enrol-continue').click();
    await page.getByTestId('user-menu').waitFor();
    assert.equal(await page.getByTestId('user-menu').textContent(), 'Asha Rao');
    assert.equal(await page.getByTestId('create-meeting').count(), 1, 'signed in, the landing page offers a new meeting');

    // The link is spent: opened again, it says so.
    const again = await plainContext(browser);
    await again.page.goto(link);
    await again.page.getByTestId('enrol-invalid').waitFor();
    await again.context.close();
  });

  it('signs the administrator out and in again with the passkey', async () => {
    const page = admin.page;
    await signOutFromMenu(page);
    assert.equal(await page.getByTestId('signin-to-start').count(), 1);
    const response = await page.goto(`${base}/signin`);
    assert.equal(response?.status(), 200, 'the account pages are pages of the app, not "not found"');
    await page.getByTestId('signin-passkey').waitFor();
    await axeBothLanguages(page, 'sign-in', axeFound);
    await page.getByTestId('signin-passkey').click();
    await page.getByTestId('user-menu').waitFor({ timeout: 15_000 });
    assert.equal(new URL(page.url()).pathname, '/');

    await page.goto(`${base}/account`);
    await page.getByTestId('passkey-item').waitFor();
    assert.equal(await page.getByTestId('passkey-item').count(), 1);
    assert.equal(await page.getByTestId('totp-state').getAttribute('data-enabled'), 'false');
    await axeBothLanguages(page, 'account', axeFound);
    // Her only way to sign in cannot be removed.
    await page.getByTestId('passkey-item').getByRole('button').click();
    await waitFor(() => page.getByTestId('account-error').textContent(), (t) => (t ?? '') !== '', 5000);
    assert.equal(await page.getByTestId('account-error').textContent(), 'This passkey is your only way to sign in. Add another passkey first.');
    assert.equal(await page.getByTestId('passkey-item').count(), 1);
  });

  it('creates a user on the admin page, who sets a password and an authenticator app from the link and signs in with both', async () => {
    const page = admin.page;
    await page.goto(`${base}/admin`);
    await page.getByTestId('admin-add-email').waitFor();
    await page.getByTestId('audit-event').first().waitFor();
    await page.getByTestId('admin-add-email').fill(member.email);
    await page.getByTestId('admin-add-name').fill(member.name);
    await page.getByTestId('admin-add-submit').click();
    const linkField = page.getByTestId('admin-enrol-link');
    await linkField.waitFor();
    const link = await linkField.inputValue();
    assert.ok(link.startsWith(`${base}/enrol#`), link);
    await waitFor(() => page.getByTestId('admin-user').count(), (n) => n === 2, 5000);
    const row = page.locator(`[data-testid="admin-user"][data-email="${member.email}"]`);
    assert.match((await row.textContent()) ?? '', /Member/);
    await axeBothLanguages(page, 'admin', axeFound);

    const { context, page: priya } = await plainContext(browser);
    await priya.goto(link);
    await priya.getByTestId('enrol-use-password').click();
    await priya.getByTestId('enrol-password').fill('password123');
    await priya.getByTestId('enrol-password-again').fill('password123');
    await priya.getByTestId('enrol-password-submit').click();
    await waitFor(() => priya.getByTestId('enrol-error').textContent(), (t) => (t ?? '') !== '', 5000);
    assert.ok((await priya.getByTestId('enrol-hints').locator('li').count()) >= 1, 'a weak password is refused with hints');
    await axeBothLanguages(priya, 'set-up: a refused password', axeFound);

    await priya.getByTestId('enrol-password').fill(member.password);
    await priya.getByTestId('enrol-password-again').fill(member.password);
    await priya.getByTestId('enrol-password-submit').click();
    await priya.getByTestId('totp-secret').waitFor();
    const secret = ((await priya.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.match(await priya.getByTestId('totp-uri').inputValue(), new RegExp(`^otpauth://totp/.*secret=${secret}`));
    assert.equal(await priya.getByTestId('totp-qr').locator('svg path').count(), 1, 'the QR code is drawn in the page');
    await axeBothLanguages(priya, 'set-up: the authenticator app', axeFound);
    // A wrong code first: refused, said so, and the page stays on this step.
    await priya.getByTestId('enrol-code').fill(wrongCode(secret));
    await priya.getByTestId('enrol-code-submit').click();
    await waitFor(() => priya.getByTestId('enrol-error').textContent(), (t) => (t ?? '') !== '', 5000);
    await priya.getByTestId('enrol-code').fill(totp(secret, Date.now()));
    await priya.getByTestId('enrol-code-submit').click();
    await priya.getByTestId('enrol-done').waitFor();

    // Signed out, then in again with the password and the code of the next 30-second step (the one just used
    // is refused as a replay; the server accepts one step of clock drift).
    await priya.goto(`${base}/account`);
    await priya.getByTestId('signout').click();
    await priya.waitForURL(`${base}/`);
    await priya.goto(`${base}/signin`);
    await priya.getByTestId('signin-use-password').click();
    await priya.getByTestId('signin-email').fill(member.email);
    await priya.getByTestId('signin-password').fill('not the password at all 12');
    await priya.getByTestId('signin-password-submit').click();
    await waitFor(() => priya.getByTestId('signin-error').textContent(), (t) => (t ?? '') !== '', 5000);
    assert.equal(await priya.getByTestId('signin-error').textContent(), 'The e-mail or password is wrong, or the account is disabled.');
    await axeBothLanguages(priya, 'sign-in: wrong password', axeFound);
    await priya.getByTestId('signin-password').fill(member.password);
    await priya.getByTestId('signin-password-submit').click();
    await priya.getByTestId('signin-code').waitFor();
    await axeBothLanguages(priya, 'sign-in: the code', axeFound);
    const signInCodeAt = Date.now() + 30_000;
    await priya.getByTestId('signin-code').fill(totp(secret, signInCodeAt));
    await priya.getByTestId('signin-code-submit').click();
    await priya.getByTestId('user-menu').waitFor();
    assert.equal(await priya.getByTestId('user-menu').textContent(), member.name);

    // She changes her password on the account page, confirming with the current one and a fresh code: a weak
    // choice is refused with hints first; afterwards the old password is refused and this browser stays signed in.
    const newPassword = 'monsoon kettle sings 83 bright marigolds';
    await priya.goto(`${base}/account`);
    await priya.getByTestId('password-change').click();
    await priya.getByTestId('password-new').fill('password1234');
    await priya.getByTestId('password-again').fill('password1234');
    await priya.getByTestId('password-current').fill(member.password);
    await priya.getByTestId('password-code').fill(wrongCode(secret));
    await priya.getByTestId('password-submit').click();
    await waitFor(() => priya.getByTestId('password-hints').locator('li').count(), (n) => n >= 1, 5000);
    await axeBothLanguages(priya, 'account: change password, refused', axeFound);
    // The sign-in spent the code of its step; the next step's code is accepted once the server's clock is within
    // one step of it (at most 30 s from now).
    const nextCodeAt = (Math.floor(signInCodeAt / 30_000) + 1) * 30_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextCodeAt - 30_000 - Date.now() + 1000)));
    await priya.getByTestId('password-new').fill(newPassword);
    await priya.getByTestId('password-again').fill(newPassword);
    await priya.getByTestId('password-current').fill(member.password);
    await priya.getByTestId('password-code').fill(totp(secret, nextCodeAt));
    await priya.getByTestId('password-submit').click();
    await waitFor(() => priya.getByTestId('credentials-status').textContent(), (t) => (t ?? '') !== '', 10_000);
    assert.equal(await priya.getByTestId('credentials-status').textContent(), 'Your password was changed. Every other device was signed out.');
    await priya.getByTestId('totp-replace').click();
    await priya.getByTestId('totp-secret').waitFor();
    await axeBothLanguages(priya, 'account: replace the authenticator app', axeFound);
    await priya.getByTestId('totp-cancel').click();
    await priya.reload();
    await priya.getByTestId('user-menu').waitFor();
    const tryPassword = (password: string) =>
      priya.evaluate(
        async ([email, pw]) => (await fetch('/api/auth/password', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: pw }) })).status,
        [member.email, password] as const,
      );
    assert.equal(await tryPassword(member.password), 401, 'the old password is refused');
    assert.equal(await tryPassword(newPassword), 200, 'the new one is accepted');

    // A member is refused the admin page, by the page and by the server.
    await priya.goto(`${base}/admin`);
    await priya.getByTestId('admin-refused').waitFor();
    await axeBothLanguages(priya, 'admin refused to a member', axeFound);
    const status = await priya.evaluate(async () => (await fetch('/api/admin/users')).status);
    assert.equal(status, 403);
    await priya.getByTestId('user-menu').click();
    assert.equal(await priya.getByTestId('menu-admin').count(), 0, 'a member’s menu has no admin page');

    // The administrator disables her: her session ends at once; enabled again; reset gives a new set-up link.
    await page.reload();
    const priyaId = (await row.getAttribute('data-user-id'))!;
    await page.getByTestId(`admin-disable-${priyaId}`).click();
    await waitFor(() => row.getByTestId('admin-user-state').textContent(), (t) => t === 'Disabled', 5000);
    await priya.goto(`${base}/account`);
    await priya.waitForURL(`${base}/signin?next=/account`);
    await page.getByTestId(`admin-enable-${priyaId}`).click();
    await waitFor(() => row.getByTestId('admin-user-state').textContent(), (t) => t === 'Active', 5000);
    await page.getByTestId(`admin-reset-${priyaId}`).click();
    await waitFor(() => page.getByTestId('admin-enrol-link').inputValue(), (v) => v.startsWith(`${base}/enrol#`) && v !== link, 5000);
    await waitFor(() => page.getByTestId('audit-event').filter({ hasText: 'user-reset' }).count(), (n) => n === 1, 5000);
    await page.reload();
    await waitFor(() => page.locator('[data-testid="audit-event"][data-type="user-reset"]').count(), (n) => n === 1, 5000);
    await context.close();
  });

  it('asks someone signed out to sign in to start a meeting, and lets them join one by its link', async () => {
    const page = admin.page;
    await page.goto(`${base}/`);
    await page.getByTestId('create-meeting').click();
    participantLink = await page.getByTestId('participant-link').inputValue();

    const { context, page: visitor } = await plainContext(browser, { phone: true });
    await visitor.goto(`${base}/`);
    await visitor.getByTestId('signin-to-start').waitFor();
    assert.equal(await visitor.getByTestId('create-meeting').count(), 0, 'no "New meeting" without an account');
    await axeBothLanguages(visitor, 'landing, signed out', axeFound);
    assert.equal(await visitor.evaluate(() => document.documentElement.scrollWidth), 390, 'the landing page fits a phone');
    await visitor.getByTestId('signin-to-start').click();
    await visitor.getByTestId('signin-passkey').waitFor();
    assert.equal(await visitor.evaluate(() => document.documentElement.scrollWidth), 390, 'the sign-in page fits a phone');

    // Single sign-on that did not work comes back with a code in the fragment: said, and out of the address bar.
    const sso = await context.newPage();
    await sso.goto(`${base}/signin#oidc-error=refused`);
    await waitFor(() => sso.getByTestId('signin-error').textContent(), (t) => (t ?? '') !== '', 5000);
    assert.equal(await sso.getByTestId('signin-error').textContent(), 'That identity may not sign in here. Ask your administrator.');
    assert.equal(new URL(sso.url()).hash, '');
    await sso.close();

    // Guessing passwords: after a few wrong ones the page says how long to wait (the server's throttle).
    await visitor.getByTestId('signin-use-password').click();
    await visitor.getByTestId('signin-email').fill('nobody@school.example');
    let said = '';
    for (let attempt = 0; attempt < 10 && !said.startsWith('Too many attempts'); attempt++) {
      await visitor.getByTestId('signin-password').fill(`guess number ${attempt} of many`);
      await visitor.getByTestId('signin-password-submit').click();
      // The button is disabled while the request is out; enabled again, the answer is on the page.
      await waitFor(() => visitor.getByTestId('signin-password-submit').isEnabled(), (enabled) => enabled, 5000, 50);
      said = (await visitor.getByTestId('signin-error').textContent()) ?? '';
    }
    assert.match(said, /^Too many attempts\. Try again in \d+ seconds?\.$/);
    await visitor.getByTestId('language-select').selectOption('hi');
    await waitFor(() => visitor.getByTestId('signin-error').textContent(), (t) => (t ?? '').startsWith('बहुत अधिक प्रयास'), 5000);
    assert.equal(await visitor.evaluate(() => document.documentElement.scrollWidth), 390, 'the sign-in page in Hindi fits a phone');
    await context.close();

    const guest = await plainContext(browser);
    await guest.page.goto(participantLink);
    await guest.page.getByTestId('name-input').fill('Ravi');
    await guest.page.getByTestId('join-button').click();
    await guest.page.getByTestId('waiting-host-absent').waitFor({ timeout: 20_000 });
    await guest.context.close();
  });

  it('finds no axe violations on any account page, in English and in Hindi', () => {
    const withViolations = Object.fromEntries(Object.entries(axeFound).filter(([, v]) => v.length > 0));
    assert.deepEqual(withViolations, {});
    assert.ok(Object.keys(axeFound).length >= 20, `pages scanned: ${Object.keys(axeFound).join(', ')}`);
  });
});

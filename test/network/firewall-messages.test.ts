/**
 * What a person behind a restrictive firewall is told. Before joining, the pre-join page's connection check
 * says whether camera, microphone and the way for video and sound work, and what to ask the IT department
 * for. In a meeting on a server without a TURN relay, a network that blocks UDP gets a clear notice
 * instead of black tiles. Chromium runs in a network namespace behind an nftables firewall.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createMeeting } from '../helpers/meeting-fixture.ts';
import { createNamespace, netnsUnavailable, type TestNamespace } from '../helpers/netns.ts';
import { join, launchBrowser, openPage } from '../browser/browser.ts';
import { launchInNamespace, startRelayServer, tcpOnlyFirewall, type RelayServer } from './turn-fixture.ts';

const skip = netnsUnavailable() ?? undefined;

async function meetingLinks(server: RelayServer, base: string) {
  const { meetingId, passcode, hostSecret } = await createMeeting(`ws://127.0.0.1:${server.port}/ws`, 'Firewall');
  const participant = (origin: string) => `${origin}/m/${meetingId}#pc=${passcode}`;
  return { participant, host: `${participant(base)}&host=${hostSecret}` };
}

/** The pre-join check's line for the media path, once it has a verdict. */
async function mediaPathLine(page: Page): Promise<{ state: string; text: string }> {
  const line = page.getByTestId('check-media-path');
  await page.waitForFunction(() => document.querySelector('[data-testid="check-media-path"]')?.getAttribute('data-state') !== 'checking', undefined, { timeout: 20_000 });
  return { state: (await line.getAttribute('data-state')) ?? '', text: (await line.textContent()) ?? '' };
}

describe('the pre-join connection check', { skip }, () => {
  let server: RelayServer;
  let ns: TestNamespace;
  let browser: Browser;
  let link: string;

  before(async () => {
    ns = await createNamespace('prejoin');
    server = await startRelayServer();
    browser = await launchInNamespace(ns, `http://${ns.hostAddress}:${server.port}`);
    link = (await meetingLinks(server, `http://127.0.0.1:${server.port}`)).participant(`http://${ns.hostAddress}:${server.port}`);
  });

  after(async () => {
    await browser?.close();
    await ns?.remove();
    await server?.close();
  });

  async function checkPage(): Promise<Page> {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    await page.goto(link);
    return page;
  }

  it('says that camera, microphone and the direct way work on an open network', async () => {
    await ns.nft('flush ruleset\n');
    const page = await checkPage();
    await page.waitForFunction(() => document.querySelector('[data-testid="check-camera"]')?.getAttribute('data-state') === 'ok', undefined, { timeout: 10_000 });
    assert.match((await page.getByTestId('check-camera').textContent()) ?? '', /Camera works/);
    assert.equal(await page.getByTestId('check-microphone').getAttribute('data-state'), 'ok');
    const path = await mediaPathLine(page);
    assert.equal(path.state, 'ok', path.text);
    assert.match(path.text, /directly/);
    await page.context().close();
  });

  it('says that video and sound go through the relay when only TCP to the relay is allowed', async () => {
    await ns.nft(tcpOnlyFirewall(ns, [server.port, server.relayPort('tcp')]));
    const page = await checkPage();
    const path = await mediaPathLine(page);
    assert.equal(path.state, 'relayed', path.text);
    assert.match(path.text, /relay \(over TCP\)\. The meeting will work/);
    await page.context().close();
  });

  it('says what to ask the IT department for when every way is blocked', async () => {
    await ns.nft(tcpOnlyFirewall(ns, [server.port]));
    const page = await checkPage();
    const path = await mediaPathLine(page);
    assert.equal(path.state, 'blocked', path.text);
    assert.match(path.text, /Ask your IT department to allow outgoing TCP connections to /);
    assert.ok(path.text.includes(`${ns.hostAddress}:${server.relayPort('tls')}`), `the advice names the relay's TLS port: ${path.text}`);
    await page.context().close();
  });
});

describe('a meeting on a server without a TURN relay, behind a firewall that blocks UDP', { skip }, () => {
  let server: RelayServer;
  let ns: TestNamespace;
  let hostBrowser: Browser;
  let nsBrowser: Browser;

  before(async () => {
    ns = await createNamespace('noturn');
    server = await startRelayServer({ turn: false });
    hostBrowser = await launchBrowser();
    nsBrowser = await launchInNamespace(ns, `http://${ns.hostAddress}:${server.port}`);
  });

  after(async () => {
    await nsBrowser?.close();
    await hostBrowser?.close();
    await ns?.remove();
    await server?.close();
  });

  it('tells the participant in words that video and sound cannot get through, and what to ask for', async () => {
    const links = await meetingLinks(server, `http://127.0.0.1:${server.port}`);
    const host = await openPage(hostBrowser, links.host);
    await join(host, 'Host');
    await host.getByTestId('meeting').waitFor();

    await ns.nft(tcpOnlyFirewall(ns, [server.port]));
    const context = await nsBrowser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    await page.goto(links.participant(`http://${ns.hostAddress}:${server.port}`));
    const path = await mediaPathLine(page);
    assert.equal(path.state, 'unknown', `without a relay the check cannot promise anything: ${path.text}`);
    await join(page, 'Blocked');
    await page.getByTestId('waiting-waiting-room').waitFor();
    if (!(await host.getByTestId('waiting-list').isVisible())) await host.getByTestId('participants-button').click();
    const waitingId = await host.getByTestId('waiting-entry').filter({ hasText: 'Blocked' }).getAttribute('data-participant-id');
    await host.getByTestId(`admit-${waitingId}`).click();
    await page.getByTestId('meeting').waitFor();

    const notice = page.getByTestId('media-path-blocked');
    await notice.waitFor({ state: 'visible', timeout: 40_000 });
    const text = (await notice.textContent()) ?? '';
    assert.match(text, /Video and sound cannot get through your network/);
    assert.ok(text.includes(`outgoing UDP to ${ns.hostAddress}`), `the notice says what to allow: ${text}`);
    assert.equal(await host.getByTestId('media-path-blocked').isVisible(), false, 'the host, whose network is open, is not told anything');
    await context.close();
  });
});

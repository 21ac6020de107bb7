/**
 * A participant whose network blocks all UDP and lets out only TCP to the TURN relay's port (then only
 * TLS to its TLS port) still holds a full meeting: its Chromium runs in a network namespace behind an
 * nftables firewall, the host's in the machine's own namespace. Both directions of video are decoded,
 * and the participant's peer connections carry media over a relay candidate of the expected protocol.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createMeeting } from '../helpers/meeting-fixture.ts';
import { createNamespace, netnsUnavailable, type TestNamespace } from '../helpers/netns.ts';
import { inboundFrom, join, launchBrowser, openPage, selfId, stats, waitFor } from '../browser/browser.ts';
import { launchInNamespace, RECORD_PEER_CONNECTIONS, selectedPaths, startRelayServer, tcpOnlyFirewall, type RelayServer } from './turn-fixture.ts';

const skip = netnsUnavailable() ?? undefined;

describe('a participant behind a firewall that blocks UDP', { skip }, () => {
  let server: RelayServer;
  let ns: TestNamespace;
  let hostBrowser: Browser;
  let nsBrowser: Browser;
  let host: Page;
  let hostId: string;
  let participantLink: (base: string) => string;

  before(async () => {
    // The namespace first: coturn listens on the addresses the machine has when it starts.
    ns = await createNamespace('turn');
    // The shortest credential lifetime, so that the last test sees a renewal (at half of it: 30 s).
    server = await startRelayServer({ credentialTtlSeconds: 60 });
    hostBrowser = await launchBrowser();
    nsBrowser = await launchInNamespace(ns, `http://${ns.hostAddress}:${server.port}`);
    const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
    const { meetingId, passcode, hostSecret } = await createMeeting(wsUrl, 'Firewall');
    participantLink = (base) => `${base}/m/${meetingId}#pc=${passcode}`;
    host = await openPage(hostBrowser, `${participantLink(`http://127.0.0.1:${server.port}`)}&host=${hostSecret}`);
    await join(host, 'Host');
    await host.getByTestId('meeting').waitFor();
    hostId = await selfId(host);
  });

  after(async () => {
    await nsBrowser?.close();
    await hostBrowser?.close();
    await ns?.remove();
    await server?.close();
  });

  /** Joins from inside the namespace, is admitted by the host, and checks video both ways and the path. */
  async function joinThroughFirewall(name: string, relayProtocol: 'tcp' | 'tls', then?: (page: Page, id: string) => Promise<void>): Promise<void> {
    const context = await nsBrowser.newContext({ permissions: ['camera', 'microphone'] });
    await context.addInitScript(RECORD_PEER_CONNECTIONS);
    try {
      const page = await context.newPage();
      await page.goto(participantLink(`http://${ns.hostAddress}:${server.port}`));
      await join(page, name);
      await page.getByTestId('waiting-waiting-room').waitFor();
      if (!(await host.getByTestId('waiting-list').isVisible())) await host.getByTestId('participants-button').click();
      const waitingId = await host.getByTestId('waiting-entry').filter({ hasText: name }).getAttribute('data-participant-id');
      await host.getByTestId(`admit-${waitingId}`).click();
      await page.getByTestId('meeting').waitFor();
      const id = await selfId(page);

      const fromHost = await waitFor(() => stats(page), (s) => inboundFrom(s, hostId).videoFrames >= 30, 40_000);
      assert.ok(inboundFrom(fromHost, hostId).videoFrames >= 30, `${name} decodes the host's video (${inboundFrom(fromHost, hostId).videoFrames} frames)`);
      const atHost = await waitFor(() => stats(host), (s) => inboundFrom(s, id).videoFrames >= 30, 40_000);
      assert.ok(inboundFrom(atHost, id).videoFrames >= 30, `the host decodes ${name}'s video (${inboundFrom(atHost, id).videoFrames} frames)`);

      const paths = (await selectedPaths(page)).filter((p) => p.state === 'connected');
      assert.ok(paths.length >= 2, `a publisher and a subscriber connection are up (${JSON.stringify(paths)})`);
      for (const path of paths) {
        assert.equal(path.localType, 'relay', `media goes through the relay (${JSON.stringify(path)})`);
        assert.equal(path.relayProtocol, relayProtocol, `the browser reaches the relay over ${relayProtocol} (${JSON.stringify(path)})`);
      }
      await then?.(page, id);
    } finally {
      await context.close();
    }
  }

  it('holds the meeting through TURN over TCP when only TCP to the relay port is allowed', async () => {
    await ns.nft(tcpOnlyFirewall(ns, [server.port, server.relayPort('tcp')]));
    await joinThroughFirewall('Behind TCP', 'tcp');
  });

  it('holds the meeting through TURN over TLS when only TCP to the relay\'s TLS port is allowed', async () => {
    await ns.nft(tcpOnlyFirewall(ns, [server.port, server.relayPort('tls')]));
    await joinThroughFirewall('Behind TLS', 'tls');
  });

  it('renews the relay credential of a participant who stays, and its media keeps flowing', async () => {
    await ns.nft(tcpOnlyFirewall(ns, [server.port, server.relayPort('tcp')]));
    await joinThroughFirewall('Staying', 'tcp', async (page, id) => {
      const usernames = () => page.evaluate(() => (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections
        .filter((pc) => pc.connectionState !== 'closed')
        .map((pc) => String(pc.getConfiguration().iceServers?.[0]?.username ?? '')));
      const first = await usernames();
      assert.ok(first.length >= 2 && first.every((u) => /^\d+:[A-Za-z0-9_-]+$/.test(u)), `every connection has a TURN credential (${first})`);
      const renewed = await waitFor(usernames, (now) => now.every((u, i) => u !== first[i]), 45_000, 1000);
      assert.ok(renewed.every((u, i) => u !== first[i]), `each connection got the renewed credential (${first} → ${renewed})`);
      const before = inboundFrom(await stats(host), id).videoFrames;
      const after = await waitFor(() => stats(host), (s) => inboundFrom(s, id).videoFrames >= before + 30, 20_000);
      assert.ok(inboundFrom(after, id).videoFrames >= before + 30, 'the host still decodes the participant\'s video after the renewal');
    });
  });
});

/**
 * Meetings survive the media engine, with the whole server and a real Janus: Janus is killed with SIGKILL
 * during a meeting; the supervisor restarts it, the engine reconnects, participants are told
 * `media-status reconnecting` then `restored`, publish and subscribe again on new peer connections (werift
 * here) under the same publication ids, and media flows again; the meeting and its chat go on. A Janus that
 * crashes too often is given up on: only then does the meeting end with `media-failure`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { JanusEngine } from '../../src/media/janus/janus-engine.ts';
import { startTestServer, testLogger, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting } from '../helpers/meeting-fixture.ts';
import type { RawClient } from '../helpers/ws-client.ts';
import { lanInterface, rtpRange, tempDir, waitFor, withBrowserAudioOffer } from './janus-helpers.ts';

const newPc = () => new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' });

async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && (unSubscribe(), resolve()));
  });
}

/** A werift camera published over the protocol, sending an Opus-sized and a VP8-key-frame-looking packet every 20 ms. */
async function publishCamera(client: RawClient): Promise<{ pc: RTCPeerConnection; stop(): void }> {
  const pc = newPc();
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(audio, { direction: 'sendonly' });
  pc.addTransceiver(video, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const reply = await client.request({ type: 'publish', source: 'camera', sdp: withBrowserAudioOffer(pc.localDescription!.sdp) }, 15_000);
  assert.equal(reply.type, 'publish-answer', JSON.stringify(reply));
  await pc.setRemoteDescription({ type: 'answer', sdp: reply.type === 'publish-answer' ? reply.sdp : '' });
  let seq = 0;
  let ts = 0;
  const vp8Key = Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...new Array(40).fill(0)]);
  const opus = Buffer.alloc(60, 1);
  const timer = setInterval(() => {
    seq = (seq + 1) & 0xffff;
    ts = (ts + 960) >>> 0;
    audio.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, marker: false }), opus));
    video.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts * 2, marker: true }), vp8Key));
  }, 20);
  return { pc, stop: () => clearInterval(timer) };
}

/** A werift subscriber connection that answers the server's offers and counts the RTP packets it gets. */
function subscriberPc(client: RawClient): { pc: RTCPeerConnection; received: { audio: number; video: number }; answer(sdp: string): Promise<void> } {
  const pc = newPc();
  const received = { audio: 0, video: 0 };
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => received[track.kind as 'audio' | 'video']++));
  return {
    pc,
    received,
    async answer(sdp: string) {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      const reply = await client.request({ type: 'subscriber-answer', sdp: pc.localDescription!.sdp }, 15_000);
      assert.equal(reply.type, 'ok', JSON.stringify(reply));
    },
  };
}

function janusPids(dataDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `${dataDir}/janus`]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('a meeting whose Janus is killed', { timeout: 120_000 }, () => {
  let server: TestServer;
  const peers: RTCPeerConnection[] = [];
  const stops: (() => void)[] = [];
  before(async () => (server = await startTestServer({ janus: true })));
  after(async () => {
    for (const stop of stops) stop();
    await Promise.all(peers.map((pc) => pc.close()));
    await server.close();
  });

  it('goes on twice: everyone publishes and subscribes again under the same ids, media flows again, chat goes on', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const cam = `${alice.participantId}-camera`;
    const subscription = { type: 'subscribe', video: [{ publicationId: cam, quality: 'low' }], audio: [cam] } as const;

    // Muted on entry: the server forwards nothing Alice has not switched on.
    assert.equal((await alice.client.request({ type: 'set-media-state', audio: true, video: true })).type, 'ok');
    const first = await publishCamera(alice.client);
    peers.push(first.pc);
    stops.push(first.stop);
    const offer = m.host.nextOf('subscriber-offer', 15_000);
    assert.equal((await m.host.request(subscription, 15_000)).type, 'ok');
    let sub = subscriberPc(m.host);
    peers.push(sub.pc);
    await sub.answer((await offer).sdp);
    await waitFor(() => sub.received.video >= 20 && sub.received.audio >= 20, 15_000, 'the host receives Alice before the crash');

    for (let round = 1; round <= 2; round++) {
      const pids = janusPids(server.config.dataDir);
      assert.equal(pids.length, 1, `one Janus process: ${pids}`);
      const hostStatus = m.host.nextOf('media-status', 10_000);
      const aliceStatus = alice.client.nextOf('media-status', 10_000);
      const killedAt = performance.now();
      process.kill(pids[0]!, 'SIGKILL');
      assert.equal((await hostStatus).state, 'reconnecting');
      assert.equal((await aliceStatus).state, 'reconnecting');
      const hostRestored = m.host.nextOf('media-status', 10_000);
      const aliceRestored = alice.client.nextOf('media-status', 10_000);
      assert.equal((await hostRestored).state, 'restored');
      assert.equal((await aliceRestored).state, 'restored');
      const restoredMs = performance.now() - killedAt;

      // The host asks again at once (Alice's camera is not back: skipped, not refused); Alice publishes again on a
      // new connection, and the server sends the host the offer that carries her again, unasked.
      const again = m.host.nextOf('subscriber-offer', 15_000);
      assert.equal((await m.host.request(subscription, 15_000)).type, 'ok');
      const republished = await publishCamera(alice.client);
      peers.push(republished.pc);
      stops.push(republished.stop);
      const renewed = await again;
      assert.deepEqual(renewed.tracks.map((t) => t.publicationId), [cam, cam], 'the same publication id, audio and video');
      sub = subscriberPc(m.host);
      peers.push(sub.pc);
      await sub.answer(renewed.sdp);
      await waitFor(() => sub.received.video >= 20 && sub.received.audio >= 20, 15_000, `the host receives Alice again after crash ${round}`);
      const flowingMs = performance.now() - killedAt;
      console.log(`# crash ${round}: restored after ${Math.round(restoredMs)} ms, media flowing again after ${Math.round(flowingMs)} ms`);

      // The meeting and its chat go on.
      const chat = alice.client.nextOf('chat', 5000);
      assert.equal((await m.host.request({ type: 'chat', body: { kind: 'mls', data: Buffer.from(`sealed ${round}`).toString('base64') } })).type, 'ok');
      assert.equal((await chat).body.kind, 'mls', 'Alice gets the host\'s sealed chat message');
    }
    for (const client of [m.host, alice.client]) {
      assert.equal(client.countOf('left'), 0, 'nobody was sent away');
      assert.equal(client.countOf('publication-removed'), 0, 'nobody saw the publication go');
    }
    assert.equal(m.host.countOf('publication-added'), 1, 'the camera was announced once, when it first came');
  });
});

describe('a Janus that crashes too often', { timeout: 60_000 }, () => {
  it('is given up on at the crash the outage policy allows no more, and then the engine says failed', async () => {
    const lan = lanInterface();
    const engine = new JanusEngine({
      mode: 'spawn', dir: await tempDir(), apiPort: 18_000 + Math.floor(Math.random() * 1000), rtpPortRange: rtpRange(),
      iceEnforceList: lan.name, logger: testLogger, outagePolicy: { maxOutages: 2, windowMs: 60_000, maxOutageMs: 20_000 },
    });
    await engine.start();
    try {
      const failures: string[] = [];
      engine.on('failed', (reason) => failures.push(reason));
      const up = () => new Promise<void>((resolve) => engine.once('up', () => resolve()));
      let back = up();
      process.kill(engine.janusPid!, 'SIGKILL');
      await back;
      assert.deepEqual(failures, [], 'a first crash is recovered from');
      back = up();
      process.kill(engine.janusPid!, 'SIGKILL');
      await waitFor(() => failures.length === 1, 10_000, 'failed');
      assert.match(failures[0]!, /2 outages/);
      await back;
      assert.equal(engine.state, 'up', 'the engine still comes back, for meetings made later');
    } finally {
      await engine.close();
    }
  });
});

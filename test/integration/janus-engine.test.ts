/**
 * The Janus media engine against a real Janus 1.1.2 on loopback, with werift as the
 * browser. Run: node --import tsx --test test/integration/janus-engine.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { freeLoopbackPort } from '../../src/server/local-network.ts';
import { join } from 'node:path';
import Janode from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import { JanusEngine } from '../../src/media/janus/janus-engine.ts';
import type { WantedStream } from '../../src/media/engine.ts';
import { JanusNotInstalledError } from '../../src/media/janus/process.ts';
import { probeJanusApi, JanusApiRejectedError } from '../../src/media/janus/probe.ts';
import { Logger } from '../../src/log/logger.ts';
import {
  candidateAddresses, lanInterface, publishSynthetic, rtpRange, subscriberClient, tempDir, waitFor,
} from './janus-helpers.ts';
import { connected } from '../helpers/synthetic/werift-peer.ts';

const quiet = new Logger('test', 'error', () => {});

describe('Janus engine (spawned Janus)', () => {
  let dir: string;
  let port: number;
  let engine: JanusEngine;
  let apiSecret: string;
  let startupMs: number;
  const lan = lanInterface();

  before(async () => {
    dir = await tempDir();
    port = await freeLoopbackPort();
    engine = new JanusEngine({
      mode: 'spawn', dir: join(dir, 'janus'), apiPort: port, rtpPortRange: rtpRange(), iceEnforceList: lan.name, logger: quiet,
    });
    const t0 = performance.now();
    await engine.start();
    startupMs = performance.now() - t0;
    const cfg = await readFile(join(dir, 'janus', 'janus.jcfg'), 'utf8');
    apiSecret = /api_secret = "([^"]+)"/.exec(cfg)![1]!;
  });

  after(async () => {
    await engine?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the supervisor starts Janus, whose API answers only to the private api_secret', async () => {
    assert.equal(engine.state, 'up');
    console.log(`# janus engine start (config + spawn + ready + session): ${startupMs.toFixed(0)} ms`);
    const info = await probeJanusApi(`ws://127.0.0.1:${port}`, apiSecret, { timeoutMs: 2000 });
    assert.equal(info.version, 1102);
    await assert.rejects(probeJanusApi(`ws://127.0.0.1:${port}`, 'wrong-secret', { timeoutMs: 2000 }), JanusApiRejectedError);
  });

  test('Janus listens for its API on 127.0.0.1 only and not on any other address of this machine', async () => {
    const pid = engine.janusPid!;
    const lines = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`pid=${pid},`));
    assert.ok(lines.length >= 1, 'Janus has a listening TCP socket');
    for (const line of lines) {
      const local = line.trim().split(/\s+/)[3]!;
      assert.match(local, /^127\.0\.0\.1:\d+$/, `listening socket ${local} is loopback`);
    }
    const others = Object.values(networkInterfaces()).flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a!.address);
    for (const address of others) {
      const outcome = await new Promise<string>((resolve) => {
        const s = tcpConnect({ host: address, port }, () => { s.destroy(); resolve('connected'); });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        s.setTimeout(1000, () => { s.destroy(); resolve('timeout'); });
      });
      assert.notEqual(outcome, 'connected', `API port is not reachable on ${address}`);
    }
  });

  test('a room is created only with the admin key, exists while open and is gone after close', async () => {
    const room = await engine.createRoom({ maxPublishers: 12 });
    const conn = await Janode.connect({ address: { url: `ws://127.0.0.1:${port}`, apisecret: apiSecret }, max_retries: 0 });
    try {
      const session = await conn.create(15);
      const handle = await session.attach(VideoRoomPlugin);
      const exists = async (): Promise<unknown> =>
        (await handle.message({ request: 'exists', room: Number(room.id) })).plugindata?.data.exists;
      assert.equal(await exists(), true);
      await assert.rejects(handle.message({ request: 'create', room: Number(room.id) + 1, publishers: 3 }), /unauthorized|admin/i);
      await room.close();
      assert.equal(await exists(), false);
      await room.close(); // idempotent
    } finally {
      await conn.close();
    }
  });

  test('a werift offer is published, connects over ICE/DTLS, and a subscriber receives its audio and video; forwarding can be stopped', async () => {
    const room = await engine.createRoom({ maxPublishers: 4 });
    const t0 = performance.now();
    const pub = await publishSynthetic(room, 'alice-cam');
    const publishMs = performance.now() - t0;
    await connected(pub.pc);
    const connectMs = performance.now() - t0;
    console.log(`# publish (join+configure, answer back): ${publishMs.toFixed(0)} ms; ICE+DTLS connected: ${connectMs.toFixed(0)} ms`);
    assert.deepEqual(pub.publisher.tracks.map((t) => t.kind).sort(), ['audio', 'video']);
    const opusFmtp = pub.answerSdp.split(/\r?\n/).find((l) => /^a=fmtp:\d+ .*useinbandfec/.test(l)) ?? '';
    assert.match(opusFmtp, /usedtx=1/, 'Janus tells the sender to use Opus DTX: silence costs almost nothing');
    assert.match(opusFmtp, /useinbandfec=1/, 'and in-band FEC');
    assert.match(pub.answerSdp, /a=extmap:\d+ urn:ietf:params:rtp-hdrext:ssrc-audio-level/, 'audio levels (RFC 6464) for voice activity');
    const addresses = candidateAddresses(pub.answerSdp);
    assert.ok(addresses.length > 0);
    for (const a of addresses) assert.equal(a, lan.address, 'Janus offers candidates on the enforced interface only (no IPv6)');
    const stop = pub.startSending();
    try {
      const sub = await room.createSubscriber();
      const t1 = performance.now();
      const offer = await sub.setStreams(both('alice-cam'), noAnnounce);
      assert.ok(offer, 'an offer for the first subscription');
      assert.deepEqual(offer.tracks.map((t) => [t.kind, t.publisherId]).sort(), [['audio', 'alice-cam'], ['video', 'alice-cam']]);
      assert.equal(await sub.setStreams(both('alice-cam'), noAnnounce), null, 'no offer when nothing changes');
      const client = subscriberClient(sub);
      await client.answerOffer(offer.offerSdp);
      await connected(client.pc);
      console.log(`# subscribe (join, offer, answer, connected): ${(performance.now() - t1).toFixed(0)} ms`);
      await waitFor(() => client.received.audio > 10 && client.received.video > 10, 5000, 'RTP at the subscriber');

      await pub.publisher.setForwarding('video', false);
      await new Promise((r) => setTimeout(r, 200)); // packets already in flight
      const videoAtMute = client.received.video;
      const audioAtMute = client.received.audio;
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(client.received.video - videoAtMute <= 1, `video stopped (${client.received.video - videoAtMute} more)`);
      assert.ok(client.received.audio - audioAtMute > 10, 'audio still flows');

      await pub.publisher.setForwarding('video', true);
      const videoAtUnmute = client.received.video;
      await waitFor(() => client.received.video > videoAtUnmute + 10, 3000, 'video again');

      // The publisher leaving makes Janus renegotiate the subscriber by itself.
      const reoffer = new Promise<{ offerSdp: string; tracks: unknown[] }>((resolve) => sub.once('offer', resolve));
      await pub.publisher.close();
      const update = await reoffer;
      assert.deepEqual(update.tracks, []);
      await client.answerOffer(update.offerSdp);

      const restart = await sub.restartIce();
      assert.match(restart.offerSdp, /^v=0/);
      await client.pc.close();
      await sub.close();
    } finally {
      stop();
      await pub.pc.close();
      await room.close();
    }
  });

  test('changing a subscription before the previous offer is answered gives null now and the combined offer as an event after the answer', async () => {
    const room = await engine.createRoom({ maxPublishers: 3 });
    const a = await publishSynthetic(room, 'a');
    const b = await publishSynthetic(room, 'b');
    try {
      await Promise.all([connected(a.pc), connected(b.pc)]);
      const sub = await room.createSubscriber();
      const first = await sub.setStreams(both('a'), noAnnounce);
      assert.ok(first);
      assert.equal(await sub.setStreams([...both('a'), ...both('b')], noAnnounce), null);
      assert.equal(await sub.setStreams([...both('b'), ...both('a')], noAnnounce), null, 'asking again changes nothing');
      const combined = new Promise<{ tracks: { publisherId: string }[] }>((resolve) => sub.once('offer', resolve));
      const client = subscriberClient(sub);
      await client.answerOffer(first.offerSdp);
      const offer = await combined;
      assert.deepEqual(offer.tracks.map((t) => t.publisherId).sort(), ['a', 'a', 'b', 'b']);
      await client.pc.close();
      await sub.close();
    } finally {
      await a.pc.close();
      await b.pc.close();
      await room.close();
    }
  });

  test('a video slot is re-pointed to another publisher without a new offer, announced first, and a slot nobody wants is paused', async () => {
    const room = await engine.createRoom({ maxPublishers: 3 });
    const a = await publishSynthetic(room, 'a');
    const b = await publishSynthetic(room, 'b');
    const stops = [a.startSending(), b.startSending()];
    try {
      await Promise.all([connected(a.pc), connected(b.pc)]);
      const sub = await room.createSubscriber();
      const offer = await sub.setStreams([{ publisherId: 'a', kind: 'video', layer: 0 }], noAnnounce);
      assert.ok(offer);
      assert.deepEqual(offer.tracks.map((t) => [t.kind, t.publisherId]), [['video', 'a']]);
      const client = subscriberClient(sub);
      await client.answerOffer(offer.offerSdp);
      await connected(client.pc);
      await waitFor(() => client.received.video > 10, 5000, "a's video");
      const ssrcA = client.lastSsrc.video;

      const announced: { mid: string; publisherId: string }[][] = [];
      const switched = await sub.setStreams([{ publisherId: 'b', kind: 'video', layer: 0 }], (tracks) => announced.push(tracks));
      assert.equal(switched, null, 'no renegotiation: the slot was re-pointed');
      assert.deepEqual(announced.map((t) => t.map((x) => [x.mid, x.publisherId])), [[[offer.tracks[0]!.mid, 'b']]]);
      const atSwitch = client.received.video;
      await waitFor(() => client.received.video > atSwitch + 10, 5000, "b's video on the same m-line");
      assert.equal(client.pc.getTransceivers().length, 1, 'still one m-line');
      // Janus rewrites SSRCs towards the subscriber, so the source shows in the payload we sent.
      await waitFor(() => client.lastPayloadTag === 'b', 3000, "b's packets");
      assert.ok(ssrcA !== undefined);

      assert.equal(await sub.setStreams([], noAnnounce), null, 'pausing needs no offer either');
      await new Promise((r) => setTimeout(r, 300));
      const atPause = client.received.video;
      await new Promise((r) => setTimeout(r, 600));
      assert.ok(client.received.video - atPause <= 1, `a paused slot receives nothing (${client.received.video - atPause} packets)`);

      const resumed = await sub.setStreams([{ publisherId: 'a', kind: 'video', layer: 2 }], noAnnounce);
      assert.equal(resumed, null, 'the paused slot is reused');
      await waitFor(() => client.lastPayloadTag === 'a', 5000, "a's packets again");
      await client.pc.close();
      await sub.close();
    } finally {
      for (const stop of stops) stop();
      await a.pc.close();
      await b.pc.close();
      await room.close();
    }
  });

  test('an offer with a data channel is refused before it reaches Janus', async () => {
    const room = await engine.createRoom({ maxPublishers: 2 });
    try {
      const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n';
      await assert.rejects(room.publish('bob', sdp), TypeError);
      await assert.rejects(room.publish('bad id with spaces', sdp), TypeError);
    } finally {
      await room.close();
    }
  });

  test('an external engine can use an already-running Janus given by URL, api_secret and admin_key', async () => {
    const external = new JanusEngine({
      mode: 'external', url: `ws://127.0.0.1:${port}`, apiSecret, adminKey: engine.adminKey, logger: quiet,
    });
    await external.start();
    try {
      const room = await external.createRoom({ maxPublishers: 2 });
      await room.close();
    } finally {
      await external.close();
    }
    assert.equal(external.state, 'closed');
    assert.equal(engine.state, 'up', 'closing the external engine leaves the Janus it did not start alone');
  });

  test('killing Janus with SIGKILL makes the engine emit down, then up, and rooms work again', async () => {
    const room = await engine.createRoom({ maxPublishers: 2 });
    const pub = await publishSynthetic(room, 'carol');
    const hangup = new Promise<string>((resolve) => pub.publisher.once('hangup', resolve));
    const events: string[] = [];
    const down = new Promise<void>((resolve) => engine.once('down', () => { events.push('down'); resolve(); }));
    const up = new Promise<void>((resolve) => engine.once('up', () => { events.push('up'); resolve(); }));
    const oldPid = engine.janusPid!;
    // A request Janus never answers must fail when the connection dies, not hang or wait for its timeout.
    process.kill(oldPid, 'SIGSTOP');
    await waitFor(() => /^\S+ \S+ T/.test(readFileSync(`/proc/${oldPid}/stat`, 'utf8')), 2000, 'Janus stopped');
    const pending = engine.createRoom({ maxPublishers: 2 });
    pending.catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    process.kill(oldPid, 'SIGKILL');
    await assert.rejects(pending, /connection|closed|down/i);
    const rejectMs = performance.now() - t0;
    assert.ok(rejectMs < 2000, `pending request rejected after ${rejectMs.toFixed(0)} ms`);
    await down;
    assert.equal(await hangup, 'media engine down');
    await assert.rejects(room.publish('dave', pub.pc.localDescription!.sdp), /closed/);
    await up;
    console.log(`# SIGKILL to engine up again: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(events, ['down', 'up']);
    assert.notEqual(engine.janusPid, oldPid);
    await pub.pc.close();
    const again = await engine.createRoom({ maxPublishers: 2 });
    const pub2 = await publishSynthetic(again, 'carol');
    await connected(pub2.pc);
    await pub2.pc.close();
    await again.close();
  });

  test('closing the engine stops its Janus process and the API port closes', async () => {
    const pid = engine.janusPid!;
    await engine.close();
    assert.equal(engine.state, 'closed');
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    await assert.rejects(probeJanusApi(`ws://127.0.0.1:${port}`, apiSecret, { timeoutMs: 300 }));
    await engine.close(); // idempotent
  });
});

function both(publisherId: string): WantedStream[] {
  return [{ publisherId, kind: 'audio' }, { publisherId, kind: 'video', layer: 0 }];
}

function noAnnounce(): void {}

test('starting with a missing janus binary fails with a message saying apt-get install janus', async () => {
  const dir = await tempDir();
  try {
    const engine = new JanusEngine({
      mode: 'spawn', dir: join(dir, 'janus'), apiPort: await freeLoopbackPort(), rtpPortRange: rtpRange(), iceEnforceList: lanInterface().name,
      binary: '/nonexistent/janus', logger: quiet,
    });
    await assert.rejects(engine.start(), (err: unknown) => err instanceof JanusNotInstalledError && /apt-get install janus/.test(err.message));
    assert.equal(engine.state, 'closed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

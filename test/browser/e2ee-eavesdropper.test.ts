/**
 * What the SFU carries is ciphertext. Two browsers hold an encrypted meeting; the test then subscribes to
 * their publishers directly at the SFU, outside the MLS group (as a malicious SFU operator could), with a
 * werift peer connection, and inspects the RTP payloads: in every VP8 frame only the payload header stays
 * clear (3 bytes, 10 on key frames: see src/e2ee/worker/clear-prefix.ts) and an SFrame frame of Sabha's KID
 * layout follows; every Opus packet is an SFrame frame whole. Meanwhile the two members keep decoding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RTCPeerConnection } from 'werift';
import { decodeHeader, parseMlsKid, SABHA_EPOCH_BITS } from '../../src/e2ee/sframe/index.ts';
import { MeetingMedia } from '../../src/server/meetings/meeting-media.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { e2ee, inboundFrom, join, launchBrowser, openParticipant, stats, waitFor } from './browser.ts';


/** RFC 7741 section 4.2: the VP8 payload descriptor; returns where the VP8 payload starts and whether a frame starts here. */
function vp8Descriptor(payload: Uint8Array): { offset: number; frameStart: boolean } {
  let offset = 1;
  const first = payload[0]!;
  if (first & 0x80) {
    const ext = payload[offset++]!;
    if (ext & 0x80) offset += payload[offset]! & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (ext & 0x40) offset += 1; // TL0PICIDX
    if (ext & 0x30) offset += 1; // TID / KEYIDX
  }
  return { offset, frameStart: (first & 0x10) !== 0 && (first & 0x07) === 0 };
}

interface Captured {
  kind: 'audio' | 'video';
  payload: Uint8Array;
}

describe('an SFU subscriber outside the MLS group', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let pc: RTCPeerConnection | undefined;

  before(async () => {
    server = await startTestServer({ janus: true });
    browser = await launchBrowser();
  });

  after(async () => {
    await pc?.close();
    await browser?.close();
    await server?.close();
  });

  it('receives only SFrame ciphertext (beyond the VP8 payload header) while the members keep decoding', async () => {
    const { page: host } = await openParticipant(browser, server.url + '/');
    await host.getByTestId('title-input').fill('Private');
    await host.getByTestId('create-meeting').click();
    const link = await host.getByTestId('participant-link').inputValue();
    const meetingId = new URL(link).pathname.split('/').pop()!;
    await host.getByTestId('start-as-host').click();
    await join(host, 'Asha');
    await host.getByTestId('meeting').waitFor({ timeout: 30_000 });
    const { page: guest } = await openParticipant(browser, link);
    await join(guest, 'Bilal');
    await guest.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
    await host.getByTestId('participants-button').click();
    const entry = host.getByTestId('waiting-entry').filter({ hasText: 'Bilal' });
    await host.getByTestId(`admit-${await entry.getAttribute('data-participant-id')}`).click();
    await guest.getByTestId('meeting').waitFor({ timeout: 20_000 });
    await guest.getByTestId('mic-button').click(); // unmute, so that the server forwards Bilal's audio too

    const members: Page[] = [host, guest];
    const states = await waitFor(
      () => Promise.all(members.map(async (p) => (await e2ee(p))!)),
      (s) => s.every((x) => x.state === 'ready' && x.members.length === 2 && x.epoch === s[0]!.epoch),
      30_000,
    );
    const epoch = states[0]!.epoch!;
    const ids = await Promise.all(members.map(async (p) => (await stats(p)).selfId!));

    // The eavesdropper: a subscription made at the SFU itself, with nobody's keys.
    const meeting = server.registry.find(meetingId);
    assert.ok(meeting, 'the meeting exists on the server');
    const room = meeting.media.mediaRoomForTests();
    assert.ok(room, 'the meeting has an SFU room');
    const subscriber = await room.createSubscriber();
    const captured: Captured[] = [];
    pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        if (captured.length < 5_000) captured.push({ kind: track.kind as 'audio' | 'video', payload: new Uint8Array(rtp.payload) });
      });
    });
    const update = await subscriber.setStreams(
      ids.flatMap((id) => [
        { publisherId: MeetingMedia.publicationId(id, 'camera'), kind: 'audio' as const },
        { publisherId: MeetingMedia.publicationId(id, 'camera'), kind: 'video' as const, layer: 2 as const },
      ]),
      () => {},
    );
    assert.ok(update, 'the SFU offers the members’ tracks');
    await pc.setRemoteDescription({ type: 'offer', sdp: update.offerSdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise<void>((resolve) => {
      if (pc!.iceGatheringState === 'complete') return resolve();
      pc!.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
    });
    await subscriber.answer(pc.localDescription!.sdp);

    // Meanwhile the members go on decoding each other.
    const before = await Promise.all(members.map(async (p, i) => inboundFrom(await stats(p), ids[1 - i]!).videoFrames));
    const enough = (kind: 'audio' | 'video', n: number) => captured.filter((c) => c.kind === kind).length >= n;
    const deadline = Date.now() + 30_000;
    while (!(enough('video', 300) && enough('audio', 100)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const after = await Promise.all(members.map(async (p, i) => inboundFrom(await stats(p), ids[1 - i]!).videoFrames));
    for (const i of [0, 1]) assert.ok(after[i]! >= before[i]! + 20, `member ${i} keeps decoding the other's video (${before[i]} → ${after[i]})`);
    await subscriber.close();

    const video = captured.filter((c) => c.kind === 'video');
    const audio = captured.filter((c) => c.kind === 'audio');
    assert.ok(video.length >= 300, `the eavesdropper received video packets (${video.length})`);
    assert.ok(audio.length >= 100, `the eavesdropper received audio packets (${audio.length})`);

    const leaves = new Set<bigint>();
    const checkSFrame = (bytes: Uint8Array, what: string, minCiphertext = 1) => {
      const header = decodeHeader(bytes);
      const kid = parseMlsKid(header.kid, SABHA_EPOCH_BITS);
      assert.equal(kid.epochLow, BigInt(epoch & 0xff), `${what}: the KID carries the epoch's low 8 bits`);
      assert.ok(kid.senderIndex < 2n, `${what}: the KID names one of the two leaves (${kid.senderIndex})`);
      // Header, the ciphertext (at least one byte, but for Opus DTX's empty frames), and the 16-byte GCM tag.
      assert.ok(bytes.length >= header.length + minCiphertext + 16, `${what}: room for ciphertext and tag`);
      leaves.add(kid.senderIndex);
    };
    let frameStarts = 0;
    let keyFrames = 0;
    for (const packet of video) {
      const { offset, frameStart } = vp8Descriptor(packet.payload);
      if (!frameStart) continue;
      frameStarts++;
      const frame = packet.payload.subarray(offset);
      const isKeyFrame = (frame[0]! & 0x01) === 0;
      if (isKeyFrame) {
        keyFrames++;
        assert.deepEqual([...frame.subarray(3, 6)], [0x9d, 0x01, 0x2a], 'a key frame keeps only its header clear: the start code');
      }
      checkSFrame(frame.subarray(isKeyFrame ? 10 : 3), 'the rest of a VP8 frame');
    }
    assert.ok(frameStarts >= 20, `many VP8 frames were inspected (${frameStarts})`);
    assert.ok(keyFrames >= 1, 'key frames stay recognisable (the receiving browser needs that)');
    for (const packet of audio) checkSFrame(packet.payload, 'an Opus packet', 0);
    assert.equal(leaves.size, 2, 'frames of both members were inspected');
  });
});

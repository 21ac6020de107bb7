/**
 * Synthetic participants through the whole stack: the real server, a real Janus, the real protocol, MLS and
 * SFrame from src/e2ee. A host and two participants join an encrypted meeting through the waiting room, all
 * publish a simulcast camera and a microphone from the fixtures, and each opens every other's audio and video, at
 * the layer it asked for; the layer nobody asked for stops being sent; a talking microphone is heard as talking;
 * a receiver's video slot re-pointed to another participant opens the new participant's frames.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadMlsSuite, type MlsSuite } from '../../src/e2ee/mls/index.ts';
import { createMeeting } from '../helpers/meeting-fixture.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { SyntheticParticipant } from '../helpers/synthetic/index.ts';

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('synthetic participants with a real Janus', { timeout: 120_000 }, () => {
  let server: TestServer;
  let suite: MlsSuite;
  const people: SyntheticParticipant[] = [];
  before(async () => {
    server = await startTestServer({ janus: true });
    suite = await loadMlsSuite();
  });
  after(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server.close();
  });

  it('join an encrypted meeting through the waiting room, publish, and open each other\'s audio and video with no decryption failure', async () => {
    const meeting = await createMeeting(server.wsUrl, 'Synthetic');
    const common = { wsUrl: server.wsUrl, meetingId: meeting.meetingId, passcode: meeting.passcode, mlsSuite: suite };
    const host = await SyntheticParticipant.join({ ...common, name: 'Host', hostSecret: meeting.hostSecret, autoAdmit: true });
    people.push(host);
    await host.whenPhase('joined');
    await host.whenKeyed();

    const guests = await Promise.all(['Asha', 'Ravi'].map((name) => SyntheticParticipant.join({ ...common, name })));
    people.push(...guests);
    for (const guest of guests) {
      // They wait first: the host admits them with the MLS commit that adds them.
      assert.ok(guest.times.waiting !== undefined, `${guest.options.name} went through the waiting room`);
      await guest.whenPhase('joined');
      await guest.whenKeyed();
    }
    // Everyone agrees on the epoch and the security code.
    await until(() => new Set(people.map((p) => `${p.session.epoch}/${p.session.securityCode}`)).size === 1, 'one epoch and code');
    assert.equal(host.session.members().filter(Boolean).length, 3);

    // All publish (three simulcast layers, and a talking microphone for the host).
    await Promise.all(people.map((p, i) => p.publishCamera({ simulcast: true, talking: i === 0 })));
    for (const p of people) await until(() => p.otherCameras().length === 2, `${p.options.name} sees two cameras`);

    // Each subscribes to the others: one video at low quality, one at high, and both microphones.
    for (const p of people) {
      const [first, second] = p.otherCameras();
      await p.subscribe([{ publicationId: first!, quality: 'low' }, { publicationId: second!, quality: 'high' }], [first!, second!]);
    }

    const others = (p: SyntheticParticipant) => people.filter((o) => o !== p).map((o) => o.selfId);
    for (const p of people) {
      await until(
        () => others(p).every((id) => (p.receiver?.from.get(id)?.videoFrames ?? 0) >= 20 && (p.receiver?.from.get(id)?.audioFrames ?? 0) >= 1),
        `${p.options.name} opens 20 video frames and audio from each other participant`,
        30_000,
      );
    }

    // The quality asked for is the layer that arrives (once the SFU has switched to it at a key frame): 180p for
    // low, 720p for high.
    const sizeOf = (p: SyntheticParticipant, publicationId: string) => p.receiver?.from.get(publicationId.replace(/-camera$/, ''))?.videoSize;
    for (const p of people) {
      const [first, second] = p.otherCameras();
      await until(() => sizeOf(p, first!)?.width === 320 && sizeOf(p, second!)?.width === 1280, `${p.options.name} gets the low and the high layer`, 15_000);
      assert.deepEqual(sizeOf(p, first!), { width: 320, height: 180 });
      assert.deepEqual(sizeOf(p, second!), { width: 1280, height: 720 });
    }
    // Nobody asked for a medium layer: every camera stops sending it (`send-layers`), and keeps sending the layers
    // someone asked of it.
    const LAYER = { low: 0, medium: 1, high: 2 } as const;
    const asked = new Map(people.map((p) => [p.cameraPublicationId, new Set<number>()]));
    for (const p of people) {
      const [first, second] = p.otherCameras();
      asked.get(first!)!.add(LAYER.low);
      asked.get(second!)!.add(LAYER.high);
    }
    const sending = (p: SyntheticParticipant) => p.camera!.activeLayers();
    await until(() => people.every((p) => !sending(p)[LAYER.medium]), 'senders to stop the medium layer', 10_000);
    for (const p of people) for (const layer of asked.get(p.cameraPublicationId)!) assert.ok(sending(p)[layer], `${p.options.name} sends layer ${layer}`);
    for (const p of people) {
      assert.equal(p.receiver!.failures(), 0, `${p.options.name} counted decryption failures`);
      assert.deepEqual(p.problems, []);
      assert.deepEqual(p.errors, []);
      assert.equal(p.link.invalidMessages, 0);
    }
    // A talking microphone is heard as talking (RFC 6464 levels, which Janus reads).
    await until(() => people.slice(1).every((p) => p.speaking.has(host.selfId)), 'the host is heard talking', 15_000);

    // A newcomer with one video slot has it re-pointed from one participant to the other (`subscriber-tracks`,
    // no new offer): the second participant's frames open in it, and the switch costs no decryption failure.
    const [asha, ravi] = guests;
    const kiran = await SyntheticParticipant.join({ ...common, name: 'Kiran' });
    people.push(kiran);
    await kiran.whenPhase('joined');
    await kiran.whenKeyed();
    const videoFrom = (p: SyntheticParticipant) => kiran.receiver?.from.get(p.selfId)?.videoFrames ?? 0;
    await kiran.subscribe([{ publicationId: asha!.cameraPublicationId, quality: 'low' }], []);
    await until(() => videoFrom(asha!) >= 10, 'Kiran opens Asha\'s video');
    const offers = kiran.link.received('subscriber-offer');
    await kiran.subscribe([{ publicationId: ravi!.cameraPublicationId, quality: 'low' }], []);
    await until(() => videoFrom(ravi!) >= 20, 'Kiran opens Ravi\'s video in the same slot');
    assert.equal(kiran.link.received('subscriber-offer'), offers, 'no new offer for a re-pointed slot');
    assert.equal(kiran.link.received('subscriber-tracks'), 1, 'the re-pointed slot was announced');
    assert.equal(kiran.receiver!.failures(), 0, 'no decryption failure across the switch');
    assert.deepEqual(kiran.problems, []);
  });
});

/**
 * The whole server with a real Janus: media negotiation over the signalling
 * protocol, and what happens when Janus is killed during a meeting.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { RTCPeerConnection, MediaStreamTrack } from 'werift';
import { lanInterface } from '../../src/server/local-network.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting } from '../helpers/meeting-fixture.ts';
import type { RawClient } from '../helpers/ws-client.ts';
import { gathered } from '../helpers/synthetic/werift-peer.ts';

const newPc = () => new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });

/** Publishes a werift camera (opus + VP8, sendonly) through the signalling protocol. */
async function publishCamera(client: RawClient): Promise<{ pc: RTCPeerConnection; answer: string }> {
  const pc = newPc();
  pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const reply = await client.request({ type: 'publish', source: 'camera', sdp: pc.localDescription!.sdp }, 15_000);
  assert.equal(reply.type, 'publish-answer', JSON.stringify(reply));
  const answer = reply.type === 'publish-answer' ? reply.sdp : '';
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  return { pc, answer };
}

function janusPids(dataDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `${dataDir}/janus`]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('the server with a real Janus', { timeout: 90_000 }, () => {
  let server: TestServer;
  const peers: RTCPeerConnection[] = [];
  before(async () => (server = await startTestServer({ janus: true })));
  after(async () => {
    await Promise.all(peers.map((pc) => pc.close()));
    await server.close();
  });

  it('negotiates a publication and a multistream subscription through the signalling protocol', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const added = m.host.nextOf('publication-added');
    const { pc, answer } = await publishCamera(alice.client);
    peers.push(pc);
    // Candidates only on the interface the enforce list chose (this machine's own IPv4 address), none elsewhere.
    const own = lanInterface()!.address;
    const candidates = answer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:')).map((l) => l.split(' ')[4]);
    assert.ok(candidates.length > 0, 'Janus offers candidates');
    assert.ok(candidates.every((c) => c === own), `only ${own}: ${candidates.join(', ')}`);
    const publication = (await added).publication;
    const offerP = m.host.nextOf('subscriber-offer', 15_000);
    assert.equal((await m.host.request({ type: 'subscribe', video: [{ publicationId: publication.id, quality: 'low' }], audio: [publication.id] }, 15_000)).type, 'ok');
    const offer = await offerP;
    assert.deepEqual(offer.tracks.map((t) => t.kind).sort(), ['audio', 'video']);
    assert.ok(offer.tracks.every((t) => t.participantId === alice.participantId && t.source === 'camera'));
    const sub = newPc();
    peers.push(sub);
    await sub.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await sub.setLocalDescription(await sub.createAnswer());
    await gathered(sub);
    assert.equal((await m.host.request({ type: 'subscriber-answer', sdp: sub.localDescription!.sdp }, 15_000)).type, 'ok');
    // When Alice leaves, Janus renegotiates the host's subscription on its own and the server relays the offer.
    const renegotiated = m.host.nextOf('subscriber-offer', 15_000);
    const removed = m.host.nextOf('publication-removed', 15_000);
    alice.client.send({ type: 'leave' });
    assert.equal((await removed).publicationId, publication.id);
    const update = await renegotiated;
    assert.equal(update.tracks.length, 0);
  });

  it('keeps the meetings on a Janus that dies, tells their participants media is reconnecting, and serves new meetings after the restart', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    peers.push((await publishCamera(alice.client)).pc);
    const pids = janusPids(server.config.dataDir);
    assert.equal(pids.length, 1, `one Janus process: ${pids}`);
    const hostStatus = m.host.nextOf('media-status', 20_000);
    const aliceStatus = alice.client.nextOf('media-status', 20_000);
    const up = new Promise<void>((resolve) => server.engine.once('up', () => resolve()));
    process.kill(pids[0]!, 'SIGKILL');
    assert.equal((await hostStatus).state, 'reconnecting');
    assert.equal((await aliceStatus).state, 'reconnecting');
    await up;
    // The meeting goes on (test/integration/janus-restart.test.ts follows its media back).
    assert.equal(m.host.countOf('left') + alice.client.countOf('left'), 0);
    const next = await hostMeeting(server.wsUrl);
    const bob = await admitted(server.wsUrl, next, 'Bob');
    peers.push((await publishCamera(bob.client)).pc);
    const newPids = janusPids(server.config.dataDir);
    assert.equal(newPids.length, 1);
    assert.notEqual(newPids[0], pids[0]);
  });
});

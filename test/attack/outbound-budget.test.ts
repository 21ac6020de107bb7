/**
 * A slow consumer, over raw WebSocket: a participant stops reading its socket while the others, within
 * their rate limits, send it private messages as large as the protocol allows. The server must not hold
 * an unbounded backlog for it: past the outbound budget the connection is cut, the participant keeps its
 * place (others see it reconnecting, and its resume token works), and the others go on undisturbed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerMessageOf } from '../../src/protocol/index.ts';
import { MAX_OUTBOUND_BACKLOG_BYTES } from '../../src/server/signalling/outbound-budget.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { hostMeeting, type HostedMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, randomDeviceId } from '../helpers/ws-client.ts';

/** Senders: enough that their bursts and steady rate fill the budget well before a heartbeat could notice. */
const SENDERS = 60;
/** The chat rate limit is 2 a second after a burst of 10: a little slower stays under it. */
const CHAT_INTERVAL_MS = 550;
const CHAT_BURST = 10;
/** The server pings every 15 s and cuts a connection that missed one pong: a cut sooner is the budget's. */
const HEARTBEAT_MS = 15_000;

/** A sealed chat body at the largest size the schema allows (16 KiB of ciphertext). */
const largestSealedChat = (seed: number) => ({ kind: 'mls', data: Buffer.alloc(16 * 1024, seed % 251).toString('base64') });

let server: TestServer;

async function joinDirectly(m: HostedMeeting, name: string): Promise<{ client: RawClient; joined: ServerMessageOf<'joined'> }> {
  const client = await RawClient.connect(server.wsUrl);
  const joinedP = client.nextOf('joined');
  const reply = await client.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name, deviceId: randomDeviceId() });
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
  return { client, joined: await joinedP };
}

describe('a participant that stops reading', () => {
  before(async () => (server = await startTestServer({ overrides: { limits: { maxConnectionsPerAddress: 100 } } })));
  after(() => server.close());

  it('is cut off once its backlog passes the budget, keeps its place, and the others go on', async () => {
    const m = await hostMeeting(server.wsUrl);
    assert.equal((await m.host.request({ type: 'update-settings', settings: { waitingRoom: false, privateChat: true } })).type, 'ok');
    const slow = await joinDirectly(m, 'Slow reader');
    const slowId = slow.joined.self.participantId;
    const senders = [];
    for (let i = 0; i < SENDERS; i++) senders.push(await joinDirectly(m, `Sender ${i}`));

    const cutOffSeen = m.host.next(
      (msg) => msg.type === 'participant-updated' && msg.participant.id === slowId && msg.participant.reconnecting,
      60_000,
      'the slow reader shown as reconnecting',
    );
    let cut = false;
    void cutOffSeen.then(() => (cut = true), () => undefined);

    slow.client.socket.pause();
    const pausedAt = Date.now();
    let sentBytes = 0;
    const sent = new Array<number>(SENDERS).fill(0);
    const flood = senders.map(async (s, i) => {
      for (let n = 0; !cut; n++) {
        const frame = JSON.stringify({ type: 'chat', to: slowId, body: largestSealedChat(i * 1000 + n) });
        s.client.sendRaw(frame);
        sentBytes += frame.length;
        sent[i]! += 1;
        if (n >= CHAT_BURST - 1) await new Promise((r) => setTimeout(r, CHAT_INTERVAL_MS));
      }
    });

    await cutOffSeen;
    const cutAfterMs = Date.now() - pausedAt;
    await Promise.all(flood);
    console.log(`slow reader cut off after ${cutAfterMs} ms; the others had sent it ${sentBytes} bytes (budget ${MAX_OUTBOUND_BACKLOG_BYTES})`);
    assert.ok(sentBytes > MAX_OUTBOUND_BACKLOG_BYTES, 'cut off before the budget could have been reached');
    assert.ok(cutAfterMs < HEARTBEAT_MS, `cut off after ${cutAfterMs} ms: that is the heartbeat, not the budget`);
    // Reading again, it finds what the kernel still held and then the end of the connection, with no close frame.
    slow.client.socket.resume();
    assert.equal(await slow.client.closed, 1006, 'the connection is dropped without a close frame');

    // The others go on: every sender got the echo of each of its messages the server took (a loaded server
    // may read a sender's frames in a bunch and refuse one as over the rate), and a chat reaches them all.
    await Promise.all(
      senders.map(async (s, i) => {
        const refused = s.client.received.filter((msg) => msg.type === 'error');
        assert.ok(refused.every((msg) => msg.type === 'error' && msg.code === 'rate-limited'), JSON.stringify(refused));
        while (s.client.countOf('chat') < sent[i]! - refused.length) await s.client.nextOf('chat', 10_000);
        assert.equal(s.client.invalid.length, 0);
      }),
    );
    const arrivals = senders.map((s) => s.client.next((msg) => msg.type === 'chat' && msg.from === m.hostId, 10_000, 'the host chat'));
    assert.equal((await m.host.request({ type: 'chat', body: { kind: 'text', text: 'Still here?' } })).type, 'ok');
    await Promise.all(arrivals);

    // Its place was kept: the resume token brings it back as the same participant.
    const back = await RawClient.connect(server.wsUrl);
    const rejoined = back.nextOf('joined');
    const returned = m.host.next((msg) => msg.type === 'participant-updated' && msg.participant.id === slowId && !msg.participant.reconnecting);
    assert.equal((await back.request({ type: 'resume', resumeToken: slow.joined.self.resumeToken })).type, 'ok');
    assert.equal((await rejoined).self.participantId, slowId);
    await returned;

    back.close();
    for (const s of senders) s.client.close();
    m.host.close();
  });
});

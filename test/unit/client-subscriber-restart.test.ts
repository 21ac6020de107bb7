/**
 * The SDK subscriber through a media-server restart (suspend, then reconnect): nothing is asked of the server
 * while the SFU is down, the whole wish is asked again once it is back even though it did not change, and a
 * request accepted by the SFU before it died does not count as accepted after.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subscriber } from '../../src/client/media/subscriber.ts';
import type { ServerMessage } from '../../src/protocol/index.ts';

function fakeSignal() {
  const sent: { type: string }[] = [];
  const pending: (() => void)[] = [];
  return {
    sent,
    subscribes: () => sent.filter((m) => m.type === 'subscribe').length,
    answerAll: () => pending.splice(0).forEach((ok) => ok()),
    port: {
      send() {},
      request(message: { type: string }): Promise<ServerMessage> {
        sent.push(message);
        return new Promise((resolve) => pending.push(() => resolve({ type: 'ok' })));
      },
    },
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const video = (...ids: string[]) => ({ video: ids.map((publicationId) => ({ publicationId, quality: 'low' as const })), audio: [] });

describe('the SDK subscriber through a media-server restart', () => {
  it('asks nothing while suspended and the unchanged wish again after reconnect', async () => {
    const signal = fakeSignal();
    const sub = new Subscriber({ signal: signal.port, transformHook: () => {} });
    const snapshots: number[] = [];
    sub.on('tracks', (tracks) => snapshots.push(tracks.length));
    sub.setDesired(video('a'));
    await wait(20);
    signal.answerAll();
    await wait(20);
    assert.equal(signal.subscribes(), 1);

    sub.suspend();
    assert.deepEqual(snapshots, [0], 'no remote tracks while the SFU is down');
    sub.setDesired(video('a', 'b'));
    await wait(300);
    assert.equal(signal.subscribes(), 1, 'nothing is asked while suspended');

    sub.reconnect();
    await wait(300);
    assert.equal(signal.subscribes(), 2, 'the wish is asked again at once');
    assert.equal(sub.wantsMedia, true);
    sub.close();
  });

  it('does not count a request the dead SFU accepted, and asks for a fresh offer if one went to the dropped connection', async () => {
    const signal = fakeSignal();
    const sub = new Subscriber({ signal: signal.port, transformHook: () => {} });
    sub.setDesired(video('a'));
    await wait(20);
    assert.equal(signal.subscribes(), 1, 'in flight when the SFU dies');
    sub.suspend();
    sub.reconnect();
    signal.answerAll(); // the old SFU's ok arrives late
    await wait(300);
    assert.equal(signal.subscribes(), 2, 'asked again: the late ok was for the SFU that died');
    signal.answerAll(); // accepted, but no offer came for the new connection
    await wait(50);
    assert.equal(signal.sent.at(-1)!.type, 'restart-subscriber', 'a fresh offer is asked for');
    sub.close();
  });
});

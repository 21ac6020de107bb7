/**
 * The SDK's subscription requests: coalesced (one in flight, the latest wish sent next), never repeated
 * when nothing changed, and sent again when what the server accepted no longer holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subscriber } from '../../src/client/media/subscriber.ts';
import type { ServerMessage } from '../../src/protocol/index.ts';

function fakeSignal() {
  const sent: { video: { publicationId: string }[]; audio: string[] }[] = [];
  const pending: (() => void)[] = [];
  return {
    sent,
    answerAll: () => pending.splice(0).forEach((ok) => ok()),
    port: {
      send() {},
      request(message: { type: string }): Promise<ServerMessage> {
        if (message.type === 'subscribe') sent.push(message as never);
        return new Promise((resolve) => pending.push(() => resolve({ type: 'ok' })));
      },
    },
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const video = (...ids: string[]) => ({ video: ids.map((publicationId) => ({ publicationId, quality: 'low' as const })), audio: [] });

describe('the SDK subscriber', () => {
  it('sends one request at a time, then only the latest wish, and nothing for a wish already accepted', async () => {
    const signal = fakeSignal();
    const sub = new Subscriber({ signal: signal.port, transformHook: () => {} });
    sub.setDesired(video('a'));
    await wait(20);
    sub.setDesired(video('a', 'b'));
    sub.setDesired(video('a', 'c'));
    await wait(200);
    assert.equal(signal.sent.length, 1, 'one in flight');
    signal.answerAll();
    await wait(200);
    assert.deepEqual(signal.sent.map((m) => m.video.map((v) => v.publicationId)), [['a'], ['a', 'c']], 'the latest wish, not every step');
    signal.answerAll();
    sub.setDesired(video('c', 'a'));
    await wait(200);
    assert.equal(signal.sent.length, 2, 'the same set in another order is no change');
    sub.close();
  });

  it('asks again for an unchanged wish when a publication in it went away and came back', async () => {
    const signal = fakeSignal();
    const sub = new Subscriber({ signal: signal.port, transformHook: () => {} });
    sub.setDesired(video('a', 'b'));
    await wait(20);
    signal.answerAll();
    await wait(20);
    sub.publicationGone('zzz');
    await wait(200);
    assert.equal(signal.sent.length, 1, 'a publication we did not ask for changes nothing');
    sub.publicationGone('b');
    sub.setDesired(video('a', 'b'));
    await wait(200);
    assert.equal(signal.sent.length, 2, 'b was republished under the same id: the SFU must be asked again');
    sub.close();
  });
});

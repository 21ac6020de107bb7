/**
 * Media requests lost while the signalling socket stays up: no resume comes to redo them, so a `publish` or a
 * `restart-subscriber` that timed out (or was refused for now) is asked again on the retry policy, without
 * leaving a second publication on the server, and not after a final refusal, leaving, or a newer attempt.
 *
 * The browser's peer connection is a small fake: these tests are about what is asked of the server and when.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LocalPublications } from '../../src/client/local-publications.ts';
import { IceServerList } from '../../src/client/media/peer-connection.ts';
import { Subscriber } from '../../src/client/media/subscriber.ts';
import { ReconnectPolicy } from '../../src/client/reconnect-policy.ts';
import { SignallingError, type SignallingFailure } from '../../src/client/signalling-client.ts';
import type { LocalMedia } from '../../src/client/media/local-media.ts';
import type { ServerMessage } from '../../src/protocol/index.ts';
import { installFakeMedia } from '../helpers/fake-peer-connection.ts';


type Reply = { fail: SignallingFailure } | 'answer' | 'ok';

/** A signalling port whose replies the test scripts, one per request of a type, in order (default: success). */
function fakeSignal(script: Partial<Record<string, Reply[]>>) {
  const sent: { type: string; source?: string }[] = [];
  return {
    sent,
    types: () => sent.map((m) => (m.source ? `${m.type}:${m.source}` : m.type)),
    port: {
      send(message: { type: string }) {
        if (message.type !== 'trickle') sent.push(message);
      },
      async request(message: { type: string; source?: string }): Promise<ServerMessage> {
        sent.push(message);
        await Promise.resolve();
        const reply = script[message.type]?.shift() ?? (message.type === 'publish' ? 'answer' : 'ok');
        if (typeof reply === 'object') throw new SignallingError(reply.fail, 'scripted failure');
        if (reply === 'answer') return { type: 'publish-answer', source: message.source as 'camera', sdp: 'v=0 answer' };
        return { type: 'ok' };
      },
    },
  };
}

const quickPolicy = () => () => new ReconnectPolicy({ firstDelayMs: 5, maxDelayMs: 5, jitter: 0, maxAttempts: 3 });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function publications(signal: ReturnType<typeof fakeSignal>, joined = () => true) {
  const localMedia = { audioTrack: null, videoTrack: null } as unknown as LocalMedia;
  const notices: string[] = [];
  const pubs = new LocalPublications({
    signal: signal.port,
    transformHook: () => {},
    iceServers: new IceServerList(),
    localMedia,
    selfId: () => 'p1',
    joined,
    retryPolicy: quickPolicy(),
  });
  pubs.on('notice', (n) => notices.push(n.kind));
  return { pubs, notices };
}

describe('a publish that gets no reply while the socket stays up', () => {
  let restore = () => {};
  beforeEach(() => (restore = installFakeMedia()));
  afterEach(() => restore());

  it('takes the lost publish back and publishes the camera again on a fresh connection', async () => {
    const signal = fakeSignal({ publish: [{ fail: 'timeout' }] });
    const { pubs, notices } = publications(signal);
    await pubs.publishCamera();
    await wait(50);
    assert.deepEqual(signal.types(), ['publish:camera', 'unpublish:camera', 'publish:camera'], 'unpublish comes between, so the server never holds two');
    assert.deepEqual(notices, ['media-failed'], 'the failure was shown once');
    const pcs = pubs.peerConnections();
    assert.equal(pcs.length, 1, 'one camera publisher remains');
    assert.equal(pcs[0]!.pc.signalingState, 'stable', 'and it got its answer');
    pubs.close();
  });

  it('asks again after a refusal for now (unavailable) until the server takes it', async () => {
    const signal = fakeSignal({ publish: [{ fail: 'unavailable' }, { fail: 'timeout' }] });
    const { pubs } = publications(signal);
    await pubs.publishCamera();
    await wait(80);
    assert.deepEqual(signal.types().filter((t) => t === 'publish:camera').length, 3);
    assert.equal(pubs.peerConnections()[0]!.pc.signalingState, 'stable');
    pubs.close();
  });

  it('does not ask again after a final refusal', async () => {
    const signal = fakeSignal({ publish: [{ fail: 'forbidden' }] });
    const { pubs, notices } = publications(signal);
    await pubs.publishCamera();
    await wait(50);
    assert.deepEqual(signal.types(), ['publish:camera']);
    assert.deepEqual(notices, ['media-failed']);
    pubs.close();
  });

  it('stops asking once the policy gives up', async () => {
    const signal = fakeSignal({ publish: Array.from({ length: 10 }, () => ({ fail: 'timeout' as const })) });
    const { pubs } = publications(signal);
    await pubs.publishCamera();
    await wait(120);
    assert.equal(signal.types().filter((t) => t === 'publish:camera').length, 4, 'the first publish and the policy’s three attempts');
    pubs.close();
  });

  it('cancels a pending retry when we leave', async () => {
    const signal = fakeSignal({ publish: [{ fail: 'timeout' }] });
    const { pubs } = publications(signal);
    await pubs.publishCamera();
    pubs.close();
    await wait(50);
    assert.deepEqual(signal.types(), ['publish:camera', 'unpublish:camera'], 'nothing published after leaving');
  });

  it('lets a newer publish of the source supersede a pending retry', async () => {
    const signal = fakeSignal({ publish: [{ fail: 'timeout' }] });
    const { pubs } = publications(signal);
    await pubs.publishCamera();
    await pubs.publishCamera(); // e.g. the first joined again: a newer attempt
    await wait(50);
    assert.equal(signal.types().filter((t) => t === 'publish:camera').length, 2, 'the retry did not publish a third time');
    pubs.close();
  });
});

describe('a subscriber restart that gets no reply while the socket stays up', () => {
  const restarts = (signal: ReturnType<typeof fakeSignal>) => signal.types().filter((t) => t === 'restart-subscriber').length;

  it('is asked again when the first reply is lost', async () => {
    const signal = fakeSignal({ 'restart-subscriber': [{ fail: 'timeout' }] });
    const sub = new Subscriber({ signal: signal.port, transformHook: () => {}, retryPolicy: quickPolicy() });
    const errors: unknown[] = [];
    sub.on('negotiation-error', (e) => errors.push(e));
    sub.restart();
    await wait(50);
    assert.equal(restarts(signal), 2);
    assert.deepEqual(errors, [], 'the second attempt worked: nothing to report');
    sub.close();
  });

  it('is not asked again after a final refusal, which is reported', async () => {
    const signal = fakeSignal({ 'restart-subscriber': [{ fail: 'invalid-state' }] });
    const sub = new Subscriber({ signal: signal.port, transformHook: () => {}, retryPolicy: quickPolicy() });
    const errors: unknown[] = [];
    sub.on('negotiation-error', (e) => errors.push(e));
    sub.restart();
    await wait(50);
    assert.equal(restarts(signal), 1);
    assert.equal((errors[0] as SignallingError).code, 'invalid-state');
    sub.close();
  });

  it('reports the last failure once the policy gives up, and a later failure restarts again', async () => {
    const signal = fakeSignal({ 'restart-subscriber': Array.from({ length: 4 }, () => ({ fail: 'unavailable' as const })) });
    const sub = new Subscriber({ signal: signal.port, transformHook: () => {}, retryPolicy: quickPolicy() });
    const errors: unknown[] = [];
    sub.on('negotiation-error', (e) => errors.push(e));
    sub.restart();
    await wait(100);
    assert.equal(restarts(signal), 4, 'the first request and three retries');
    assert.equal(errors.length, 1);
    sub.restart();
    await wait(20);
    assert.equal(restarts(signal), 5, 'not stuck as pending');
    sub.close();
  });

  it('cancels a pending retry on close and when the SFU restarts', async () => {
    for (const end of ['close', 'suspend'] as const) {
      const signal = fakeSignal({ 'restart-subscriber': [{ fail: 'timeout' }] });
      // A retry delay far longer than the steps before `end`, so that a loaded machine cannot let the retry fire
      // first; then a wait well past it, so a retry that was not cancelled would have been sent.
      const slowPolicy = () => new ReconnectPolicy({ firstDelayMs: 300, maxDelayMs: 300, jitter: 0, maxAttempts: 3 });
      const sub = new Subscriber({ signal: signal.port, transformHook: () => {}, retryPolicy: slowPolicy });
      sub.restart();
      await wait(30);
      assert.equal(restarts(signal), 1, 'the first restart was sent and timed out');
      sub[end]();
      await wait(600);
      assert.equal(restarts(signal), 1, `nothing asked again after ${end}`);
      sub.close();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignallingClient, SignallingError } from '../../src/client/signalling-client.ts';

/** A WebSocket whose far end the test plays: it opens at once and delivers only what the test pushes. */
class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }

  send(data: string): void {
    this.sent.push(data);
  }

  /** Like a browser over a dead path: the close handshake never completes, so no close event comes. */
  close(code?: number): void {
    this.readyState = 2;
    this.closedWith = code ?? 1000;
  }

  /** The far end's close finally arriving. */
  finishClose(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  receive(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function client(): SignallingClient {
  return new SignallingClient({ url: 'ws://test/ws', webSocket: FakeSocket as unknown as typeof WebSocket, requestTimeoutMs: 30 });
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the signalling client on a dead path', () => {
  test('reports a socket that answers nothing, not even with other messages, once a request times out', async () => {
    const signalling = client();
    await signalling.connect();
    let unresponsive = 0;
    signalling.on('unresponsive', () => unresponsive++);
    await assert.rejects(signalling.request({ type: 'leave' }), (e: unknown) => e instanceof SignallingError && e.code === 'timeout');
    assert.equal(unresponsive, 1);
  });

  test('does not call a socket unresponsive when other messages keep arriving while a request waits', async () => {
    const signalling = client();
    await signalling.connect();
    let unresponsive = 0;
    signalling.on('unresponsive', () => unresponsive++);
    const request = signalling.request({ type: 'leave' });
    await tick(5);
    FakeSocket.last!.receive({ type: 'speaking', participantId: 'aaaaaaaaaaaaaaaa', speaking: true });
    await assert.rejects(request, (e: unknown) => e instanceof SignallingError && e.code === 'timeout');
    assert.equal(unresponsive, 0);
  });

  test('drops a socket at once, rejecting what waits and telling its owner it was not intentional', async () => {
    const signalling = client();
    await signalling.connect();
    const closes: { code: number; intentional: boolean }[] = [];
    signalling.on('close', (info) => closes.push(info));
    const pending = signalling.request({ type: 'leave' }, 10_000);
    const old = FakeSocket.last!;
    signalling.drop();
    await assert.rejects(pending, (e: unknown) => e instanceof SignallingError && e.code === 'closed');
    assert.deepEqual(closes, [{ code: 1006, intentional: false }]);
    assert.equal(signalling.isOpen, false);
    assert.notEqual(old.closedWith, null, 'the old socket was told to close');

    // A new socket works, and the old one's late close disturbs nothing.
    await signalling.connect();
    const next = signalling.request({ type: 'leave' }, 10_000);
    old.finishClose();
    assert.equal(closes.length, 1, 'no second close for the old socket');
    const sent = JSON.parse(FakeSocket.last!.sent.at(-1)!) as { id: number };
    FakeSocket.last!.receive({ type: 'ok', id: sent.id });
    assert.equal((await next).type, 'ok');
  });
});

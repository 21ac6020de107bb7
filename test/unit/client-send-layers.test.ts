/**
 * `send-layers` turns the camera's simulcast layers on and off (src/client/media/layer-switch.ts). The camera
 * sender here behaves as Chromium's does: a change is checked on the browser's signalling thread against the
 * transaction the last getParameters() handed out, and that transaction is cleared when a change completes,
 * after the encoder was reconfigured. So a change whose getParameters() came before the previous change
 * completed is rejected (InvalidStateError). A host who reloads makes exactly that: all layers off (nobody
 * watches), then on (the host's new connection watches), a few milliseconds apart.
 *
 * The tests drive the browser's threads by hand, so each interleaving is the same on every run.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LocalPublications } from '../../src/client/local-publications.ts';
import { IceServerList } from '../../src/client/media/peer-connection.ts';
import { LAYER_MAX_ATTEMPTS, LAYER_RETRY_DELAY_MS } from '../../src/client/media/layer-switch.ts';
import type { LocalMedia } from '../../src/client/media/local-media.ts';
import type { ServerMessage } from '../../src/protocol/index.ts';
import { FakePeerConnection, installFakeMedia } from '../helpers/fake-peer-connection.ts';

/** What a browser rejects setParameters with: a DOMException, told apart by its name. */
function domLikeError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** An RTCRtpSender with Chromium's transaction rule, whose signalling thread and encoder the test runs. */
class ChromiumLikeSender {
  track = null;
  encodings: RTCRtpEncodingParameters[];
  #lastTransaction: string | null = null;
  #transactions = 0;
  /** Tasks posted to the signalling thread, run by `runSignalling`. */
  #signalling: (() => void)[] = [];
  /** Changes applied whose encoder reconfiguration has not completed, completed by `completeReconfiguration`. */
  #reconfiguring: (() => void)[] = [];
  /** Changes refused once before they are checked: a browser that said no for a moment. */
  refuseNext = 0;
  rejected: string[] = [];

  constructor(encodings: RTCRtpEncodingParameters[]) {
    this.encodings = encodings.map((e) => ({ ...e }));
  }

  getParameters(): RTCRtpSendParameters {
    // A blocking call to the signalling thread: what was posted before runs first.
    this.runSignalling();
    this.#lastTransaction = `t${++this.#transactions}`;
    return { transactionId: this.#lastTransaction, encodings: this.encodings.map((e) => ({ ...e })), codecs: [], headerExtensions: [], rtcp: {} };
  }

  setParameters(parameters: RTCRtpSendParameters): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#signalling.push(() => {
        const refuse = (error: Error) => {
          this.rejected.push(error.name);
          reject(error);
        };
        if (this.refuseNext > 0) {
          this.refuseNext--;
          return refuse(domLikeError('OperationError', 'refused for now'));
        }
        if (this.#lastTransaction === null) return refuse(domLikeError('InvalidStateError', 'getParameters() has never been called'));
        if (this.#lastTransaction !== parameters.transactionId) return refuse(domLikeError('InvalidModificationError', 'transaction_id does not match'));
        this.encodings = parameters.encodings.map((e) => ({ ...e }));
        this.#reconfiguring.push(() => {
          this.#lastTransaction = null;
          resolve();
        });
      });
    });
  }

  async replaceTrack(): Promise<void> {}

  runSignalling(): void {
    for (let task = this.#signalling.shift(); task; task = this.#signalling.shift()) task();
  }

  completeReconfiguration(): void {
    for (let done = this.#reconfiguring.shift(); done; done = this.#reconfiguring.shift()) done();
  }

  get idle(): boolean {
    return this.#signalling.length === 0 && this.#reconfiguring.length === 0;
  }

  /** rid → active, for the assertions. */
  active(): Record<string, boolean> {
    return Object.fromEntries(this.encodings.map((e) => [e.rid, e.active !== false]));
  }
}

let cameraSender: ChromiumLikeSender | undefined;

class CameraPeerConnection extends FakePeerConnection {
  override addTransceiver(_trackOrKind: unknown, init?: RTCRtpTransceiverInit) {
    const sender = new ChromiumLikeSender(init?.sendEncodings ?? [{}]);
    if ((init?.sendEncodings?.length ?? 0) > 1) cameraSender = sender;
    return { sender };
  }
}

const signal = {
  send() {},
  async request(message: { type: string; source?: string }): Promise<ServerMessage> {
    if (message.type === 'publish') return { type: 'publish-answer', source: message.source as 'camera', sdp: 'v=0 answer' };
    return { type: 'ok' };
  },
};

async function publishedCamera(): Promise<{ pubs: LocalPublications; sender: ChromiumLikeSender }> {
  cameraSender = undefined;
  const pubs = new LocalPublications({
    signal,
    transformHook: () => {},
    iceServers: new IceServerList(),
    localMedia: { audioTrack: null, videoTrack: null } as unknown as LocalMedia,
    selfId: () => 'student',
    joined: () => true,
  });
  await pubs.publishCamera();
  assert.ok(cameraSender, 'the camera publisher has a simulcast sender');
  return { pubs, sender: cameraSender };
}

const sendLayers = (active: [boolean, boolean, boolean]) => ({ type: 'send-layers', source: 'camera', active }) as const;
const tick = () => new Promise((r) => setTimeout(r, 0));

/** Lets the browser run (signalling thread, encoder, retry timers) until it has been quiet longer than a retry delay. */
async function settle(sender: ChromiumLikeSender, maxMs = 2_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let busyAt = Date.now();
  while (Date.now() - busyAt < 2 * LAYER_RETRY_DELAY_MS && Date.now() < deadline) {
    await tick();
    if (!sender.idle) busyAt = Date.now();
    sender.runSignalling();
    await tick();
    sender.completeReconfiguration();
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('the camera’s simulcast layers, as `send-layers` says', () => {
  let restore = () => {};
  beforeEach(() => (restore = installFakeMedia(CameraPeerConnection)));
  afterEach(() => restore());

  it('encodes what the host asks for when "on" comes while the browser still completes "off", as when a host reloads', async () => {
    const { pubs, sender } = await publishedCamera();
    pubs.handleSendLayers(sendLayers([true, true, false]));
    await settle(sender);
    assert.deepEqual(sender.active(), { h: false, m: true, l: true }, 'the student encodes for the host');

    // The old host is gone: nobody watches. The change reaches the browser, whose encoder is still busy with it …
    pubs.handleSendLayers(sendLayers([false, false, false]));
    await tick();
    sender.runSignalling();
    // … when the host's new connection watches again.
    pubs.handleSendLayers(sendLayers([true, true, false]));
    await tick();
    sender.completeReconfiguration();
    await settle(sender);

    assert.deepEqual(sender.active(), { h: false, m: true, l: true }, 'the camera encodes the layers the new host receives');
    pubs.close();
  });

  it('ends on the last of many quick messages, one change at a time, so the browser refuses none', async () => {
    const { pubs, sender } = await publishedCamera();
    const wishes: [boolean, boolean, boolean][] = [[true, false, false], [false, false, false], [true, true, true], [true, true, false], [false, false, false], [true, false, true]];
    for (const active of wishes) {
      pubs.handleSendLayers(sendLayers(active));
      await tick();
      sender.runSignalling();
    }
    await settle(sender);
    assert.deepEqual(sender.active(), { h: true, m: false, l: true });
    assert.deepEqual(sender.rejected, [], 'a change is begun only after the one before it completed');
    pubs.close();
  });

  it('tries a refused change again, and gives up only after several refusals in a row', async () => {
    const { pubs, sender } = await publishedCamera();
    sender.refuseNext = 2;
    pubs.handleSendLayers(sendLayers([true, true, false]));
    await settle(sender);
    assert.deepEqual(sender.rejected, ['OperationError', 'OperationError']);
    assert.deepEqual(sender.active(), { h: false, m: true, l: true }, 'the third try took');

    sender.refuseNext = LAYER_MAX_ATTEMPTS + 5;
    pubs.handleSendLayers(sendLayers([true, false, false]));
    await settle(sender, (LAYER_MAX_ATTEMPTS + 5) * LAYER_RETRY_DELAY_MS);
    assert.equal(sender.rejected.length, 2 + LAYER_MAX_ATTEMPTS, 'no endless retries against a browser that keeps refusing');
    assert.deepEqual(sender.active(), { h: false, m: true, l: true });

    // The next message tries again.
    sender.refuseNext = 0;
    pubs.handleSendLayers(sendLayers([true, false, false]));
    await settle(sender);
    assert.deepEqual(sender.active(), { h: false, m: false, l: true });
    pubs.close();
  });
});

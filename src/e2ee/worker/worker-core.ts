/**
 * The E2EE worker minus its `self` wiring: validates what the main thread posts, feeds the FrameCryptor, and
 * builds the TransformStreams that encoded frames flow through. worker.ts only connects this to the worker
 * global; Node tests connect it to plain functions.
 *
 * Inputs it accepts:
 *   handleMessage(data)              a posted ToWorkerMessage (anything else is counted and ignored)
 *   handleScriptTransform(t)         an RTCRtpScriptTransformer from an `rtctransform` event
 *   tick()                           once a second: due send key, key expiry, failure reports, stats
 *
 * A receiver re-pointed to another participant (`retarget` on the encoded-streams path, a new transform with
 * `retargetedFrom` on the script-transform path) remembers whom it showed before and when it stopped, so that
 * the frames of that participant still in flight are dropped without being reported (frame-cryptor.ts).
 */
import { FrameCryptor, type FrameCryptorOptions } from './frame-cryptor.ts';
import { RETARGET_GRACE_MS } from './key-timing.ts';
import type { FrameKind } from './clear-prefix.ts';
import { fromWorkerMessage, toWorkerMessage, transformOptions, type FromWorkerMessage, type TransformOperation } from './messages.ts';

/** What RTCEncodedAudioFrame and RTCEncodedVideoFrame have in common, as far as the transform cares. */
export interface EncodedFrameLike {
  data: ArrayBuffer;
}

/** Who a stream's frames are for; mutable so that a legacy receiver can be re-pointed to another participant. */
export interface StreamTarget {
  readonly operation: TransformOperation;
  readonly kind: FrameKind;
  participantId: string;
  /** Participants this receiver showed before, with when it stopped (the cryptor's clock). */
  formerSenders?: Map<string, number>;
  /** Video receivers on the script-transform path: asks the sender, through the SFU, for a key frame. */
  requestKeyFrame?: () => void;
}

/**
 * A receiver that dropped frames (no key yet: it just joined, or the sender's new epoch arrived before the
 * commit) has a decoder missing references: the delta frames that follow are useless until a key frame comes.
 * Rather than wait for the sender's next one, it asks at once, at most this often.
 */
export const KEY_FRAME_REQUEST_INTERVAL_MS = 500;

/** Re-points a receiver: the participant it showed becomes a former sender, for RETARGET_GRACE_MS. */
export function retarget(target: StreamTarget, participantId: string, now: number): void {
  if (target.participantId === participantId) return;
  const former = (target.formerSenders ??= new Map());
  for (const [id, stoppedAt] of former) if (now - stoppedAt >= RETARGET_GRACE_MS) former.delete(id);
  former.set(target.participantId, now);
  former.delete(participantId);
  target.participantId = participantId;
}

export interface ScriptTransformerLike {
  readonly readable: ReadableStream;
  readonly writable: WritableStream;
  readonly options?: unknown;
  sendKeyFrameRequest?(): Promise<void>;
}

export interface WorkerCoreOptions extends Omit<FrameCryptorOptions, 'onFailure'> {
  /** Posts to the main thread; only ever called with messages that passed the schema. */
  readonly post: (message: FromWorkerMessage) => void;
}

export class WorkerCore {
  readonly cryptor: FrameCryptor;
  readonly #post: (message: FromWorkerMessage) => void;
  readonly #streams = new Map<number, StreamTarget>();
  #invalidMessages = 0;
  #lastStats = '';

  constructor(options: WorkerCoreOptions) {
    this.#post = options.post;
    this.cryptor = new FrameCryptor({
      ...options,
      onFailure: (report) => this.#send({ kind: 'decrypt-failure', data: { ...report } }),
    });
  }

  /** Returns whether the message was valid. Key changes complete asynchronously, in order. */
  handleMessage(raw: unknown): boolean {
    const parsed = toWorkerMessage.safeParse(raw);
    if (!parsed.success) {
      this.#invalidMessages++;
      return false;
    }
    const message = parsed.data;
    switch (message.kind) {
      case 'set-send-key': {
        const { epoch, kid, key, activateAfterMs } = message.data;
        void this.cryptor.setSendKey(epoch, BigInt(kid), key, activateAfterMs).finally(() => key.fill(0));
        break;
      }
      case 'set-receive-keys': {
        const keys = message.data.keys.map((k) => ({ kid: BigInt(k.kid), key: k.key, participantId: k.participantId }));
        const epoch = message.data.epoch;
        void this.cryptor
          .setReceiveKeys(epoch, keys)
          .then(() => this.#send({ kind: 'receive-keys-ready', data: { epoch } }))
          .finally(() => {
            for (const k of keys) k.key.fill(0);
          });
        break;
      }
      case 'drop-keys':
        void this.cryptor.dropAllKeys();
        break;
      case 'activate-send-key':
        void this.cryptor.activateSendKey(message.data.epoch);
        break;
      case 'attach': {
        const { streamId, readable, writable, operation, participantId, kind } = message.data;
        const target: StreamTarget = { operation, participantId, kind, formerSenders: new Map() };
        this.#streams.set(streamId, target);
        this.#pipe(readable, writable, target, () => this.#streams.delete(streamId));
        break;
      }
      case 'retarget': {
        const target = this.#streams.get(message.data.streamId);
        if (target === undefined || target.operation !== 'decrypt') {
          this.#invalidMessages++;
          return false;
        }
        retarget(target, message.data.participantId, this.cryptor.now());
        break;
      }
    }
    return true;
  }

  /** The RTCRtpScriptTransform path. Bad options: the frames are not piped at all (nothing leaks, nothing plays). */
  handleScriptTransform(transformer: ScriptTransformerLike): boolean {
    const options = transformOptions.safeParse(transformer.options);
    if (!options.success) {
      this.#invalidMessages++;
      return false;
    }
    const { operation, participantId, kind, retargetedFrom } = options.data;
    // The grace starts when the new transform arrives: within milliseconds of the page assigning it.
    const formerSenders = new Map<string, number>(retargetedFrom === undefined ? [] : [[retargetedFrom, this.cryptor.now()]]);
    const target: StreamTarget = { operation, participantId, kind, formerSenders };
    if (operation === 'decrypt' && kind === 'video' && typeof transformer.sendKeyFrameRequest === 'function') {
      target.requestKeyFrame = () => void transformer.sendKeyFrameRequest!().catch(() => undefined);
    }
    this.#pipe(transformer.readable, transformer.writable, target, () => {});
    return true;
  }

  tick(): void {
    this.cryptor.tick();
    const stats = { ...this.cryptor.stats(), invalidMessages: this.#invalidMessages };
    const text = JSON.stringify(stats);
    if (text === this.#lastStats) return;
    this.#lastStats = text;
    this.#send({ kind: 'stats', data: stats });
  }

  #pipe(readable: ReadableStream, writable: WritableStream, target: StreamTarget, done: () => void): void {
    readable
      .pipeThrough(createFrameTransform(this.cryptor, target))
      .pipeTo(writable)
      .catch(() => {
        // The pipe ends when its sender or receiver goes away.
      })
      .finally(done);
  }

  #send(message: FromWorkerMessage): void {
    // Checked on the way out too: a bug here must not become a message the main thread half-trusts.
    this.#post(fromWorkerMessage.parse(message));
  }
}

/**
 * A TransformStream that seals (or opens) each frame's payload in place (see clear-prefix.ts for the bytes that stay clear). Frames that cannot be
 * sealed (no key yet) or opened are dropped: nothing is ever passed on unprocessed.
 */
export function createFrameTransform(cryptor: FrameCryptor, target: StreamTarget): TransformStream<EncodedFrameLike, EncodedFrameLike> {
  // Video receivers: whether the decoder still waits for a key frame (nothing passed yet, or frames dropped since).
  let needKeyFrame = true;
  let lastRequestAt = -Infinity;
  return new TransformStream<EncodedFrameLike, EncodedFrameLike>({
    async transform(frame, controller) {
      const input = new Uint8Array(frame.data);
      const output =
        target.operation === 'encrypt'
          ? await cryptor.encryptFrame(input, target.kind)
          : await cryptor.decryptFrame(input, target.participantId, target.kind, target.formerSenders);
      if (target.requestKeyFrame) {
        if (output === null) {
          needKeyFrame = true;
        } else if (isKeyFrame(output)) {
          needKeyFrame = false;
        } else if (needKeyFrame && cryptor.now() - lastRequestAt >= KEY_FRAME_REQUEST_INTERVAL_MS) {
          lastRequestAt = cryptor.now();
          target.requestKeyFrame();
        }
      }
      if (output === null) return;
      frame.data = exactBuffer(output);
      controller.enqueue(frame);
    },
  });
}

/** VP8 (RFC 6386 section 9.1): bit 0 of the frame tag is clear on key frames. */
function isKeyFrame(payload: Uint8Array): boolean {
  return payload.length > 0 && (payload[0]! & 0x01) === 0;
}

/** The frame's `data` must be an ArrayBuffer holding exactly the payload. */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

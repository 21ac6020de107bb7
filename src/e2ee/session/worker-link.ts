/**
 * The main-thread end of the E2EE worker: every message is checked against the shared schemas before it is
 * posted and when it arrives, and senders/receivers are attached through whichever API the browser has.
 *
 * Inputs it accepts:
 *   setKeys(keys, sendKeyDelayMs)         install an epoch's keys: receive keys first, at once; then the send
 *                                         key, used by the worker from `sendKeyDelayMs` on
 *   dropKeys()                            every key, both directions
 *   attach(endpoint, operation, kind, participantId)   again with another participant to re-point a receiver
 *   close()                               terminate the worker (safe twice)
 * Output: onMessage(listener) for validated worker reports.
 */
import {
  fromWorkerMessage,
  toWorkerMessage,
  transformOptions,
  type FromWorkerMessage,
  type MediaKind,
  type ToWorkerMessage,
  type TransformOperation,
  type TransformOptions,
} from '../worker/messages.ts';
import type { EpochSFrameKeys } from './sframe-keys.ts';

/** What the session needs of a Worker; a real `Worker` fits, tests pass an in-process stand-in. */
export interface WorkerPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  terminate(): void;
}

type Endpoint = RTCRtpSender | RTCRtpReceiver;

interface LegacyEndpoint {
  createEncodedStreams(): { readable: ReadableStream; writable: WritableStream };
}

type ScriptTransformConstructor = new (worker: Worker, options: TransformOptions) => RTCRtpScriptTransform;

export class WorkerLink {
  readonly #worker: WorkerPort;
  /** Legacy path only: the stream pair of an endpoint can be taken once, so later changes are retargets. */
  readonly #legacyStreams = new WeakMap<Endpoint, { streamId: number; operation: TransformOperation }>();
  /** Script-transform path: whom each receiver shows, so that a new transform knows whom it replaces. */
  readonly #shownBy = new WeakMap<Endpoint, string>();
  #nextStreamId = 1;
  #closed = false;

  constructor(worker: WorkerPort, onReport: (message: FromWorkerMessage) => void, onInvalid: () => void) {
    this.#worker = worker;
    worker.addEventListener('message', (event) => {
      const parsed = fromWorkerMessage.safeParse(event.data);
      if (parsed.success) onReport(parsed.data);
      else onInvalid();
    });
  }

  setKeys(keys: EpochSFrameKeys, sendKeyDelayMs: number): void {
    this.#post({
      kind: 'set-receive-keys',
      data: { epoch: keys.epoch, keys: keys.receive.map((k) => ({ kid: k.kid.toString(), key: k.key.slice(), participantId: k.participantId })) },
    });
    this.#post({
      kind: 'set-send-key',
      data: { epoch: keys.epoch, kid: keys.send.kid.toString(), key: keys.send.key.slice(), activateAfterMs: sendKeyDelayMs },
    });
  }

  /** Every member holds this epoch's keys: our pending send key of it may be used now. */
  activateSendKey(epoch: number): void {
    this.#post({ kind: 'activate-send-key', data: { epoch } });
  }

  dropKeys(): void {
    this.#post({ kind: 'drop-keys', data: {} });
  }

  attach(endpoint: Endpoint, operation: TransformOperation, kind: MediaKind, participantId: string): void {
    if (this.#closed) throw new TypeError('E2EE worker is closed');
    const options: TransformOptions = { operation, participantId, kind };
    const ScriptTransform = (globalThis as { RTCRtpScriptTransform?: ScriptTransformConstructor }).RTCRtpScriptTransform;
    if (typeof ScriptTransform === 'function') {
      // A new transform replaces the previous one on this endpoint, with the new participant; the worker is
      // told whom the receiver showed before, so that frames of theirs still in flight are not failures.
      const shown = this.#shownBy.get(endpoint);
      const retargeted = operation === 'decrypt' && shown !== undefined && shown !== participantId ? { retargetedFrom: shown } : {};
      endpoint.transform = new ScriptTransform(this.#worker as unknown as Worker, transformOptions.parse({ ...options, ...retargeted }));
      if (operation === 'decrypt') this.#shownBy.set(endpoint, participantId);
      return;
    }
    const known = this.#legacyStreams.get(endpoint);
    if (known !== undefined) {
      if (known.operation !== operation) throw new TypeError('endpoint already attached the other way');
      if (operation === 'decrypt') this.#post({ kind: 'retarget', data: { streamId: known.streamId, participantId } });
      return;
    }
    const legacy = endpoint as unknown as Partial<LegacyEndpoint>;
    if (typeof legacy.createEncodedStreams !== 'function') throw new TypeError('this browser offers no encoded transform');
    const { readable, writable } = legacy.createEncodedStreams();
    const streamId = this.#nextStreamId++;
    this.#legacyStreams.set(endpoint, { streamId, operation });
    this.#post({ kind: 'attach', data: { streamId, readable, writable, ...options } }, [readable as unknown as Transferable, writable as unknown as Transferable]);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
  }

  #post(message: ToWorkerMessage, transfer: Transferable[] = []): void {
    if (this.#closed) return;
    this.#worker.postMessage(toWorkerMessage.parse(message), transfer);
  }
}

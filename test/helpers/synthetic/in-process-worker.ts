/**
 * The real E2EE WorkerCore in this process, reached through structured clone as a Worker would be: the E2eeSession
 * under test (or a synthetic participant's) talks to it exactly as to dist/web/e2ee-worker.js, and its
 * FrameCryptor seals and opens frames as the browser's encoded transform does.
 */
import type { WorkerPort } from '../../../src/e2ee/session/index.ts';
import { WorkerCore } from '../../../src/e2ee/worker/worker-core.ts';

export class InProcessWorker implements WorkerPort {
  readonly core: WorkerCore;
  readonly #listeners: ((event: MessageEvent) => void)[] = [];
  terminated = false;

  /** `now`: the worker's clock (key delays and grace periods), for tests that move time themselves. */
  constructor(now?: () => number) {
    this.core = new WorkerCore({
      ...(now === undefined ? {} : { now }),
      post: (message) => {
        const event = { data: structuredClone(message) } as MessageEvent;
        for (const listener of this.#listeners) listener(event);
      },
    });
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    if (this.terminated) throw new Error('worker terminated');
    if (transfer.length > 0) throw new Error('transfers are not simulated');
    this.core.handleMessage(structuredClone(message));
  }

  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.#listeners.push(listener);
  }

  terminate(): void {
    this.terminated = true;
  }
}

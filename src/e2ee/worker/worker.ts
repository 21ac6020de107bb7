/**
 * Entry point of the E2EE worker bundle (dist/web/e2ee-worker.js): connects WorkerCore to the worker global.
 * Frames arrive both ways browsers offer them: `rtctransform` events (RTCRtpScriptTransform: Firefox, Safari,
 * Chromium ≥ 141, all through this same handler) and stream pairs posted in an `attach` message
 * (createEncodedStreams on Chromium without the script transform).
 * All the logic, and every check, is in worker-core.ts and frame-cryptor.ts.
 */
import { WorkerCore, type ScriptTransformerLike } from './worker-core.ts';

const TICK_MS = 1_000;

interface WorkerScope {
  onrtctransform: ((event: Event & { transformer: ScriptTransformerLike }) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

function start(scope: WorkerScope): void {
  const core = new WorkerCore({ post: (message) => scope.postMessage(message) });
  scope.onrtctransform = (event) => {
    core.handleScriptTransform(event.transformer);
  };
  scope.onmessage = (event) => {
    core.handleMessage(event.data);
  };
  setInterval(() => core.tick(), TICK_MS);
}

start(globalThis as unknown as WorkerScope);

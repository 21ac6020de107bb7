/**
 * Placeholder E2EE worker: passes encoded frames through unchanged. The E2EE
 * modules replace this file; it exists so the build has its second entry point.
 * It accepts frames both ways browsers offer them: `rtctransform` events
 * (RTCRtpScriptTransform) and a posted {readable, writable} pair (legacy Chromium).
 */
type TransformEvent = Event & { transformer: { readable: ReadableStream; writable: WritableStream } };
const scope = globalThis as unknown as {
  onrtctransform: ((event: TransformEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
};

function pipe(readable: ReadableStream, writable: WritableStream): void {
  readable.pipeTo(writable).catch(() => {
    // The stream ends when its sender/receiver goes away.
  });
}

scope.onrtctransform = (event) => pipe(event.transformer.readable, event.transformer.writable);

scope.onmessage = (event: MessageEvent) => {
  const data: unknown = event.data;
  if (typeof data !== 'object' || data === null) return;
  const { readable, writable } = data as { readable?: unknown; writable?: unknown };
  if (readable instanceof ReadableStream && writable instanceof WritableStream) pipe(readable, writable);
};

export {};

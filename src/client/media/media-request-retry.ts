/**
 * Whether a failed media request (`publish`, `restart-subscriber`) is worth asking again while the socket stays
 * up. A reply that never came (`timeout`: the request or its reply was lost, or the SFU is slow) and a refusal
 * for now (`unavailable`: the SFU is restarting; `media-error`: the SFU refused this once) may work later.
 * Everything else is final: `forbidden` and `invalid-state` will not change by asking again, and `closed` means
 * the socket went, so the resume owns recovery (meeting-media.ts `recoverAfterResume`).
 */
import type { AttemptResult } from '../reconnect-policy.ts';

const RETRYABLE = new Set(['timeout', 'unavailable', 'media-error']);

export function isRetryableMediaFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/** One attempt's result for ReconnectPolicy.run. */
export function mediaAttemptResult(err: unknown): AttemptResult {
  return isRetryableMediaFailure(err) ? 'retry' : 'stop';
}

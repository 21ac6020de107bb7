/**
 * The one error type a handler throws to refuse a request. Its code and message go
 * to the client as they are; any other exception is reported as `internal` with no
 * detail, so internal error text never reaches a client.
 */
import type { ErrorCode } from '../protocol/index.ts';

export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export const forbidden = (what: string) => new ProtocolError('forbidden', what);

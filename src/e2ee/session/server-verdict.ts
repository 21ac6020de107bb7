/**
 * What the server answered a request of the session. The `send` option resolves on `ok` and rejects with the
 * server's error code on `error`; any other rejection (timeout, connection lost) means the answer was lost.
 *
 * A commit-carrying message (`mls-commit`, `admit` with a commit, `mls-group-created`) gets one of these
 * verdicts. The server accepts only the first commit made at its current epoch (docs/e2ee-mls.md "The epoch
 * rule the server enforces"):
 *   'ok'       accepted
 *   'stale'    another commit was first at this epoch (`stale-epoch`)
 *   'refused'  any other error code
 *   'unsent'   it never left: the protocol schema (or the SDK) refuses the message
 *   'unknown'  sent, but the verdict was lost: the server may have accepted it
 */
import { clientMessage, errorCode, type ClientMessage, type ErrorCode } from '../../protocol/messages.ts';
import type { MlsCommitOutput } from '../mls/index.ts';
import { toBase64 } from './base64.ts';

export type CommitVerdict = 'ok' | 'stale' | 'refused' | 'unsent' | 'unknown';

/** The server's error code in a rejection of `send`, or undefined when the answer was lost. */
export function refusalCode(error: unknown): ErrorCode | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const checked = errorCode.safeParse(code);
  return checked.success ? checked.data : undefined;
}

/** Sends a commit-carrying message and tells what became of it. */
export async function submitCommit(send: (message: ClientMessage) => Promise<unknown>, message: ClientMessage): Promise<CommitVerdict> {
  // What the protocol refuses never leaves (the SDK would throw): checked here so that it is known unsent.
  if (!clientMessage.safeParse(message).success) return 'unsent';
  try {
    await send(message);
    return 'ok';
  } catch (error) {
    if (error instanceof TypeError) return 'unsent'; // refused by the SDK before sending
    const code = refusalCode(error);
    if (code === 'stale-epoch') return 'stale';
    return code !== undefined ? 'refused' : 'unknown';
  }
}

/** A commit as the protocol carries it (`mls` of `mls-commit` and `admit`). */
export function commitPayload(output: MlsCommitOutput): { epoch: number; commit: string; welcome?: string } {
  return { epoch: output.epoch, commit: toBase64(output.commit), ...(output.welcome ? { welcome: toBase64(output.welcome) } : {}) };
}

/**
 * Decoding MLS messages from bytes, whole or not at all, and their epochs as numbers. Used by the member
 * (member.ts) and the KeyPackage check (session/key-package.ts). The server does not decode MLS at all: it
 * orders commits by the epoch the `mls-commit` message names (docs/e2ee-mls.md).
 */
import { decodeMlsMessage, type MLSMessage } from 'ts-mls';
import { MlsProtocolError } from './errors.ts';

/** Decodes a whole MLSMessage; throws MlsProtocolError('malformed') on trailing or missing bytes. */
export function decodeWholeMlsMessage(bytes: Uint8Array): MLSMessage {
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (cause) {
    throw new MlsProtocolError('malformed', 'undecodable MLS message', { cause });
  }
  if (decoded === undefined || decoded[1] !== bytes.length) throw new MlsProtocolError('malformed', 'undecodable MLS message');
  return decoded[0];
}

export function epochToNumber(epoch: bigint): number {
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) throw new MlsProtocolError('malformed', 'epoch out of range');
  return Number(epoch);
}

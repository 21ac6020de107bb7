/**
 * Reading the public header of MLS messages without any group state: what the delivery service needs to
 * order commits (group id, epoch, content type) and route Welcomes. Reads nothing secret.
 */
import { decodeMlsMessage, type MLSMessage } from 'ts-mls';
import { MlsProtocolError } from './errors.ts';

export type MlsEnvelope =
  | { kind: 'commit' | 'proposal' | 'application'; groupId: Uint8Array; epoch: number; encrypted: boolean }
  | { kind: 'welcome' }
  | { kind: 'key-package' }
  | { kind: 'group-info' };

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

export function readMlsEnvelope(bytes: Uint8Array): MlsEnvelope {
  const message = decodeWholeMlsMessage(bytes);
  switch (message.wireformat) {
    case 'mls_private_message': {
      const pm = message.privateMessage;
      return { kind: contentKind(pm.contentType), groupId: pm.groupId, epoch: epochToNumber(pm.epoch), encrypted: true };
    }
    case 'mls_public_message': {
      const content = message.publicMessage.content;
      return { kind: contentKind(content.contentType), groupId: content.groupId, epoch: epochToNumber(content.epoch), encrypted: false };
    }
    case 'mls_welcome':
      return { kind: 'welcome' };
    case 'mls_key_package':
      return { kind: 'key-package' };
    case 'mls_group_info':
      return { kind: 'group-info' };
  }
}

function contentKind(contentType: string): 'commit' | 'proposal' | 'application' {
  switch (contentType) {
    case 'commit':
      return 'commit';
    case 'proposal':
      return 'proposal';
    case 'application':
      return 'application';
    default:
      throw new MlsProtocolError('malformed', 'unknown content type');
  }
}

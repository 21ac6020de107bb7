/**
 * Just enough STUN (RFC 8489) and TURN (RFC 8656) to ask coturn whether it is up (a Binding request) and,
 * in tests, to check what it allows a credential holder to do (Allocate, CreatePermission). Sabha never
 * relays media itself: browsers speak TURN to coturn.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;

export const StunMethod = { binding: 0x001, allocate: 0x003, refresh: 0x004, createPermission: 0x008 } as const;
export const StunClass = { request: 0b00, indication: 0b01, success: 0b10, error: 0b11 } as const;
export const StunAttr = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
  fingerprint: 0x8028,
} as const;

/** IANA protocol number of UDP, the only relay transport Sabha allows (REQUESTED-TRANSPORT). */
export const TRANSPORT_UDP = 17;

export interface StunMessage {
  method: number;
  cls: number;
  transactionId: Buffer;
  attributes: { type: number; value: Buffer }[];
}

export function newTransactionId(): Buffer {
  return randomBytes(12);
}

function messageType(method: number, cls: number): number {
  // The class bits sit at positions 4 and 8 of the method (RFC 8489 section 5).
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

function splitType(type: number): { method: number; cls: number } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = ((type >> 4) & 1) | ((type >> 7) & 2);
  return { method, cls };
}

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/** Long-term credential key (RFC 8489 section 9.2.2): MD5 of "username:realm:password". */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

/** Encodes a message; with `integrityKey`, adds MESSAGE-INTEGRITY, and always a FINGERPRINT. */
export function encodeStun(message: Omit<StunMessage, 'attributes'> & { attributes?: StunMessage['attributes'] }, integrityKey?: Buffer): Buffer {
  let body = Buffer.concat((message.attributes ?? []).map((a) => attribute(a.type, a.value)));
  const header = (extra: number) => {
    const h = Buffer.alloc(HEADER_BYTES);
    h.writeUInt16BE(messageType(message.method, message.cls), 0);
    h.writeUInt16BE(body.length + extra, 2);
    h.writeUInt32BE(MAGIC_COOKIE, 4);
    message.transactionId.copy(h, 8);
    return h;
  };
  if (integrityKey) {
    const mac = createHmac('sha1', integrityKey).update(Buffer.concat([header(24), body])).digest();
    body = Buffer.concat([body, attribute(StunAttr.messageIntegrity, mac)]);
  }
  const crc = (crc32(Buffer.concat([header(8), body])) ^ 0x5354554e) >>> 0;
  const fp = Buffer.alloc(4);
  fp.writeUInt32BE(crc, 0);
  body = Buffer.concat([body, attribute(StunAttr.fingerprint, fp)]);
  return Buffer.concat([header(0), body]);
}

/** Decodes one message, or null when the bytes are not STUN. */
export function decodeStun(data: Buffer): StunMessage | null {
  if (data.length < HEADER_BYTES || data.readUInt32BE(4) !== MAGIC_COOKIE || (data[0]! & 0xc0) !== 0) return null;
  const length = data.readUInt16BE(2);
  if (data.length < HEADER_BYTES + length) return null;
  const { method, cls } = splitType(data.readUInt16BE(0));
  const attributes: StunMessage['attributes'] = [];
  for (let at = HEADER_BYTES; at + 4 <= HEADER_BYTES + length; ) {
    const type = data.readUInt16BE(at);
    const len = data.readUInt16BE(at + 2);
    attributes.push({ type, value: data.subarray(at + 4, at + 4 + len) });
    at += 4 + Math.ceil(len / 4) * 4;
  }
  return { method, cls, transactionId: data.subarray(8, 20), attributes };
}

export function getAttr(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((a) => a.type === type)?.value;
}

/** ERROR-CODE as a number such as 401 or 403, or undefined. */
export function errorCodeOf(message: StunMessage): number | undefined {
  const v = getAttr(message, StunAttr.errorCode);
  return v && v.length >= 4 ? (v[2]! & 0x7) * 100 + v[3]! : undefined;
}

/** XOR-PEER-ADDRESS and friends (IPv4 only: Sabha's relay is IPv4). */
export function xorAddress(address: string, port: number): Buffer {
  if (!isIPv4(address)) throw new TypeError('only IPv4 addresses are supported');
  const out = Buffer.alloc(8);
  out[1] = 0x01;
  out.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  const ip = address.split('.').map(Number);
  out.writeUInt32BE((((ip[0]! << 24) | (ip[1]! << 16) | (ip[2]! << 8) | ip[3]!) ^ MAGIC_COOKIE) >>> 0, 4);
  return out;
}

export function readXorAddress(value: Buffer): { address: string; port: number } {
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const ip = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
  return { address: [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'), port };
}

let crcTable: Int32Array | undefined;
function crc32(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

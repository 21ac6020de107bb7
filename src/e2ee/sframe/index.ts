/** SFrame (RFC 9605): public surface. No DOM: runs in Node, a page or a worker. */
export { SFrameContext } from './context.ts';
export type { DecryptedFrame, SFrameContextOptions } from './context.ts';
export { SFrameError } from './errors.ts';
export type { SFrameErrorCode } from './errors.ts';
export { decodeHeader, encodeHeader, MAX_HEADER_LENGTH } from './header.ts';
export type { SFrameHeader } from './header.ts';
export { CipherSuiteId, cipherSuite, isCipherSuiteId } from './suites.ts';
export type { CipherSuite } from './suites.ts';
export { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay-window.ts';
export type { ReplayVerdict } from './replay-window.ts';
export {
  MLS_EXPORTER_CONTEXT,
  MLS_EXPORTER_LABEL,
  SABHA_EPOCH_BITS,
  mlsExporterLength,
  mlsKid,
  mlsSenderKey,
  parseMlsKid,
} from './mls.ts';
export type { MlsKidContext, MlsKidParts, MlsSenderKey } from './mls.ts';

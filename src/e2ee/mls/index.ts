/** Sabha's MLS layer: group membership and epoch secrets for end-to-end encryption. */
export { MlsMember } from './member.ts';
export type { MlsAddition, MlsApplicationMessage, MlsCommitOutput, MlsCommitRequest, MlsCommitResult, MlsMemberOptions, MlsPhase } from './member.ts';
export { MlsProtocolError, MlsStateError } from './errors.ts';
export type { MlsProtocolErrorCode } from './errors.ts';
export { loadMlsSuite, SABHA_CIPHERSUITE } from './suite.ts';
export type { MlsCryptoBackend, MlsSuite } from './suite.ts';
export { participantIdSchema } from './identity.ts';
export type { ParticipantId } from './identity.ts';
export { securityCodeFromAuthenticator } from './securityCode.ts';

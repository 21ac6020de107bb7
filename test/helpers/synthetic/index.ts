/** Synthetic participants for tests and benchmarks: see participant.ts. */
export { ADMIT_BATCH, SyntheticParticipant, type SyntheticParticipantOptions, type SyntheticPhase, type SyntheticTimes } from './participant.ts';
export { SyntheticCamera, type CameraStats } from './camera.ts';
export { SyntheticReceiver, type ReceivedFrom } from './receiver.ts';
export { InProcessWorker } from './in-process-worker.ts';
export { MediaClock, sharedClock } from './media-clock.ts';
export { mediaFixtures, type MediaFixtures } from './media-fixtures.ts';

/**
 * How often each kind of message may arrive on one connection. The numbers leave
 * room for any honest client (an ICE gathering burst, a fast typist) and cut a
 * flood off at its own connection.
 */
import type { ClientMessageType } from '../../protocol/index.ts';
import type { BucketSpec } from '../security/rate-limiter.ts';

const DEFAULT: BucketSpec = { rate: 5, burst: 20 };

const SPECS: Partial<Record<ClientMessageType | 'invalid', BucketSpec>> = {
  'create-meeting': { rate: 0.2, burst: 3 },
  join: { rate: 1, burst: 5 },
  resume: { rate: 0.5, burst: 3 },
  trickle: { rate: 50, burst: 200 },
  chat: { rate: 2, burst: 10 },
  /** Raise hand and reactions: a burst of 10, then 3 a second (clients send at most 1 reaction a second after 3). */
  signal: { rate: 3, burst: 10 },
  /**
   * Polls: opening, closing, sharing and answering are deliberate clicks (a host re-sends its open polls when
   * people join). A poll to everyone is at most 6 KiB, under the 16 KiB a chat message to everyone may be: the
   * same burst of 10, then 2 a second.
   */
  poll: { rate: 2, burst: 10 },
  /**
   * Recording consent: each is a deliberate click, and an ask is taken only when nothing is asked or recorded,
   * so its fan-out to everyone happens at most once per request. A burst of 5, then one every 5 seconds.
   */
  'recording-ask': { rate: 0.2, burst: 5 },
  'recording-answer': { rate: 0.5, burst: 5 },
  'recording-start': { rate: 0.2, burst: 5 },
  'recording-stop': { rate: 0.2, burst: 5 },
  /** Breakout rooms: a ticket is a deliberate click (or a room change); entering is like `join`. */
  'breakout-join': { rate: 1, burst: 5 },
  'breakout-enter': { rate: 1, burst: 5 },
  'set-media-state': { rate: 5, burst: 20 },
  subscribe: { rate: 5, burst: 20 },
  'subscriber-answer': { rate: 5, burst: 20 },
  'mls-commit': { rate: 5, burst: 20 },
  'mls-epoch-ack': { rate: 10, burst: 20 },
  invalid: { rate: 1, burst: 20 },
};

export const bucketFor = (kind: ClientMessageType | 'invalid'): BucketSpec => SPECS[kind] ?? DEFAULT;

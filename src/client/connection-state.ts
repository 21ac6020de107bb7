/**
 * The meeting connection's state machine, kept apart from I/O so that every
 * transition is explicit and testable.
 *
 * States:
 *   idle         nothing started
 *   connecting   socket opening, `join` sent, no answer yet
 *   waiting      the server holds us: `host-absent` (no host yet) or `waiting-room`
 *   joined       in the meeting
 *   reconnecting the socket dropped while joined; resuming with the resume token
 *   left         final; carries the reason
 *
 * Inputs accepted (anything else is ignored and reported as `false`):
 *   join             idle → connecting
 *   waiting(reason)  connecting | waiting → waiting
 *   joined           connecting | waiting | reconnecting | joined → joined
 *   socket-dropped   joined → reconnecting; connecting | waiting → connecting (join again)
 *   resume-failed    reconnecting → left(timeout)
 *   left(reason)     any but left → left (server `left`, join refused, or own leave)
 */
import type { LeaveReason } from '../protocol/index.ts';

export type WaitingReason = 'host-absent' | 'waiting-room';
/** Why the client stopped: a server reason, or that the join itself was refused. */
export type EndReason = LeaveReason | 'join-refused' | 'locked' | 'meeting-full' | 'throttled' | 'connection-failed' | 'error';

export type ConnectionState =
  | { name: 'idle' }
  | { name: 'connecting' }
  | { name: 'waiting'; reason: WaitingReason }
  | { name: 'joined' }
  | { name: 'reconnecting' }
  | { name: 'left'; reason: EndReason };

export type ConnectionInput =
  | { type: 'join' }
  | { type: 'waiting'; reason: WaitingReason }
  | { type: 'joined' }
  | { type: 'socket-dropped' }
  | { type: 'resume-failed' }
  | { type: 'left'; reason: EndReason };

/** Pure transition function: the next state, or null when the input does not apply. */
export function transition(state: ConnectionState, input: ConnectionInput): ConnectionState | null {
  if (state.name === 'left') return null;
  switch (input.type) {
    case 'join':
      return state.name === 'idle' ? { name: 'connecting' } : null;
    case 'waiting':
      return state.name === 'connecting' || state.name === 'waiting' ? { name: 'waiting', reason: input.reason } : null;
    case 'joined':
      return state.name === 'idle' ? null : { name: 'joined' };
    case 'socket-dropped':
      if (state.name === 'joined') return { name: 'reconnecting' };
      if (state.name === 'connecting' || state.name === 'waiting') return { name: 'connecting' };
      return null;
    case 'resume-failed':
      return state.name === 'reconnecting' ? { name: 'left', reason: 'timeout' } : null;
    case 'left':
      return { name: 'left', reason: input.reason };
  }
}

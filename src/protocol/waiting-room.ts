/**
 * The waiting room as a host's client knows it: a snapshot (`waiting-room`) followed by changes
 * (`waiting-room-changed`). One reducer, used by the room state, the E2EE session and the tests, so that
 * every reader of the protocol rebuilds the same list in the same order (arrival order, as the server sends).
 */
import type { ServerMessageOf, WaitingEntry } from './messages.ts';

export type WaitingRoomMessage = ServerMessageOf<'waiting-room' | 'waiting-room-changed'>;

/** The list after `message`; `current` is not modified. */
export function applyWaitingRoomMessage(current: readonly WaitingEntry[], message: WaitingRoomMessage): WaitingEntry[] {
  if (message.type === 'waiting-room') return message.entries.slice();
  const byId = new Map(current.map((entry) => [entry.participantId, entry]));
  // An update for someone we never heard of is taken as an arrival: the list converges on the server's.
  for (const entry of message.added ?? []) byId.set(entry.participantId, entry);
  for (const entry of message.updated ?? []) byId.set(entry.participantId, entry);
  for (const id of message.removed ?? []) byId.delete(id);
  return [...byId.values()];
}

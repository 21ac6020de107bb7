/**
 * What hosts and co-hosts are told about the waiting room, cut into messages the protocol bounds.
 * A host gets the whole list once, in its snapshot (on joining, resuming or being made host), and then
 * only changes, so the bytes a host receives grow with the waiting people's own, never with their square.
 * Entries carry KeyPackages (up to about 11 KB each), so lists go out in pages of
 * MAX_WAITING_ENTRIES_PER_MESSAGE entries and MAX_BATCH removed ids.
 */
import { MAX_BATCH, MAX_WAITING_ENTRIES_PER_MESSAGE, type ServerMessageOf, type WaitingEntry } from '../../protocol/index.ts';

export interface WaitingRoomChange {
  /** People who started waiting. */
  readonly added?: readonly WaitingEntry[];
  /** People still waiting whose entry changed (their KeyPackage arrived). */
  readonly updated?: readonly WaitingEntry[];
  /** People no longer waiting: admitted, denied or gone. */
  readonly removed?: readonly string[];
}

type FeedMessage = ServerMessageOf<'waiting-room' | 'waiting-room-changed'>;

/** The snapshot: a `waiting-room` with the first page (possibly empty), then the rest as additions. */
export function waitingRoomSnapshot(entries: readonly WaitingEntry[]): FeedMessage[] {
  const [first = [], ...rest] = pages(entries, MAX_WAITING_ENTRIES_PER_MESSAGE);
  return [{ type: 'waiting-room', entries: first }, ...rest.map((added): FeedMessage => ({ type: 'waiting-room-changed', added }))];
}

/** A change as messages; none when nothing changed. */
export function waitingRoomChanges(change: WaitingRoomChange): FeedMessage[] {
  return [
    ...pages(change.added ?? [], MAX_WAITING_ENTRIES_PER_MESSAGE).map((added): FeedMessage => ({ type: 'waiting-room-changed', added })),
    ...pages(change.updated ?? [], MAX_WAITING_ENTRIES_PER_MESSAGE).map((updated): FeedMessage => ({ type: 'waiting-room-changed', updated })),
    ...pages(change.removed ?? [], MAX_BATCH).map((removed): FeedMessage => ({ type: 'waiting-room-changed', removed })),
  ];
}

function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

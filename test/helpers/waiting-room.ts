/**
 * The waiting room as a host's raw client has been told it: its snapshot and every change since, replayed
 * with the same reducer the browser client uses.
 */
import type { WaitingEntry } from '../../src/protocol/index.ts';
import { applyWaitingRoomMessage } from '../../src/protocol/waiting-room.ts';
import type { RawClient } from './ws-client.ts';

export function waitingList(client: RawClient): WaitingEntry[] {
  let list: WaitingEntry[] = [];
  for (const m of client.received) if (m.type === 'waiting-room' || m.type === 'waiting-room-changed') list = applyWaitingRoomMessage(list, m);
  return list;
}

/** Resolves once the host's view of the waiting room satisfies `done`. */
export async function waitForWaitingList(client: RawClient, done: (list: WaitingEntry[]) => boolean, timeoutMs = 5000): Promise<WaitingEntry[]> {
  if (done(waitingList(client))) return waitingList(client);
  await client.next(() => done(waitingList(client)), timeoutMs, 'a waiting-room change');
  return waitingList(client);
}

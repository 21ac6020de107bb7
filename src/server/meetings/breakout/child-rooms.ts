/**
 * The breakout rooms of one meeting while they are open: each is a child Meeting (meeting.ts) with its own id,
 * its own SFU room (through the media engine) and its own MLS delivery, made by the parent and known only to it
 * (never in the registry, so no passcode reaches it). This tracks, for each person of the main meeting, the
 * participant that stands for them in a child room, so that a person is in at most one room at a time and is
 * taken out of it when they leave the main meeting, are moved, or the rooms close.
 *
 * A person enters a child as an admitted member at once (no waiting room, no lock: their ticket proves their
 * admission to the main meeting), with the main meeting's name and device id; hosts and co-hosts of the main
 * meeting enter as co-hosts, everyone else as participants. Nobody in a child is `host`, so nobody there can end
 * it or hand it over: its life is the parent's to decide.
 */
import type { LeaveReason } from '../../../protocol/index.ts';
import { newMeetingId } from '../../security/random.ts';
import type { Meeting } from '../meeting.ts';
import type { MessageSink, Participant } from '../participant.ts';

/** Makes the child meeting of room `name` with id `roomId` (the parent's settings, started, never listed). */
export type ChildFactory = (roomId: string, name: string) => Meeting;

interface Presence {
  room: number;
  participant: Participant;
}

export class ChildRooms {
  readonly #factory: ChildFactory;
  #rooms: Meeting[] = [];
  /** Main-meeting participant id → who stands for them in a child room. */
  readonly #present = new Map<string, Presence>();

  constructor(factory: ChildFactory) {
    this.#factory = factory;
  }

  get isOpen(): boolean {
    return this.#rooms.length > 0;
  }

  /** Makes one child meeting per room name, each with a fresh random id (80 bits, like a meeting id), never `taken`. */
  openAll(names: readonly string[], taken: (id: string) => boolean): void {
    const ids = new Set<string>();
    this.#rooms = names.map((name) => {
      let id = newMeetingId();
      while (taken(id) || ids.has(id)) id = newMeetingId();
      ids.add(id);
      return this.#factory(id, name);
    });
  }

  idOf(room: number): string | undefined {
    return this.#rooms[room]?.id;
  }

  /** The child meeting with this id, for tests and the SFU check of test/browser/breakout.test.ts. */
  find(roomId: string): Meeting | undefined {
    return this.#rooms.find((m) => m.id === roomId);
  }

  /** The room `mainId` is in now, or null. */
  roomOf(mainId: string): number | null {
    const presence = this.#present.get(mainId);
    if (presence === undefined || presence.participant.state === 'gone') return null;
    return presence.room;
  }

  /** Puts `main` into `room` (taking them out of any other first) on connection `sink`. */
  enter(room: number, main: Participant, sink: MessageSink): { meeting: Meeting; participant: Participant } {
    const meeting = this.#rooms[room];
    if (meeting === undefined) throw new RangeError('no such breakout room');
    this.takeOut(main.id, 'left');
    const participant = meeting.enter(
      { name: main.name, deviceId: main.deviceId, address: main.address, asHost: false, admittedAs: main.isHostOrCohost ? 'cohost' : 'participant' },
      sink,
    );
    this.#present.set(main.id, { room, participant });
    return { meeting, participant };
  }

  /** Takes `mainId` out of the room they are in, if any (moved, left the main meeting). */
  takeOut(mainId: string, reason: LeaveReason): void {
    const presence = this.#present.get(mainId);
    this.#present.delete(mainId);
    if (presence === undefined || presence.participant.state === 'gone') return;
    this.#rooms[presence.room]?.leave(presence.participant, reason);
  }

  /** Ends every child meeting: everyone in them is told `left {ended}` on the room's connection. */
  closeAll(): void {
    const rooms = this.#rooms;
    this.#rooms = [];
    this.#present.clear();
    for (const meeting of rooms) meeting.end('ended');
  }
}

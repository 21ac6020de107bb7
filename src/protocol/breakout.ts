/**
 * Breakout rooms: the messages, as run-time schemas, spread into the unions of messages.ts. docs/protocol.md
 * section 4.8 explains them. A breakout room is a child meeting of its own (its own MLS group, its own SFU room)
 * that the server holds for the main meeting; it is never listed or joinable with a passcode, only with a
 * single-use ticket the server gives an admitted participant over the main meeting's connection.
 *
 * Rooms are named by their index in the plan (0 … MAX_BREAKOUT_ROOMS-1); a room's id (`roomId`, 16 base32
 * characters like a meeting id) reaches only the people given a ticket to it, with that ticket.
 */
import * as z from 'zod/mini';
import { meetingId, participantId, requestId, secretToken } from './primitives.ts';
import { typedText } from './text.ts';

/** Rooms one plan holds. 50 rooms of 2 is a class of 100; more than that is a second meeting. */
export const MAX_BREAKOUT_ROOMS = 50;
/** A timer on open rooms: 1 minute to 12 hours; null: none. */
export const MAX_BREAKOUT_MINUTES = 12 * 60;
/** The countdown before rooms close: 0 (at once) to 5 minutes; the web app uses 30 s. */
export const MAX_BREAKOUT_COUNTDOWN_SECONDS = 300;

export const breakoutRoomName = typedText({ min: 1, max: 64, trim: true });
export const breakoutRoomIndex = z.int().check(z.minimum(0), z.maximum(MAX_BREAKOUT_ROOMS - 1));
export const breakoutPhase = z.enum(['none', 'draft', 'open', 'closing']);
export type BreakoutPhase = z.infer<typeof breakoutPhase>;

/** One person's room in the plan; `room: null` takes them out of every room (back to the main room only). */
export const breakoutAssignment = z.strictObject({ participantId, room: z.nullable(breakoutRoomIndex) });
export type BreakoutAssignment = z.infer<typeof breakoutAssignment>;

const id = z.optional(requestId);
const msg = <T extends string, S extends Record<string, z.core.SomeType>>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), id, ...shape });

/** Client → server. All but `breakout-enter` are sent on the main meeting's connection. */
export const breakoutClientMessages = [
  /** Host or co-host: a new plan of rooms (replaces a draft; refused while rooms are open). */
  msg('breakout-create', {
    rooms: z.array(breakoutRoomName).check(z.minLength(1), z.maxLength(MAX_BREAKOUT_ROOMS)),
    /** Participants may pick their room themselves once rooms are open. */
    allowChoice: z.boolean(),
    /** Participants may go back to the main room before the rooms close. */
    allowReturn: z.boolean(),
  }),
  /** Host or co-host: put people in rooms by hand (at most 100 a message). */
  msg('breakout-assign', { assignments: z.array(breakoutAssignment).check(z.minLength(1), z.maxLength(100)) }),
  /** Host or co-host: everyone joined who is not a host, co-host or assigned yet, spread evenly at random. */
  msg('breakout-assign-random', {}),
  /** Host or co-host: open the rooms; each assigned person gets a ticket. */
  msg('breakout-open', { minutes: z.nullable(z.int().check(z.minimum(1), z.maximum(MAX_BREAKOUT_MINUTES))) }),
  /** Host or co-host: close every room after a countdown that everyone is shown. */
  msg('breakout-close', { countdownSeconds: z.int().check(z.minimum(0), z.maximum(MAX_BREAKOUT_COUNTDOWN_SECONDS)) }),
  /**
   * Ask for a ticket to a room: a host or co-host to visit any room; a participant to its own room, or to any
   * room when choosing is allowed (which makes it their room).
   */
  msg('breakout-join', { room: breakoutRoomIndex }),
  /**
   * On a fresh connection: enter breakout room `roomId` of meeting `meetingId` with a ticket, from the device
   * the ticket's holder entered the main meeting from. Answered like `join`, with `joined` (never a waiting
   * room): the ticket proves admission to the main meeting.
   */
  msg('breakout-enter', { meetingId, roomId: meetingId, ticket: secretToken, deviceId: secretToken }),
] as const;

/** Server → client, on the main meeting's connection. */
export const breakoutServerMessages = [
  /**
   * To everyone joined, when the plan changes phase or rooms, and to one person when their room changes:
   * the rooms' names, the rules, the timers, and the recipient's own room. Never anyone else's room.
   */
  msg('breakout-state', {
    phase: breakoutPhase,
    rooms: z.array(breakoutRoomName).check(z.maxLength(MAX_BREAKOUT_ROOMS)),
    allowChoice: z.boolean(),
    allowReturn: z.boolean(),
    /** When the timer set at opening runs out (server time); null: no timer. */
    endsAt: z.nullable(z.int()),
    /** When the rooms close (server time), once closing began; null otherwise. */
    closesAt: z.nullable(z.int()),
    yourRoom: z.nullable(breakoutRoomIndex),
  }),
  /**
   * To hosts and co-hosts: who is in which room. `replace`: the whole plan (after `breakout-state` on joining,
   * resuming or a new plan); otherwise the changes only.
   */
  msg('breakout-assignments', { assignments: z.array(breakoutAssignment).check(z.maxLength(1020)), replace: z.boolean() }),
  /** To one person: a single-use ticket to enter room `room` (id `roomId`) on a new connection, within a minute. */
  msg('breakout-ticket', { room: breakoutRoomIndex, roomId: meetingId, ticket: secretToken }),
] as const;

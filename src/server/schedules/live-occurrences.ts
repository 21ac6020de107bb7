/**
 * Which occurrence of which schedule is live now: memory state, like every meeting. A schedule's occurrence is
 * live while the meeting its host started for it is open; once that meeting has ended, the occurrence is over
 * (`endedThrough`), and its invitations lead nowhere until the next occurrence is started (weekly), or ever
 * again (one-off).
 *
 * The meeting's end is read from the meeting itself (`state`), when asked, so nothing has to tell this class.
 * A restart of the server forgets it all: a one-off schedule whose meeting was held can then be started again
 * by its owner (its invitations were not revoked), which is the one thing lost with the memory.
 */
export interface OccurrenceMeeting {
  readonly id: string;
  readonly state: 'open' | 'ended';
}

export interface LiveOccurrence<M extends OccurrenceMeeting = OccurrenceMeeting> {
  readonly scheduleId: string;
  /** The occurrence's planned start (ms), which identifies it within its schedule. */
  readonly occurrenceStart: number;
  readonly meeting: M;
}

/** Past this many schedules remembered as ended, the oldest entry is forgotten. */
const MAX_ENDED_REMEMBERED = 100_000;

export class LiveOccurrences<M extends OccurrenceMeeting = OccurrenceMeeting> {
  readonly #bySchedule = new Map<string, LiveOccurrence<M>>();
  readonly #byMeeting = new Map<string, LiveOccurrence<M>>();
  readonly #endedThrough = new Map<string, number>();

  /** The schedule's live occurrence, if its meeting is still open. */
  live(scheduleId: string): LiveOccurrence<M> | undefined {
    const entry = this.#bySchedule.get(scheduleId);
    if (!entry) return undefined;
    if (entry.meeting.state === 'open') return entry;
    this.#over(entry);
    return undefined;
  }

  /** The occurrence a live meeting belongs to, if it was started from a schedule. */
  ofMeeting(meetingId: string): LiveOccurrence<M> | undefined {
    const entry = this.#byMeeting.get(meetingId);
    return entry && this.live(entry.scheduleId) === entry ? entry : undefined;
  }

  /** The planned start of the last occurrence of the schedule that was held and ended; null: none. */
  endedThrough(scheduleId: string): number | null {
    this.live(scheduleId);
    return this.#endedThrough.get(scheduleId) ?? null;
  }

  started(scheduleId: string, occurrenceStart: number, meeting: M): LiveOccurrence<M> {
    if (this.live(scheduleId)) throw new Error('an occurrence of this schedule is live');
    const entry: LiveOccurrence<M> = { scheduleId, occurrenceStart, meeting };
    this.#bySchedule.set(scheduleId, entry);
    this.#byMeeting.set(meeting.id, entry);
    return entry;
  }

  #over(entry: LiveOccurrence<M>): void {
    this.#bySchedule.delete(entry.scheduleId);
    this.#byMeeting.delete(entry.meeting.id);
    this.#endedThrough.delete(entry.scheduleId);
    this.#endedThrough.set(entry.scheduleId, entry.occurrenceStart);
    if (this.#endedThrough.size > MAX_ENDED_REMEMBERED) this.#endedThrough.delete(this.#endedThrough.keys().next().value as string);
  }
}

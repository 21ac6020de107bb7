/**
 * When a schedule meets. A one-off schedule has a single occurrence at `startsAt`; a weekly one has one every
 * 7 days from `startsAt` (the same UTC instant each week: the host's wall-clock time shifts by an hour across a
 * daylight-saving change, as the .ics's UTC DTSTART with RRULE says too).
 *
 * The occurrence a schedule is "at" is the first one whose time slot (start + duration) has not passed and that
 * was not already held and ended: a host may start it early or late within its slot, and a meeting that ended
 * early makes the next week's the one to come.
 */
export const WEEK_MS = 7 * 24 * 3_600_000;

export interface OccurrencePlan {
  startsAt: number;
  durationMinutes: number;
  weekly: boolean;
}

/**
 * The start of the occurrence to come or in progress at `now`, skipping those that start at or before
 * `endedThrough` (the start of the last occurrence that was held and ended). One-off: its only start, or null
 * once it was held.
 */
export function currentOccurrence(plan: OccurrencePlan, now: number, endedThrough: number | null = null): number | null {
  if (!plan.weekly) return endedThrough !== null && endedThrough >= plan.startsAt ? null : plan.startsAt;
  const durationMs = plan.durationMinutes * 60_000;
  // The first k with startsAt + k·week + duration > now.
  let k = Math.max(0, Math.floor((now - durationMs - plan.startsAt) / WEEK_MS) + 1);
  while (plan.startsAt + k * WEEK_MS + durationMs <= now) k += 1;
  if (endedThrough !== null && plan.startsAt + k * WEEK_MS <= endedThrough) k = Math.floor((endedThrough - plan.startsAt) / WEEK_MS) + 1;
  return plan.startsAt + k * WEEK_MS;
}

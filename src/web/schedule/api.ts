/**
 * The schedules API as the pages see it (src/server/schedules/routes.ts): every answer checked against a strict
 * schema before a page uses it, through the accounts pages' one API client (CSRF header, typed failures).
 */
import * as z from 'zod/mini';
import { apiGet, apiPost } from '../accounts/api-client.ts';

const scheduleView = z.strictObject({
  id: z.string().check(z.regex(/^[a-f0-9]{20}$/)),
  title: z.string().check(z.maxLength(120)),
  startsAt: z.number(),
  durationMinutes: z.int(),
  weekly: z.boolean(),
  invitedOnly: z.boolean(),
  state: z.enum(['live', 'not-started', 'ended', 'cancelled']),
  occurrenceStartsAt: z.nullable(z.number()),
  invitations: z.array(z.strictObject({ id: z.string().check(z.regex(/^[a-f0-9]{20}$/)), email: z.string().check(z.maxLength(254)), revoked: z.boolean() })).check(z.maxLength(100)),
});
export type ScheduleView = z.infer<typeof scheduleView>;

const link = z.strictObject({ invitationId: z.string(), email: z.string().check(z.maxLength(254)), link: z.string().check(z.maxLength(2048)) });
export type InvitationLink = z.infer<typeof link>;

const scheduleList = z.strictObject({ schedules: z.array(scheduleView), mail: z.boolean() });
const created = z.strictObject({ schedule: scheduleView, links: z.nullable(z.array(link)), mail: z.boolean() });
const ok = z.strictObject({ ok: z.literal(true) });

export const resolution = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('not-started'), title: z.string(), startsAt: z.number(), durationMinutes: z.int(), weekly: z.boolean() }),
  z.strictObject({ state: z.literal('live'), title: z.string(), meetingId: z.string().check(z.regex(/^[a-z2-7]{16}$/)), startsAt: z.number(), durationMinutes: z.int() }),
  z.strictObject({ state: z.literal('ended'), title: z.string() }),
]);
export type Resolution = z.infer<typeof resolution>;

export interface NewSchedule {
  title: string;
  startsAt: number;
  durationMinutes: number;
  invitees: string[];
  weekly: boolean;
  invitedOnly: boolean;
}

export const listSchedules = () => apiGet('/schedules', scheduleList);
export const createSchedule = (body: NewSchedule) => apiPost('/schedules', body, created);
export const cancelSchedule = (id: string) => apiPost(`/schedules/${id}/cancel`, {}, ok);
export const revokeInvitation = (scheduleId: string, invitationId: string) => apiPost(`/schedules/${scheduleId}/invitations/${invitationId}/revoke`, {}, ok);
export const resolveInvitation = (token: string) => apiPost('/invitations/resolve', { token }, resolution);

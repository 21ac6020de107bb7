/**
 * Scheduled meetings and personal invitations: the rules, between the HTTP routes (routes.ts), the WebSocket
 * handlers (create-meeting with a scheduleId, join with an invitation) and the stores (repository.ts in the
 * database, live-occurrences.ts in memory).
 *
 * - A schedule belongs to the account that made it: every read or change is scoped by the owner's user id, and
 *   another member's schedule answers exactly like one that does not exist.
 * - Each invitee gets a personal link; the database keeps only its token's SHA-256 (tokens.ts).
 * - Starting an occurrence creates an ordinary meeting with a fresh id and passcode, linked to the schedule in
 *   memory. The schedule's invitations lead to it while it is open, and to nothing once it has ended: a one-off
 *   schedule is then over for good, a weekly one waits for its next occurrence to be started.
 * - A personal invitation replaces the passcode for its own schedule's live meeting only; with `invitedOnly`,
 *   nobody else gets in but signed-in accounts whose e-mail is invited (and the hosts).
 */
import type { Logger } from '../../log/logger.ts';
import type { VerifiedIdentity } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import type { EntryCredentials } from '../meetings/registry.ts';
import { ApiError, notFoundApi } from '../http/json-api.ts';
import { FailureThrottle } from '../security/failure-throttle.ts';
import { calendarInvite } from './ics.ts';
import { LiveOccurrences, type OccurrenceMeeting } from './live-occurrences.ts';
import type { InvitationMailer, OutgoingMail } from './mailer.ts';
import { currentOccurrence } from './occurrences.ts';
import type { Invitation, Schedule, ScheduleRepository } from './repository.ts';
import { hashInvitationToken, invitationLink, newInvitationToken } from './tokens.ts';

/** The signed-in account behind a request or a socket (accounts' SignedIn, the fields used here). */
export interface ScheduleOwner {
  userId: string;
  email: string;
  displayName: string;
}

/** The part of a meeting this module touches: its id and state, and the one setting it sets. */
export interface SchedulableMeeting extends OccurrenceMeeting {
  settings: { invitedOnly?: boolean | undefined };
}

export interface NewScheduleInput {
  title: string;
  startsAt: number;
  durationMinutes: number;
  invitees: readonly string[];
  weekly: boolean;
  invitedOnly: boolean;
}

export type ScheduleState = 'live' | 'not-started' | 'ended' | 'cancelled';

export interface ScheduleView {
  id: string;
  title: string;
  startsAt: number;
  durationMinutes: number;
  weekly: boolean;
  invitedOnly: boolean;
  state: ScheduleState;
  /** The occurrence to come or live now; null when the schedule is over. */
  occurrenceStartsAt: number | null;
  invitations: { id: string; email: string; revoked: boolean }[];
}

export type Resolution =
  | { state: 'not-started'; title: string; startsAt: number; durationMinutes: number; weekly: boolean }
  | { state: 'live'; title: string; meetingId: string; startsAt: number; durationMinutes: number }
  | { state: 'ended'; title: string };


export interface ScheduleServiceOptions {
  repository: ScheduleRepository;
  /** null: no SMTP configured; the links are given to the host to send by hand. */
  mailer: InvitationMailer | null;
  /** The base of links in e-mails (`publicUrl`, or the address the server listens on). */
  publicUrl: () => string;
  /** The sender's address for the .ics ORGANIZER (the `smtp.from` address, or a placeholder). */
  organizerAddress: string;
  log: Logger;
  now?: () => number;
}

/** Most schedules one account may create in an hour: each sends up to 100 e-mails through the organisation's server. */
const MAX_SCHEDULES_PER_HOUR = 30;

export class ScheduleService {
  readonly live = new LiveOccurrences<SchedulableMeeting>();
  readonly #repo: ScheduleRepository;
  readonly #mailer: InvitationMailer | null;
  readonly #options: ScheduleServiceOptions;
  readonly #now: () => number;
  /** Creations per owner in the current hour (memory; a restart forgets it). */
  readonly #creations = new Map<string, { windowStart: number; count: number }>();
  /** Per address, failed `resolve` look-ups (unknown or revoked tokens): a flood of them gets slowed down. */
  readonly resolveThrottle = new FailureThrottle({ freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 60_000, forgetAfterMs: 600_000, maxKeys: 100_000 });

  constructor(options: ScheduleServiceOptions) {
    this.#repo = options.repository;
    this.#mailer = options.mailer;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get mailConfigured(): boolean {
    return this.#mailer !== null;
  }

  // -------------------------------------------------------------------------
  // The owner's schedules (HTTP)
  // -------------------------------------------------------------------------

  /**
   * Stores a schedule, makes each invitee's link, and queues the e-mails. Without SMTP the links are returned
   * (only now: the database keeps their hashes) for the host to send by hand.
   */
  async create(owner: ScheduleOwner, input: NewScheduleInput): Promise<{ schedule: ScheduleView; links: { invitationId: string; email: string; link: string }[] | null }> {
    this.#countCreation(owner.userId);
    const invitees = [...new Set(input.invitees.map((e) => e.toLowerCase()))];
    const tokens = invitees.map((email) => ({ email, token: newInvitationToken() }));
    const { schedule, invitations } = await this.#repo.create({
      ownerUserId: owner.userId,
      title: input.title,
      startsAt: input.startsAt,
      durationMinutes: input.durationMinutes,
      weekly: input.weekly,
      invitedOnly: input.invitedOnly,
      invitations: tokens.map((t) => ({ email: t.email, tokenHash: hashInvitationToken(t.token) })),
    });
    const base = this.#options.publicUrl();
    const links = invitations.map((inv, i) => ({ invitationId: inv.id, email: inv.email, link: invitationLink(base, tokens[i]!.token) }));
    if (this.#mailer) this.#mailer.enqueue(links.map((l) => this.#mail(owner, schedule, l.email, l.link)));
    return { schedule: this.#view(schedule, invitations), links: this.#mailer ? null : links };
  }

  async list(owner: ScheduleOwner): Promise<ScheduleView[]> {
    const rows = await this.#repo.listForOwner(owner.userId);
    return rows.map(({ schedule, invitations }) => this.#view(schedule, invitations));
  }

  async cancel(owner: ScheduleOwner, scheduleId: string): Promise<void> {
    if (!(await this.#repo.cancel(scheduleId, owner.userId))) throw notFoundApi();
  }

  async revoke(owner: ScheduleOwner, scheduleId: string, invitationId: string): Promise<void> {
    if (!(await this.#repo.revoke(scheduleId, invitationId, owner.userId))) throw notFoundApi();
  }

  // -------------------------------------------------------------------------
  // Invitees (HTTP, no account)
  // -------------------------------------------------------------------------

  /**
   * What a personal link leads to now. An unknown token and a revoked one get the same `404 not-found`, so a
   * revoked link tells its holder nothing more than a forged one.
   */
  async resolve(token: string, address: string): Promise<Resolution> {
    const wait = this.resolveThrottle.waitFor(address);
    if (wait > 0) throw new ApiError(429, 'slow-down', { retryAfterSeconds: Math.ceil(wait / 1000) });
    const invitation = await this.#repo.invitationByTokenHash(hashInvitationToken(token));
    const schedule = invitation && !invitation.revoked ? await this.#repo.get(invitation.scheduleId) : undefined;
    if (!schedule) {
      this.resolveThrottle.recordFailure(address);
      throw notFoundApi();
    }
    const state = this.#stateOf(schedule);
    const live = this.live.live(schedule.id);
    if (state.state === 'live' && live) return { state: 'live', title: schedule.title, meetingId: live.meeting.id, startsAt: live.occurrenceStart, durationMinutes: schedule.durationMinutes };
    if (state.state === 'not-started' && state.occurrence !== null) {
      return { state: 'not-started', title: schedule.title, startsAt: state.occurrence, durationMinutes: schedule.durationMinutes, weekly: schedule.weekly };
    }
    return { state: 'ended', title: schedule.title };
  }

  // -------------------------------------------------------------------------
  // Meetings (WebSocket)
  // -------------------------------------------------------------------------

  /**
   * `create-meeting {scheduleId}`: starts the schedule's current occurrence as a new meeting made by `create`
   * (fresh id and passcode), if `account` owns the schedule. Another member's schedule and a schedule that does
   * not exist get the same `not-found`.
   */
  async startOccurrence<M extends SchedulableMeeting>(account: ScheduleOwner | undefined, scheduleId: string, create: (title: string) => M): Promise<M> {
    if (!account) throw new ProtocolError('forbidden', 'sign in to start a scheduled meeting');
    const schedule = await this.#repo.getOwned(scheduleId, account.userId);
    if (!schedule) throw new ProtocolError('not-found', 'no such schedule');
    // No await from here on: two starts of one schedule cannot both pass the check below.
    const state = this.#stateOf(schedule);
    if (state.state === 'live') throw new ProtocolError('invalid-state', 'this schedule already has a live meeting');
    if (state.state !== 'not-started' || state.occurrence === null) throw new ProtocolError('invalid-state', 'this schedule is over');
    const meeting = create(schedule.title);
    meeting.settings = { ...meeting.settings, invitedOnly: schedule.invitedOnly };
    this.live.started(schedule.id, state.occurrence, meeting);
    return meeting;
  }

  /**
   * What a `join` to `meetingId` brings besides its passcode: a personal invitation (valid only for the live
   * meeting of its own schedule, and not revoked), and the socket's account (whose e-mail may be invited).
   */
  async entryCredentials(meetingId: string, token: string | undefined, account: ScheduleOwner | undefined): Promise<EntryCredentials> {
    const occurrence = this.live.ofMeeting(meetingId);
    let invitation: EntryCredentials['invitation'] = 'none';
    let invited = false;
    let identity: VerifiedIdentity | undefined;
    if (token !== undefined) {
      const found = await this.#repo.invitationByTokenHash(hashInvitationToken(token));
      const schedule = found && !found.revoked && occurrence?.scheduleId === found.scheduleId ? await this.#repo.get(found.scheduleId) : undefined;
      if (found && schedule && !schedule.cancelled) {
        invitation = 'valid';
        invited = true;
        identity = { kind: 'invitation', email: found.email };
      } else {
        invitation = 'invalid';
      }
    }
    if (account) {
      // The session is the stronger proof: a signed-in person is shown as their account, whichever link they used.
      identity = { kind: 'account', email: account.email.toLowerCase() };
      if (!invited && occurrence) invited = await this.#repo.isInvited(occurrence.scheduleId, account.email);
    }
    return { invitation, invited, ...(identity ? { identity } : {}) };
  }

  // -------------------------------------------------------------------------

  #stateOf(schedule: Schedule): { state: ScheduleState; occurrence: number | null } {
    // A cancelled schedule's links are dead at once, even while a meeting it started goes on.
    if (schedule.cancelled) return { state: 'cancelled', occurrence: null };
    const live = this.live.live(schedule.id);
    if (live) return { state: 'live', occurrence: live.occurrenceStart };
    const occurrence = currentOccurrence(schedule, this.#now(), this.live.endedThrough(schedule.id));
    return { state: occurrence === null ? 'ended' : 'not-started', occurrence };
  }

  #view(schedule: Schedule, invitations: readonly Invitation[]): ScheduleView {
    const { state, occurrence } = this.#stateOf(schedule);
    return {
      id: schedule.id,
      title: schedule.title,
      startsAt: schedule.startsAt,
      durationMinutes: schedule.durationMinutes,
      weekly: schedule.weekly,
      invitedOnly: schedule.invitedOnly,
      state,
      occurrenceStartsAt: occurrence,
      invitations: invitations.map((i) => ({ id: i.id, email: i.email, revoked: i.revoked })),
    };
  }

  #countCreation(userId: string): void {
    const now = this.#now();
    const entry = this.#creations.get(userId);
    if (!entry || now - entry.windowStart >= 3_600_000) {
      this.#creations.set(userId, { windowStart: now, count: 1 });
      if (this.#creations.size > 100_000) this.#creations.delete(this.#creations.keys().next().value as string);
      return;
    }
    if (entry.count >= MAX_SCHEDULES_PER_HOUR) throw new ApiError(429, 'slow-down', { retryAfterSeconds: Math.ceil((entry.windowStart + 3_600_000 - now) / 1000) });
    entry.count += 1;
  }

  #mail(owner: ScheduleOwner, schedule: Schedule, email: string, link: string): OutgoingMail {
    const when = `${new Date(schedule.startsAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const repeat = schedule.weekly ? ', every week' : '';
    const host = new URL(this.#options.publicUrl()).host;
    const description = `Your personal link: ${link}\nIt is for you only: it admits you by your e-mail address. Do not forward it.`;
    return {
      to: email,
      subject: `Invitation: ${schedule.title}`,
      text: [
        `${owner.displayName} invites you to a meeting on Sabha: ${schedule.title}`,
        '',
        `When: ${when}${repeat} (${schedule.durationMinutes} minutes)`,
        '',
        description,
        '',
        'The link works while the meeting is on; before it starts, the page says so and waits for the host.',
      ].join('\n'),
      calendar: calendarInvite({
        uid: `${schedule.id}@${host}`,
        stamp: this.#now(),
        startsAt: schedule.startsAt,
        durationMinutes: schedule.durationMinutes,
        weekly: schedule.weekly,
        summary: schedule.title,
        description,
        url: link,
        organizer: this.#options.organizerAddress,
        attendee: email,
      }),
    };
  }
}

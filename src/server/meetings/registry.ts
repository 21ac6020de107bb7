/**
 * All live meetings of this server, the ids of ended ones (dead forever), and the
 * door: creating meetings under per-address caps, and joining with a passcode
 * under throttles that make guessing useless.
 *
 * A wrong passcode and a meeting id that does not exist get the same answer,
 * after the same work, so probing cannot tell real ids from guesses.
 */
import type { MediaEngine } from '../../media/engine.ts';
import type { Logger } from '../../log/logger.ts';
import type { LeaveReason, VerifiedIdentity } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import { FailureThrottle } from '../security/failure-throttle.ts';
import { newMeetingId, newPasscode, secretsEqual } from '../security/random.ts';
import { Meeting, type MeetingLimits } from './meeting.ts';
import type { MessageSink, Participant } from './participant.ts';

export interface RegistryLimits extends MeetingLimits {
  maxMeetings: number;
  maxMeetingsPerAddress: number;
}

/**
 * What a `join` brings besides a passcode, from src/server/schedules/: a personal invitation and the socket's
 * signed-in account.
 */
export interface EntryCredentials {
  /** `none`: no invitation given; `valid`: it admits to this meeting (no passcode needed); `invalid`: a failure. */
  invitation: 'none' | 'valid' | 'invalid';
  /** A valid invitation, or a signed-in account whose e-mail is invited: passes the `invitedOnly` setting. */
  invited: boolean;
  /** Shown to the hosts in the waiting room. */
  identity?: VerifiedIdentity | undefined;
}

export interface JoinRequest {
  meetingId: string;
  /** Absent when a personal invitation (`credentials`) or the host secret stands in for it. */
  passcode?: string | undefined;
  credentials?: EntryCredentials | undefined;
  name: string;
  deviceId: string;
  hostSecret?: string | undefined;
  address: string;
}

export class MeetingRegistry {
  private readonly meetings = new Map<string, Meeting>();
  private readonly endedIds = new Set<string>();
  private readonly byResumeToken = new Map<string, { meeting: Meeting; participant: Participant }>();
  private createdTotal = 0;
  private endedTotal = 0;
  /** Per client address: a few free failures, then delays doubling up to 5 minutes. */
  readonly addressThrottle = new FailureThrottle({ freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 300_000, forgetAfterMs: 3_600_000, maxKeys: 100_000 });
  /**
   * Per meeting id, against guessing spread over many addresses. It is milder, and a
   * host secret bypasses it, so that it cannot be used to keep the host out.
   */
  readonly meetingThrottle = new FailureThrottle({ freeFailures: 20, baseDelayMs: 250, maxDelayMs: 10_000, forgetAfterMs: 600_000, maxKeys: 100_000 });

  constructor(
    private readonly engine: MediaEngine,
    private readonly limits: RegistryLimits,
    private readonly log: Logger,
  ) {}

  /** The live meeting with this id (for tests and operators' tools). */
  find(meetingId: string): Meeting | undefined {
    return this.meetings.get(meetingId);
  }

  get count(): number {
    return this.meetings.size;
  }

  /** Counts for the operator's metrics (src/server/ops/): numbers only, never ids, names or titles. */
  census(): { meetings: number; joined: number; waiting: number; createdTotal: number; endedTotal: number } {
    let joined = 0;
    let waiting = 0;
    for (const meeting of this.meetings.values()) {
      const inMeeting = meeting.joined.length;
      joined += inMeeting;
      waiting += meeting.size - inMeeting;
    }
    return { meetings: this.meetings.size, joined, waiting, createdTotal: this.createdTotal, endedTotal: this.endedTotal };
  }

  create(title: string, address: string): Meeting {
    if (this.meetings.size >= this.limits.maxMeetings) throw new ProtocolError('limit-reached', 'this server has too many meetings');
    const fromAddress = [...this.meetings.values()].filter((m) => m.creatorAddress === address).length;
    if (fromAddress >= this.limits.maxMeetingsPerAddress) throw new ProtocolError('limit-reached', 'too many meetings from this address');
    let id = newMeetingId();
    while (this.meetings.has(id) || this.endedIds.has(id)) id = newMeetingId();
    const meeting = new Meeting(id, title, address, this.engine, this.limits, (m) => this.forget(m), this.log.child('meeting'));
    this.meetings.set(id, meeting);
    this.createdTotal += 1;
    this.log.info('meeting created', { meeting: id });
    return meeting;
  }

  join(request: JoinRequest, sink: MessageSink): { meeting: Meeting; participant: Participant } {
    const meeting = this.meetings.get(request.meetingId);
    const asHost = meeting !== undefined && request.hostSecret !== undefined && meeting.hostSecretMatches(request.hostSecret);

    if (!asHost) {
      const wait = Math.max(this.addressThrottle.waitFor(request.address), this.meetingThrottle.waitFor(request.meetingId));
      if (wait > 0) throw new ProtocolError('throttled', 'too many failed attempts; wait before trying again', wait);
      // Compare against a throw-away passcode when there is no meeting, so both paths do the same work.
      const passcodeOk = secretsEqual(request.passcode ?? '', meeting?.passcode ?? newPasscode()) && meeting !== undefined;
      // A valid personal invitation stands in for the passcode; an invalid one is a failure like a wrong passcode.
      const invitation = request.credentials?.invitation ?? 'none';
      const entitled = invitation === 'valid' ? meeting !== undefined : invitation === 'none' && passcodeOk;
      // "Invited people only": the passcode alone is not enough, and the refusal looks like a wrong passcode.
      const invitedOk = meeting?.settings.invitedOnly !== true || request.credentials?.invited === true;
      if (!entitled || !invitedOk || request.hostSecret !== undefined) {
        this.addressThrottle.recordFailure(request.address);
        this.meetingThrottle.recordFailure(request.meetingId);
        throw new ProtocolError('join-refused', 'no meeting with this id and passcode');
      }
      // A success does not clear the address's failures: owning one meeting must not reset guessing at another.
    }

    const identity = request.credentials?.identity;
    const participant = meeting!.enter({ name: request.name, deviceId: request.deviceId, address: request.address, asHost, ...(identity ? { identity } : {}) }, sink);
    this.trackResumeToken(meeting!, participant);
    return { meeting: meeting!, participant };
  }

  /** Finds the participant a resume token belongs to; the token is single use. */
  resume(token: string, sink: MessageSink): { meeting: Meeting; participant: Participant } {
    const entry = this.byResumeToken.get(token);
    this.byResumeToken.delete(token);
    if (!entry || entry.meeting.state !== 'open' || entry.participant.state === 'gone') {
      throw new ProtocolError('join-refused', 'this session cannot be resumed');
    }
    entry.meeting.resume(entry.participant, sink);
    this.trackResumeToken(entry.meeting, entry.participant);
    return entry;
  }

  /**
   * Enters a breakout room of a live meeting with a single-use ticket (breakout/breakout-rooms.ts). Anything
   * wrong (no such meeting or room, a ticket unknown, used, expired, another person's or the rooms closed) gets
   * the one answer `join-refused`. It does not feed the join throttles: a ticket is 256 random bits, so there
   * is nothing to guess, and a stale ticket of an honest browser (rooms closed meanwhile) must not slow its
   * next passcode join; the per-connection rate limit of `breakout-enter` applies.
   */
  enterBreakout(request: { meetingId: string; roomId: string; ticket: string; deviceId: string; address: string }, sink: MessageSink): { meeting: Meeting; participant: Participant } {
    const entry = this.meetings.get(request.meetingId)?.breakout.redeem(request.roomId, request.ticket, request.deviceId, sink);
    if (entry === undefined) throw new ProtocolError('join-refused', 'no breakout room for this ticket');
    this.trackResumeToken(entry.meeting, entry.participant);
    return entry;
  }

  /** Call after anything that may have rotated a participant's resume token. */
  trackResumeToken(meeting: Meeting, participant: Participant): void {
    this.byResumeToken.set(participant.resumeToken, { meeting, participant });
  }

  forgetParticipant(participant: Participant): void {
    this.byResumeToken.delete(participant.resumeToken);
  }

  endAll(reason: LeaveReason): void {
    for (const meeting of [...this.meetings.values()]) meeting.end(reason);
  }

  private forget(meeting: Meeting): void {
    this.meetings.delete(meeting.id);
    this.endedTotal += 1;
    this.endedIds.add(meeting.id);
    // Bounded: past this, an 80-bit id colliding with a forgotten one is still far less likely than a guess.
    if (this.endedIds.size > 1_000_000) this.endedIds.delete(this.endedIds.values().next().value as string);
    // Its breakout rooms ended with it: their participants' tokens go too.
    for (const [token, entry] of this.byResumeToken) if (entry.meeting === meeting || entry.meeting.parent === meeting) this.byResumeToken.delete(token);
  }
}

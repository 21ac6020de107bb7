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
import type { LeaveReason } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import { FailureThrottle } from '../security/failure-throttle.ts';
import { newMeetingId, newPasscode, secretsEqual } from '../security/random.ts';
import { Meeting, type MeetingLimits } from './meeting.ts';
import type { MessageSink, Participant } from './participant.ts';

export interface RegistryLimits extends MeetingLimits {
  maxMeetings: number;
  maxMeetingsPerAddress: number;
}

export interface JoinRequest {
  meetingId: string;
  passcode: string;
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
      const passcodeOk = secretsEqual(request.passcode, meeting?.passcode ?? newPasscode()) && meeting !== undefined;
      if (!passcodeOk || request.hostSecret !== undefined) {
        this.addressThrottle.recordFailure(request.address);
        this.meetingThrottle.recordFailure(request.meetingId);
        throw new ProtocolError('join-refused', 'no meeting with this id and passcode');
      }
      // A success does not clear the address's failures: owning one meeting must not reset guessing at another.
    }

    const participant = meeting!.enter({ name: request.name, deviceId: request.deviceId, address: request.address, asHost }, sink);
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
    for (const [token, entry] of this.byResumeToken) if (entry.meeting === meeting) this.byResumeToken.delete(token);
  }
}

/**
 * A server Meeting built directly, without sockets, for unit tests of its rules: limits, device ids, and an
 * inbox that stands in for a participant's connection.
 */
import assert from 'node:assert/strict';
import type { Logger } from '../../src/log/logger.ts';
import type { MediaEngine } from '../../src/media/engine.ts';
import { Meeting, type MeetingLimits } from '../../src/server/meetings/meeting.ts';
import type { MessageSink } from '../../src/server/meetings/participant.ts';
import { MAX_FRAME_BYTES, encodeMessage, serverMessage, type LeaveReason, type ServerMessage, type WaitingEntry } from '../../src/protocol/index.ts';
import { applyWaitingRoomMessage } from '../../src/protocol/waiting-room.ts';
import { FakeEngine } from './fake-engine.ts';
import { testLogger } from './test-server.ts';

export const MEETING_ID = 'abcdefghijklmnop';

/** The server's limits with short, fixed values; `overrides` changes some. */
export function meetingLimits(overrides: Partial<MeetingLimits> = {}): MeetingLimits {
  return { maxParticipants: 100, emptyMeetingMs: 60_000, unstartedMeetingMs: 3_600_000, maxDurationMs: null, resumeGraceMs: 30_000, ...overrides };
}

let nextDevice = 1_000_000;
/** A well-formed device id: the same for the same `n`, a new one each call without it. */
export function deviceId(n: number = nextDevice++): string {
  return `device-${n}`.padEnd(43, 'x');
}

export interface NewMeetingOptions {
  title?: string;
  limits?: Partial<MeetingLimits>;
  engine?: MediaEngine;
  onEnded?: (meeting: Meeting) => void;
  log?: Logger;
}

export function newMeeting(options: NewMeetingOptions = {}): Meeting {
  return new Meeting(
    MEETING_ID,
    options.title ?? 'Unit test meeting',
    '127.0.0.1',
    options.engine ?? new FakeEngine(),
    meetingLimits(options.limits),
    options.onEnded ?? (() => undefined),
    options.log ?? testLogger,
  );
}

/**
 * A participant's connection: every message it is sent, each checked against the protocol schema and the
 * frame cap (so a test fails if the server would send something a client refuses), with its size counted.
 */
export class Inbox implements MessageSink {
  readonly messages: ServerMessage[] = [];
  bytes = 0;
  closedWith: LeaveReason | undefined;

  send(m: ServerMessage): void {
    const text = encodeMessage(m);
    assert.ok(text.length < MAX_FRAME_BYTES, `a ${m.type} of ${text.length} bytes is over the frame cap`);
    this.messages.push(serverMessage.parse(JSON.parse(text)));
    this.bytes += Buffer.byteLength(text);
  }

  close(reason: LeaveReason): void {
    this.closedWith = reason;
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  /** The waiting room as this host's client rebuilds it. */
  waiting(): WaitingEntry[] {
    let list: WaitingEntry[] = [];
    for (const m of this.messages) if (m.type === 'waiting-room' || m.type === 'waiting-room-changed') list = applyWaitingRoomMessage(list, m);
    return list;
  }
}

/**
 * What each client message does. Entry messages (create, join, resume) work on a
 * fresh connection; every other message needs a participant, and the meeting
 * decides whether that participant may do it.
 */
import type { ClientMessage, ClientMessageOf, ServerMessage } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import type { Meeting } from '../meetings/meeting.ts';
import type { Participant } from '../meetings/participant.ts';
import type { EntryCredentials, MeetingRegistry } from '../meetings/registry.ts';
import type { ScheduleService } from '../schedules/service.ts';
import type { Connection } from './connection.ts';

type InMeeting = { meeting: Meeting; participant: Participant; connection: Connection };
type Handler<T extends ClientMessage['type']> = (ctx: InMeeting, message: ClientMessageOf<T>) => Promise<ServerMessage | void> | ServerMessage | void;
type MeetingHandlers = { [T in Exclude<ClientMessage['type'], 'create-meeting' | 'join' | 'resume' | 'breakout-enter'>]: Handler<T> };

const meetingHandlers: MeetingHandlers = {
  leave: ({ meeting, participant }) => meeting.leave(participant, 'left'),
  'end-meeting': ({ meeting, participant }) => meeting.end('ended', participant),
  admit: ({ meeting, participant }, m) => meeting.admit(participant, m.participantIds, m.mls),
  deny: ({ meeting, participant }, m) => meeting.deny(participant, m.participantIds),
  remove: ({ meeting, participant }, m) => meeting.remove(participant, m.participantId),
  'update-settings': ({ meeting, participant }, m) => meeting.updateSettings(participant, m.settings),
  'regenerate-passcode': ({ meeting, participant }) => {
    meeting.regeneratePasscode(participant);
  },
  'set-role': ({ meeting, participant }, m) => meeting.setRole(participant, m.participantId, m.role),
  'transfer-host': ({ meeting, participant }, m) => meeting.transferHost(participant, m.participantId),
  mute: ({ meeting, participant }, m) => meeting.mute(participant, m.participantId),
  'mute-all': ({ meeting, participant }) => meeting.muteAll(participant),
  rename: ({ meeting, participant }, m) => meeting.rename(participant, m.name),
  'set-media-state': ({ meeting, participant }, m) => meeting.setMediaState(participant, m.audio, m.video),
  publish: async ({ meeting, participant }, m) => ({ type: 'publish-answer', source: m.source, sdp: await meeting.publish(participant, m.source, m.sdp) }),
  unpublish: ({ meeting, participant }, m) => meeting.unpublishOwn(participant, m.source),
  trickle: ({ meeting, participant }, m) => meeting.trickle(participant, m.pc, m.candidate),
  subscribe: ({ meeting, participant }, m) => meeting.subscribe(participant, { video: m.video, audio: m.audio }),
  'subscriber-answer': ({ meeting, participant }, m) => meeting.answerSubscriber(participant, m.sdp),
  'restart-subscriber': ({ meeting, participant }) => meeting.restartSubscriber(participant),
  chat: ({ meeting, participant }, m) => meeting.chat(participant, m.to, m.body),
  signal: ({ meeting, participant }, m) => meeting.signal(participant, m.data),
  poll: ({ meeting, participant }, m) => meeting.poll(participant, m.to, m.data),
  'recording-ask': ({ meeting, participant }, m) => meeting.askToRecord(participant, m.request, m.proof),
  'recording-answer': ({ meeting, participant }, m) => meeting.answerRecording(participant, m.request, m.consent, m.proof),
  'recording-start': ({ meeting, participant }, m) => meeting.startRecording(participant, m.request),
  'recording-stop': ({ meeting, participant }) => meeting.stopRecording(participant),
  'breakout-create': ({ meeting, participant }, m) => meeting.breakout.create(participant, m.rooms, { allowChoice: m.allowChoice, allowReturn: m.allowReturn }),
  'breakout-assign': ({ meeting, participant }, m) => meeting.breakout.assign(participant, m.assignments),
  'breakout-assign-random': ({ meeting, participant }) => meeting.breakout.assignRandom(participant),
  'breakout-open': ({ meeting, participant }, m) => meeting.breakout.open(participant, m.minutes),
  'breakout-close': ({ meeting, participant }, m) => meeting.breakout.close(participant, m.countdownSeconds),
  'breakout-join': ({ meeting, participant }, m) => meeting.breakout.join(participant, m.room),
  'mls-key-package': ({ meeting, participant }, m) => meeting.setKeyPackage(participant, m.keyPackage),
  'mls-group-created': ({ meeting, participant }) => meeting.groupCreated(participant),
  'mls-commit': ({ meeting, participant }, m) => meeting.commit(participant, m.mls, m.adds, m.removes),
  'mls-epoch-ack': ({ meeting, participant }, m) => meeting.epochAck(participant, m.epoch),
  'mls-resync': ({ meeting, participant }, m) => meeting.resync(participant, m.keyPackage),
};

/** Services besides the registry that entry messages use (app.ts passes them). */
export interface EntryServices {
  /** Scheduled meetings: `create-meeting {scheduleId}` and `join {invitation}` (src/server/schedules/). */
  schedules?: Pick<ScheduleService, 'startOccurrence' | 'entryCredentials'> | undefined;
  /** Who may create meetings, and what a creation tells the accounts (src/server/accounts/hosting.ts); none: anyone. */
  hosting?: HostingGate | undefined;
}

export interface HostingGate {
  /** Throws ProtocolError `sign-in-required` when this socket may not create a meeting. */
  mayCreate(connection: Connection): Promise<void>;
  /** Records the owner and audits `meeting-created`. */
  created(connection: Connection, meeting: Meeting, scheduled: boolean): Promise<void>;
}

/** What a join brings besides its passcode: an invitation, the socket's account (none without schedules). */
async function entryCredentials(services: EntryServices, connection: Connection, message: ClientMessageOf<'join'>): Promise<EntryCredentials | undefined> {
  if (!services.schedules) return message.invitation === undefined ? undefined : { invitation: 'invalid', invited: false };
  if (message.invitation === undefined && !connection.account) return undefined;
  return services.schedules.entryCredentials(message.meetingId, message.invitation, connection.account);
}

export async function handleMessage(registry: MeetingRegistry, connection: Connection, message: ClientMessage, services: EntryServices = {}): Promise<ServerMessage | void> {
  switch (message.type) {
    case 'create-meeting': {
      if (connection.participant) throw new ProtocolError('invalid-state', 'already in a meeting');
      await services.hosting?.mayCreate(connection);
      if (message.scheduleId !== undefined) {
        if (!services.schedules) throw new ProtocolError('not-found', 'no such schedule');
        const meeting = await services.schedules.startOccurrence(connection.account, message.scheduleId, (title) => registry.create(title, connection.address));
        await services.hosting?.created(connection, meeting, true);
        return { type: 'created', meetingId: meeting.id, passcode: meeting.passcode, hostSecret: meeting.hostSecret };
      }
      const meeting = registry.create(message.title, connection.address);
      await services.hosting?.created(connection, meeting, false);
      return { type: 'created', meetingId: meeting.id, passcode: meeting.passcode, hostSecret: meeting.hostSecret };
    }
    case 'join': {
      if (connection.participant) throw new ProtocolError('invalid-state', 'already in a meeting');
      const credentials = await entryCredentials(services, connection, message);
      // Checked again: another join on this connection may have finished while the credentials were looked up.
      if (connection.participant) throw new ProtocolError('invalid-state', 'already in a meeting');
      const { meeting, participant } = registry.join({ ...message, address: connection.address, credentials }, connection);
      connection.meeting = meeting;
      connection.participant = participant;
      return;
    }
    case 'breakout-enter': {
      if (connection.participant) throw new ProtocolError('invalid-state', 'already in a meeting');
      const { meeting, participant } = registry.enterBreakout({ ...message, address: connection.address }, connection);
      connection.meeting = meeting;
      connection.participant = participant;
      return;
    }
    case 'resume': {
      if (connection.participant) throw new ProtocolError('invalid-state', 'already in a meeting');
      const { meeting, participant } = registry.resume(message.resumeToken, connection);
      connection.meeting = meeting;
      connection.participant = participant;
      return;
    }
    default: {
      const { meeting, participant } = connection;
      if (!meeting || !participant || participant.state === 'gone') throw new ProtocolError('not-in-meeting', 'join a meeting first');
      const handler = meetingHandlers[message.type] as Handler<typeof message.type>;
      return handler({ meeting, participant, connection }, message);
    }
  }
}

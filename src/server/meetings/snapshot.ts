/**
 * The whole meeting as one participant is shown it: the `joined` message, sent on joining, on resuming, on a
 * change of role, and to whoever is asked to make a new MLS group (it says there is none). Hosts and
 * co-hosts get the whole waiting room after it; afterwards, changes only.
 */
import type { MeetingSettings, ServerMessage } from '../../protocol/index.ts';
import type { MeetingMedia } from './meeting-media.ts';
import type { MlsDelivery } from './mls-delivery.ts';
import type { Participant } from './participant.ts';
import type { RecordingConsent } from './recording.ts';
import type { Roster } from './roster.ts';
import { waitingRoomSnapshot } from './waiting-room-feed.ts';

/** What of the meeting a snapshot shows besides its people. */
export interface MeetingView {
  readonly title: string;
  readonly createdAt: number;
  readonly startedAt: number | undefined;
  readonly settings: MeetingSettings;
  readonly passcode: string;
  readonly media: Pick<MeetingMedia, 'listPublications'>;
  readonly mls: Pick<MlsDelivery, 'epoch' | 'groupExists'>;
  readonly recording: Pick<RecordingConsent, 'status' | 'needsConsent' | 'answersSnapshot'>;
}

export function sendMeetingSnapshot(p: Participant, meeting: MeetingView, roster: Roster): void {
  const joined: ServerMessage = {
    type: 'joined',
    self: { participantId: p.id, role: p.role, resumeToken: p.resumeToken },
    title: meeting.title,
    startedAt: meeting.startedAt ?? meeting.createdAt,
    settings: meeting.settings,
    ...(p.isHostOrCohost ? { passcode: meeting.passcode } : {}),
    participants: roster.joined.map((o) => roster.info(o)),
    publications: meeting.media.listPublications(),
    mls: { epoch: meeting.mls.epoch, groupExists: meeting.mls.groupExists },
    ...(meeting.recording.needsConsent ? { recording: meeting.recording.status } : {}),
  };
  p.send(joined);
  // The only time a host is sent the whole waiting room; afterwards, changes only.
  if (p.isHostOrCohost) for (const message of [...waitingRoomSnapshot(roster.waitingRoomEntries()), ...meeting.recording.answersSnapshot()]) p.send(message);
}

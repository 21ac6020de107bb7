/**
 * The host and co-host commands. Each returns the server's verdict as a promise, so
 * the UI can say why something was refused; the resulting state arrives as ordinary
 * pushes (participant-updated, settings, waiting-room) like everyone else's.
 */
import type { MeetingSettings, MlsCommit } from '../protocol/index.ts';
import type { SignalPort } from './media/peer-connection.ts';

export class HostControls {
  constructor(readonly signal: SignalPort) {}

  admit(participantIds: string[], mls?: MlsCommit): Promise<unknown> {
    return this.signal.request({ type: 'admit', participantIds, ...(mls ? { mls } : {}) });
  }

  deny(participantIds: string[]): Promise<unknown> {
    return this.signal.request({ type: 'deny', participantIds });
  }

  remove(participantId: string): Promise<unknown> {
    return this.signal.request({ type: 'remove', participantId });
  }

  mute(participantId: string): Promise<unknown> {
    return this.signal.request({ type: 'mute', participantId });
  }

  muteAll(): Promise<unknown> {
    return this.signal.request({ type: 'mute-all' });
  }

  setRole(participantId: string, role: 'cohost' | 'participant'): Promise<unknown> {
    return this.signal.request({ type: 'set-role', participantId, role });
  }

  transferHost(participantId: string): Promise<unknown> {
    return this.signal.request({ type: 'transfer-host', participantId });
  }

  updateSettings(settings: Partial<MeetingSettings>): Promise<unknown> {
    return this.signal.request({ type: 'update-settings', settings });
  }

  regeneratePasscode(): Promise<unknown> {
    return this.signal.request({ type: 'regenerate-passcode' });
  }

  /** Adds or removes one participant from the named screen-share list. */
  allowScreenShare(current: MeetingSettings, participantId: string, allow: boolean): Promise<unknown> {
    const others = current.screenShareAllowed.filter((id) => id !== participantId);
    return this.updateSettings({
      screenShare: current.screenShare === 'everyone' ? 'everyone' : 'named',
      screenShareAllowed: allow ? [...others, participantId] : others,
    });
  }

  /** Shows one participant large to everyone who has not pinned someone (null: removes the spotlight). */
  spotlight(participantId: string | null): Promise<unknown> {
    return this.updateSettings({ spotlight: participantId });
  }

  /**
   * Never settles with a reply: the server answers with `left {ended}` and closes the socket, so this rejects
   * with `closed` when it worked. Use `Room.endForAll`, which knows the difference.
   */
  endMeeting(): Promise<unknown> {
    return this.signal.request({ type: 'end-meeting' });
  }
}

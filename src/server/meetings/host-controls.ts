/**
 * What a host (and, for most of it, a co-host) does to the meeting and the people in it: settings, roles,
 * removal and muting. The waiting room's admit and deny are admission.ts; ending the meeting and a new
 * passcode are the meeting's own.
 */
import { MAX_MEETING_HOSTS, type LeaveReason, type MeetingSettings } from '../../protocol/index.ts';
import { ProtocolError, forbidden } from '../errors.ts';
import type { Admission } from './admission.ts';
import type { MediaRelay } from './media-relay.ts';
import type { MlsRelay } from './mls-relay.ts';
import type { Participant } from './participant.ts';
import type { Roster } from './roster.ts';

export interface HostControlDeps {
  readonly roster: Roster;
  readonly admission: Pick<Admission, 'admitAll'>;
  readonly media: Pick<MediaRelay, 'setAudio' | 'unpublish' | 'muteAll'>;
  readonly mls: Pick<MlsRelay, 'updateWork'>;
  settings(): MeetingSettings;
  /** Stores new settings and tells everyone joined. */
  applySettings(next: MeetingSettings): void;
  autoLockChanged(): void;
  mayShareScreen(p: Participant): boolean;
  /** Refuses this device for the rest of the meeting, under any name. */
  ban(deviceId: string): void;
  dismiss(p: Participant, reason: LeaveReason): void;
  sendSnapshot(p: Participant): void;
}

export class HostControls {
  readonly #deps: HostControlDeps;

  constructor(deps: HostControlDeps) {
    this.#deps = deps;
  }

  remove(actor: Participant, id: string): void {
    this.#deps.roster.requireHostish(actor);
    const target = this.#deps.roster.joinedParticipant(id);
    if (target === actor) throw new ProtocolError('invalid-state', 'use leave to leave');
    if (target.role === 'host' || (target.role === 'cohost' && actor.role !== 'host')) throw forbidden('cannot remove this participant');
    this.#deps.ban(target.deviceId);
    this.#deps.dismiss(target, 'removed');
  }

  updateSettings(actor: Participant, changes: Partial<MeetingSettings>): void {
    const { roster } = this.#deps;
    roster.requireHostish(actor);
    // A spotlight names someone everyone is shown large: only a person in the meeting now.
    if (changes.spotlight) roster.joinedParticipant(changes.spotlight);
    const previous = this.#deps.settings();
    // "Invited people only" exists only for meetings started from a schedule (they have the setting at all).
    if (changes.invitedOnly !== undefined && previous.invitedOnly === undefined) throw forbidden('this meeting has no invitations');
    const next = { ...previous, ...changes };
    if (changes.screenShareAllowed) next.screenShareAllowed = [...new Set(changes.screenShareAllowed)];
    const waitingRoomTurnedOff = previous.waitingRoom && !next.waitingRoom;
    const autoLockChanged = changes.autoLockMinutes !== undefined && changes.autoLockMinutes !== previous.autoLockMinutes;
    // One message to each: clients derive everyone's `mayShareScreen` from the settings (the protocol's
    // mayShareScreen rule), so a change of policy costs no update per participant.
    this.#deps.applySettings(next);
    if (autoLockChanged) this.#deps.autoLockChanged();
    // Withdrawn permissions take effect at once: a screen share that is no longer allowed stops.
    for (const p of roster.joined) if (p.screen && !this.#deps.mayShareScreen(p)) void this.#deps.media.unpublish(p.id, 'screen');
    if (waitingRoomTurnedOff) this.#deps.admission.admitAll(roster.waiting.filter((w) => w.state === 'waiting-room'));
  }

  setRole(actor: Participant, id: string, role: 'cohost' | 'participant'): void {
    const { roster } = this.#deps;
    if (actor.role !== 'host') throw forbidden('only the host can change roles');
    const target = roster.joinedParticipant(id);
    if (target.role === 'host') throw forbidden('cannot change the host role this way');
    if (role === 'cohost' && target.role !== 'cohost' && roster.hostCount >= MAX_MEETING_HOSTS) {
      throw new ProtocolError('limit-reached', 'this meeting has as many co-hosts as it may');
    }
    target.role = role;
    roster.announce(target);
    this.#deps.sendSnapshot(target);
    this.#deps.mls.updateWork();
  }

  transferHost(actor: Participant, id: string): void {
    const { roster } = this.#deps;
    if (actor.role !== 'host') throw forbidden('only the host can hand over the host role');
    const target = roster.joinedParticipant(id);
    if (target === actor) return;
    target.role = 'host';
    actor.role = 'participant';
    roster.announce(target);
    roster.announce(actor);
    this.#deps.sendSnapshot(target);
    this.#deps.mls.updateWork();
  }

  async mute(actor: Participant, id: string): Promise<void> {
    this.#deps.roster.requireHostish(actor);
    const target = this.#deps.roster.joinedParticipant(id);
    if (await this.#deps.media.setAudio(target, false)) this.#deps.roster.announce(target);
  }

  /**
   * Mutes every participant but the hosts and co-hosts (the actor is one of them). The state changes at once
   * and one `all-muted` tells everyone, however many were muted: clients apply it by role, which they know
   * from the same ordered stream. The SFU stops forwarding afterwards.
   */
  async muteAll(actor: Participant): Promise<void> {
    this.#deps.roster.requireHostish(actor);
    const muted = this.#deps.roster.joined.filter((p) => !p.isHostOrCohost && p.audio);
    if (muted.length === 0) return;
    await this.#deps.media.muteAll(muted);
  }
}

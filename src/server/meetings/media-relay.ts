/**
 * Between participants and MeetingMedia (meeting-media.ts): the permission checks of each media request,
 * what the others are told of it (publications added and removed, a participant's microphone, camera and
 * screen), and where the SFU's own events go.
 */
import type { MediaSource, MeetingSettings, PeerConnectionName, SubscribedTrack } from '../../protocol/index.ts';
import type { IceCandidateInit } from '../../media/engine.ts';
import { ProtocolError, forbidden } from '../errors.ts';
import type { MeetingMedia, MeetingMediaEvents, SubscriptionRequest } from './meeting-media.ts';
import type { Participant } from './participant.ts';
import type { Roster } from './roster.ts';
import type { SpeakingRelay } from './speaking-relay.ts';

/** Where the SFU's events go: to the participant they concern, or to everyone joined. */
export function mediaEventsFor(roster: Roster, speaking: SpeakingRelay, unpublish: (participantId: string, source: MediaSource) => Promise<void>): MeetingMediaEvents {
  return {
    subscriberOffer: (pid, sdp, tracks) => sendOffer(roster.get(pid), { sdp, tracks }),
    subscriberTracks: (pid, tracks) => roster.get(pid)?.send({ type: 'subscriber-tracks', tracks }),
    sendLayers: (pid, source, active) => roster.get(pid)?.send({ type: 'send-layers', source, active }),
    publisherLost: (pid, source) => void unpublish(pid, source).catch(() => undefined),
    talking: (pid, talking) => speaking.set(pid, talking),
    mediaStatus: (state, pid) => {
      if (pid) roster.get(pid)?.send({ type: 'media-status', state });
      else roster.broadcast({ type: 'media-status', state });
    },
  };
}

function sendOffer(p: Participant | undefined, offer: { sdp: string; tracks: SubscribedTrack[] }): void {
  p?.send({ type: 'subscriber-offer', sdp: offer.sdp, tracks: offer.tracks });
}

export class MediaRelay {
  readonly #roster: Roster;
  readonly #media: MeetingMedia;
  readonly #settings: () => MeetingSettings;
  readonly #mayShareScreen: (p: Participant) => boolean;

  constructor(roster: Roster, media: MeetingMedia, settings: () => MeetingSettings, mayShareScreen: (p: Participant) => boolean) {
    this.#roster = roster;
    this.#media = media;
    this.#settings = settings;
    this.#mayShareScreen = mayShareScreen;
  }

  async setMediaState(p: Participant, audio: boolean, video: boolean): Promise<void> {
    this.#roster.requireJoined(p);
    if (audio && !p.audio && !this.#settings().allowUnmute && !p.isHostOrCohost) throw forbidden('the host does not allow unmuting');
    if (video !== p.video) {
      p.video = video;
      await this.#media.setForwarding(p.id, 'video', video);
    }
    await this.setAudio(p, audio);
    this.#roster.announce(p);
  }

  /** Changes what the SFU forwards of p's microphone; returns whether anything changed. */
  async setAudio(p: Participant, audio: boolean): Promise<boolean> {
    if (p.audio === audio) return false;
    p.audio = audio;
    await this.#media.setForwarding(p.id, 'audio', audio);
    return true;
  }

  /** Stops `people`'s microphones at once, tells everyone in one `all-muted`, then stops forwarding them. */
  async muteAll(people: readonly Participant[]): Promise<void> {
    for (const p of people) p.audio = false;
    this.#roster.broadcast({ type: 'all-muted' });
    await Promise.all(people.map((p) => this.#media.setForwarding(p.id, 'audio', false)));
  }

  async publish(p: Participant, source: MediaSource, sdp: string): Promise<string> {
    this.#roster.requireJoined(p);
    if (source === 'screen' && !this.#mayShareScreen(p)) throw forbidden('screen sharing is not allowed for you');
    const { answerSdp, added } = await this.#media.publish(p.id, source, sdp);
    if (!this.#roster.isJoined(p)) {
      await this.#media.unpublish(p.id, source);
      throw new ProtocolError('invalid-state', 'no longer in the meeting');
    }
    if (added) {
      if (source === 'camera') {
        // A new publisher forwards nothing the participant has not switched on.
        await this.#media.setForwarding(p.id, 'audio', p.audio);
        await this.#media.setForwarding(p.id, 'video', p.video);
      } else {
        p.screen = true;
        this.#roster.announce(p);
      }
      this.#roster.broadcast({ type: 'publication-added', publication: added }, p);
    }
    return answerSdp;
  }

  async unpublishOwn(p: Participant, source: MediaSource): Promise<void> {
    this.#roster.requireJoined(p);
    await this.unpublish(p.id, source);
  }

  async unpublish(participantId: string, source: MediaSource): Promise<void> {
    const removed = await this.#media.unpublish(participantId, source);
    const p = this.#roster.get(participantId);
    if (source === 'screen' && p?.screen) {
      p.screen = false;
      this.#roster.announce(p);
    }
    if (removed) this.#roster.broadcast({ type: 'publication-removed', publicationId: removed.id });
  }

  async subscribe(p: Participant, request: SubscriptionRequest): Promise<void> {
    this.#roster.requireJoined(p);
    const offer = await this.#media.subscribe(p.id, request);
    if (offer) sendOffer(p, offer);
  }

  async answerSubscriber(p: Participant, sdp: string): Promise<void> {
    this.#roster.requireJoined(p);
    await this.#media.answerSubscriber(p.id, sdp);
  }

  async restartSubscriber(p: Participant): Promise<void> {
    this.#roster.requireJoined(p);
    sendOffer(p, await this.#media.restartSubscriber(p.id));
  }

  async trickle(p: Participant, pc: PeerConnectionName, candidate: IceCandidateInit | null): Promise<void> {
    this.#roster.requireJoined(p);
    await this.#media.trickle(p.id, pc, candidate);
  }
}

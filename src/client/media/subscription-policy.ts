/**
 * What a browser receives, decided from what it shows: the videos the layout draws (at the quality
 * their tiles need) and the microphones of the people who talk. Nothing else is subscribed, so a
 * meeting of 100 costs each browser a grid page of thumbnails, not 99 full-quality streams.
 *
 * Pure: the Room feeds it its state and sends what comes out.
 */
import { MAX_AUDIO_SLOTS, MAX_VIDEO_SLOTS, type MediaSource, type ParticipantInfo, type PublicationInfo, type VideoQuality } from '../../protocol/index.ts';
import type { SubscriptionRequest } from './subscriber.ts';

/** A video the UI draws, and how large. */
export interface VisibleVideo {
  participantId: string;
  source: MediaSource;
  quality: VideoQuality;
}

/** Before the UI says what it shows: screens and the first page of cameras, at medium quality. */
export const DEFAULT_VISIBLE_CAMERAS = 25;

const ORDER: readonly VideoQuality[] = ['low', 'medium', 'high'];

export interface PolicyInput {
  selfId: string | null;
  publications: Iterable<PublicationInfo>;
  participants: ReadonlyMap<string, ParticipantInfo>;
  /** null: the UI has not said yet. */
  visible: readonly VisibleVideo[] | null;
  /** Orders participants by talking now, then talked lately. */
  rankSpeakers: (participantIds: readonly string[]) => string[];
  /** Under congestion, no video above this quality. */
  qualityCap: VideoQuality;
}

export function subscriptionFor(input: PolicyInput): SubscriptionRequest {
  const byKey = new Map<string, PublicationInfo>();
  for (const p of input.publications) if (p.participantId !== input.selfId) byKey.set(`${p.participantId}:${p.source}`, p);

  const visible = input.visible ?? defaultVisible(byKey.values(), input.participants);
  const cap = ORDER.indexOf(input.qualityCap);
  const video = new Map<string, VideoQuality>();
  // Screens first: a presentation is never the one left out for lack of slots.
  const ordered = [...visible.filter((v) => v.source === 'screen'), ...visible.filter((v) => v.source !== 'screen')];
  for (const v of ordered) {
    const publication = byKey.get(`${v.participantId}:${v.source}`);
    if (!publication || video.has(publication.id) || video.size >= MAX_VIDEO_SLOTS) continue;
    // A camera that is off sends nothing: it needs no slot until it comes on.
    if (v.source === 'camera' && input.participants.get(v.participantId)?.video !== true) continue;
    const quality = v.source === 'screen' ? 'high' : ORDER[Math.min(ORDER.indexOf(v.quality), cap)]!;
    video.set(publication.id, quality);
  }

  const unmuted = [...byKey.values()]
    .filter((p) => p.source === 'camera' && input.participants.get(p.participantId)?.audio === true)
    .map((p) => p.participantId);
  const audio = input
    .rankSpeakers(unmuted)
    .slice(0, MAX_AUDIO_SLOTS)
    .map((id) => byKey.get(`${id}:camera`)!.id);

  return { video: [...video].map(([publicationId, quality]) => ({ publicationId, quality })), audio };
}

function defaultVisible(publications: Iterable<PublicationInfo>, participants: ReadonlyMap<string, ParticipantInfo>): VisibleVideo[] {
  const all = [...publications];
  const screens = all.filter((p) => p.source === 'screen');
  const cameras = all.filter((p) => p.source === 'camera' && participants.get(p.participantId)?.video === true).slice(0, DEFAULT_VISIBLE_CAMERAS);
  return [...screens, ...cameras].map((p) => ({ participantId: p.participantId, source: p.source, quality: 'medium' }));
}

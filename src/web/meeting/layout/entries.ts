/**
 * The tiles there could be, in the order they are shown: screen shares first, then
 * one's own camera, then everyone else in the order they joined. Built afresh from
 * the room's snapshots (participants, received tracks, local media), so the order in
 * which pushes and track events arrive does not matter.
 */
import type { RemoteTrack, Room } from '../../../client/index.ts';
import type { ParticipantInfo } from '../../../protocol/index.ts';

export type TileSource = 'camera' | 'screen';

export interface TileEntry {
  /** `${participantId}:${source}`: one tile per participant and source. */
  key: string;
  participant: ParticipantInfo;
  source: TileSource;
  isSelf: boolean;
  /** The video to draw: the local track for oneself, the received one for others; null shows the avatar. */
  track: MediaStreamTrack | null;
  /** The received video, for its statistics (others only). */
  remote: RemoteTrack | null;
  /** The person sends this video (camera on, or presenting): worth asking for when shown. */
  sending: boolean;
}

export function tileKey(participantId: string, source: TileSource): string {
  return `${participantId}:${source}`;
}

export function buildEntries(room: Room): TileEntry[] {
  const s = room.state;
  const selfId = s.selfId;
  const received = new Map<string, RemoteTrack>();
  for (const t of room.remoteTracks) if (t.kind === 'video') received.set(tileKey(t.participantId, t.source), t);
  const remote = (p: ParticipantInfo, source: TileSource, sending: boolean): TileEntry => {
    const key = tileKey(p.id, source);
    const r = received.get(key) ?? null;
    return { key, participant: p, source, isSelf: false, track: r?.track ?? null, remote: r, sending };
  };

  const screens: TileEntry[] = [];
  const cameras: TileEntry[] = [];
  for (const p of s.participants.values()) {
    if (p.id === selfId) {
      const screenTrack = room.screenTrack;
      if (screenTrack) screens.push({ key: tileKey(p.id, 'screen'), participant: p, source: 'screen', isSelf: true, track: screenTrack, remote: null, sending: true });
      const media = room.options.localMedia;
      const camera = media.cameraEnabled ? media.videoTrack : null;
      cameras.unshift({ key: tileKey(p.id, 'camera'), participant: p, source: 'camera', isSelf: true, track: camera, remote: null, sending: camera !== null });
      continue;
    }
    if (p.screen || received.has(tileKey(p.id, 'screen'))) screens.push(remote(p, 'screen', p.screen));
    cameras.push(remote(p, 'camera', p.video));
  }
  return [...screens, ...cameras];
}

/**
 * `window.__sabhaDebug.stats()`: read-only media counters of the current meeting.
 * `window.__sabhaDebug.e2ee()`: the end-to-end encryption state: epoch, security code (shown on screen
 * anyway), the MLS roster as participant ids, roster warnings and decrypt-failure counts. Never a key.
 *
 * Why it is always there: browser tests (and people diagnosing "I can't see X") need
 * to know whether frames are decoded, and chrome://webrtc-internals is not available
 * to them. It exposes only numbers and ids already visible to the page (no SDP, no
 * keys, no names, no passcode), cannot change anything, and gives a page script
 * nothing it could not get from the same RTCPeerConnections itself.
 */
import type { EncryptionSnapshot, Room } from '../client/index.ts';

export interface StreamStats {
  pc: string;
  direction: 'inbound' | 'outbound';
  kind: string;
  mid: string | null;
  participantId: string | null;
  source: string | null;
  packets: number;
  bytes: number;
  framesDecoded?: number;
  framesEncoded?: number;
  /** Video: the resolution last decoded (inbound) or encoded (outbound): which simulcast layer. */
  frameWidth?: number;
  frameHeight?: number;
  /** Outbound simulcast: the encoding's rid ('h', 'm', 'l'). */
  rid?: string;
  /** Audio: samples played from decoded frames (received minus concealed), i.e. what was really heard. */
  samplesDecoded?: number;
}

interface RtpReport {
  type: string;
  kind?: string;
  mid?: string;
  packetsReceived?: number;
  packetsSent?: number;
  bytesReceived?: number;
  bytesSent?: number;
  framesDecoded?: number;
  framesEncoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  rid?: string;
  totalSamplesReceived?: number;
  concealedSamples?: number;
}

export function installDebugHook(currentRoom: () => Room | null): void {
  const e2ee = (room: Room | null | undefined): EncryptionSnapshot | null => {
    const snapshot = room?.encryption?.snapshot();
    // A fresh plain copy: the page cannot reach the session through it.
    return snapshot ? (JSON.parse(JSON.stringify(snapshot)) as EncryptionSnapshot) : null;
  };
  const hook = Object.freeze({
    e2ee(): EncryptionSnapshot | null {
      return e2ee(currentRoom());
    },
    /** The same, of the breakout room we are in (src/client/breakout/), or null in the main room. */
    breakoutE2ee(): EncryptionSnapshot | null {
      return e2ee(currentRoom()?.breakout?.room);
    },
    /** The breakout room we are in: its index, connection and the same counters as `stats` (null in the main room). */
    async breakoutStats(): Promise<{ room: number | null; connection: string; selfId: string | null; streams: StreamStats[] } | null> {
      const breakout = currentRoom()?.breakout;
      if (!breakout?.room) return null;
      return { room: breakout.roomIndex, ...(await roomStats(breakout.room)) };
    },
    /** Camera frames the background-blur model has segmented (0 when blur is off): shows that the model runs. */
    blurFrames(): number {
      return currentRoom()?.options.localMedia.blurFrames ?? 0;
    },
    async stats(): Promise<{ connection: string; selfId: string | null; streams: StreamStats[] }> {
      return roomStats(currentRoom());
    },
  });
  Object.defineProperty(window, '__sabhaDebug', { value: hook, writable: false, configurable: false });
}

/** Media counters of one Room's peer connections (the main meeting's, or a breakout room's). */
async function roomStats(room: Room | null): Promise<{ connection: string; selfId: string | null; streams: StreamStats[] }> {
  if (!room) return { connection: 'none', selfId: null, streams: [] };
  const streams: StreamStats[] = [];
  for (const { name, pc } of room.peerConnections()) {
    const report = await pc.getStats();
    report.forEach((r: RtpReport) => {
      if (r.type !== 'inbound-rtp' && r.type !== 'outbound-rtp') return;
      const inbound = r.type === 'inbound-rtp';
      const info = inbound ? room.subscriber.trackForMid(r.mid ?? null) : undefined;
      streams.push({
        pc: name,
        direction: inbound ? 'inbound' : 'outbound',
        kind: r.kind ?? '',
        mid: r.mid ?? null,
        participantId: inbound ? (info?.participantId ?? null) : room.state.selfId,
        source: inbound ? (info?.source ?? null) : name,
        packets: (inbound ? r.packetsReceived : r.packetsSent) ?? 0,
        bytes: (inbound ? r.bytesReceived : r.bytesSent) ?? 0,
        ...(r.framesDecoded !== undefined ? { framesDecoded: r.framesDecoded } : {}),
        ...(r.framesEncoded !== undefined ? { framesEncoded: r.framesEncoded } : {}),
        ...(r.frameWidth !== undefined ? { frameWidth: r.frameWidth } : {}),
        ...(r.frameHeight !== undefined ? { frameHeight: r.frameHeight } : {}),
        ...(r.rid !== undefined ? { rid: r.rid } : {}),
        ...(r.totalSamplesReceived !== undefined ? { samplesDecoded: r.totalSamplesReceived - (r.concealedSamples ?? 0) } : {}),
      });
    });
  }
  return { connection: room.connection.name, selfId: room.state.selfId, streams };
}

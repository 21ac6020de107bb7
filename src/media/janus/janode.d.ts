/**
 * Types for the part of janode (plain JavaScript, no bundled types) that Sabha uses.
 * Only what janode 1.8 does, checked against its source; results from Janus are
 * still validated at run time where Sabha reads them.
 */
declare module 'janode' {
  import type { EventEmitter } from 'node:events';

  export interface JanodeConfig {
    address: { url: string; apisecret?: string } | { url: string; apisecret?: string }[];
    retry_time_secs?: number;
    max_retries?: number;
    is_admin?: boolean;
    ws_options?: Record<string, unknown>;
  }

  export interface Jsep {
    type: 'offer' | 'answer';
    sdp: string;
    e2ee?: boolean;
  }

  export interface Connection extends EventEmitter {
    create(keepAliveSeconds?: number): Promise<Session>;
    close(): Promise<void>;
  }

  export interface Session extends EventEmitter {
    readonly id: number;
    attach<H extends Handle>(plugin: { id: string; Handle: new (...args: never[]) => H }): Promise<H>;
    destroy(): Promise<void>;
  }

  export interface TrickleCandidate {
    candidate?: string;
    sdpMid?: string | null;
    sdpMLineIndex?: number | null;
    completed?: true;
  }

  export interface Handle extends EventEmitter {
    readonly id: number;
    detach(): Promise<void>;
    hangup(): Promise<unknown>;
    trickle(candidate: TrickleCandidate | null): Promise<unknown>;
    message(body: Record<string, unknown>, jsep?: Jsep): Promise<JanusMessage>;
  }

  export interface JanusMessage {
    janus: string;
    plugindata?: { plugin: string; data: Record<string, unknown> };
    jsep?: Jsep;
  }

  const Janode: {
    connect(config: JanodeConfig): Promise<Connection>;
    Logger: { setLevel(level: 'none' | 'error' | 'warning' | 'info' | 'verbose' | 'debug'): string };
    EVENT: {
      CONNECTION_CLOSED: 'connection_closed';
      SESSION_DESTROYED: 'session_destroyed';
      HANDLE_DETACHED: 'handle_detached';
      HANDLE_ICE_FAILED: 'handle_ice_failed';
      HANDLE_HANGUP: 'handle_hangup';
      HANDLE_MEDIA: 'handle_media';
      HANDLE_WEBRTCUP: 'handle_webrtcup';
      HANDLE_SLOWLINK: 'handle_slowlink';
      HANDLE_TRICKLE: 'handle_trickle';
      CONNECTION_ERROR: 'connection_error';
    };
  };
  export default Janode;
}

declare module 'janode/plugins/videoroom' {
  import type { Handle, Jsep } from 'janode';

  export interface VideoRoomStream {
    type: string;
    mid?: string;
    mindex?: number;
    active?: boolean;
    feed_id?: number;
    feed_mid?: string;
    send?: boolean;
    [key: string]: unknown;
  }

  export interface VideoRoomHandle extends Handle {
    joinConfigurePublisher(args: {
      room: number; feed: number; pin?: string; audio?: boolean; video?: boolean; data?: boolean; e2ee?: boolean; jsep: Jsep;
    }): Promise<{ feed: number; jsep?: Jsep; [key: string]: unknown }>;
    configure(args: {
      streams?: { mid: string; send?: boolean; substream?: number }[]; restart?: boolean; e2ee?: boolean; jsep?: Jsep;
    }): Promise<{ jsep?: Jsep; streams?: VideoRoomStream[]; [key: string]: unknown }>;
    /** Re-points existing subscriber m-lines (`sub_mid`) to another publisher's stream; no renegotiation. */
    switch(args: {
      streams: { feed: number; mid: string; sub_mid: string }[];
    }): Promise<{ switched: string; streams?: VideoRoomStream[]; [key: string]: unknown }>;
    joinSubscriber(args: {
      room: number; streams: { feed: number; mid?: string }[]; pin?: string; autoupdate?: boolean; use_msid?: boolean;
    }): Promise<{ jsep?: Jsep; streams?: VideoRoomStream[]; [key: string]: unknown }>;
    update(args: {
      subscribe?: { feed: number; mid?: string }[]; unsubscribe?: { feed: number; mid?: string }[];
    }): Promise<{ jsep?: Jsep; streams?: VideoRoomStream[]; [key: string]: unknown }>;
    start(args: { jsep: Jsep }): Promise<unknown>;
    leave(): Promise<unknown>;
    destroy(args: { room: number; secret?: string }): Promise<unknown>;
  }

  const VideoRoomPlugin: {
    id: string;
    Handle: new (...args: never[]) => VideoRoomHandle;
    EVENT: {
      VIDEOROOM_DESTROYED: 'videoroom_destroyed';
      VIDEOROOM_UPDATED: 'videoroom_updated';
      VIDEOROOM_KICKED: 'videoroom_kicked';
      VIDEOROOM_UNPUBLISHED: 'videoroom_unpublished';
      VIDEOROOM_LEAVING: 'videoroom_leaving';
      VIDEOROOM_ERROR: 'videoroom_error';
      VIDEOROOM_TALKING: 'videoroom_talking';
    };
  };
  export default VideoRoomPlugin;
}

/**
 * Finds out, before joining, which ways to the meeting server's media relay this browser's network allows.
 * It asks the server for a check credential (GET /connectivity-check: valid a minute, rate-limited, good for
 * nothing but this) and lets a throw-away peer connection gather candidates through the relay: a relayed
 * candidate over UDP, TCP or TLS says that way is open. No media is sent and nobody is called.
 */
import { connectivityCheckAnswer, type ConnectivityCheckAnswer } from '../../protocol/index.ts';

export type MediaPathVerdict =
  /** UDP reaches the server: media goes the direct way. */
  | { kind: 'direct' }
  /** Only TCP or TLS to the relay gets through: media is relayed, with a little more delay. */
  | { kind: 'relayed'; over: 'tcp' | 'tls' }
  /** Nothing gets through; `advice` says what to ask for. */
  | { kind: 'blocked'; relayPorts: ConnectivityCheckAnswer['relayPorts'] }
  /** The server offers no relay to check against. */
  | { kind: 'no-relay' }
  | { kind: 'error' };

const GATHER_MS = 6000;

export async function probeMediaPath(options: { fetchCheck?: () => Promise<unknown>; gatherMs?: number } = {}): Promise<MediaPathVerdict> {
  let answer: ConnectivityCheckAnswer;
  try {
    const raw = options.fetchCheck ? await options.fetchCheck() : await (await fetch('/connectivity-check', { cache: 'no-store' })).json();
    const parsed = connectivityCheckAnswer.safeParse(raw);
    if (!parsed.success) return { kind: 'error' };
    answer = parsed.data;
  } catch {
    return { kind: 'error' };
  }
  if (answer.iceServers.length === 0) return { kind: 'no-relay' };
  const protocols = await gatherRelayProtocols(answer.iceServers, options.gatherMs ?? GATHER_MS);
  if (protocols.has('udp')) return { kind: 'direct' };
  if (protocols.has('tcp')) return { kind: 'relayed', over: 'tcp' };
  if (protocols.has('tls')) return { kind: 'relayed', over: 'tls' };
  return { kind: 'blocked', relayPorts: answer.relayPorts };
}

/** The transports over which the relay granted an allocation: the relay candidates' `relayProtocol`. */
async function gatherRelayProtocols(iceServers: RTCIceServer[], gatherMs: number): Promise<Set<string>> {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
  const found = new Set<string>();
  try {
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, gatherMs);
      pc.onicecandidate = (event) => {
        if (!event.candidate) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const protocol = (event.candidate as RTCIceCandidate & { relayProtocol?: string }).relayProtocol;
        if (event.candidate.type === 'relay' && protocol) found.add(protocol);
        // UDP is the best there is: no need to wait for the slower ways.
        if (found.has('udp')) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    // Browsers that do not put relayProtocol on the candidate still report it in the statistics.
    (await pc.getStats()).forEach((r: { type: string; candidateType?: string; relayProtocol?: string }) => {
      if (r.type === 'local-candidate' && r.candidateType === 'relay' && r.relayProtocol) found.add(r.relayProtocol);
    });
  } finally {
    pc.close();
  }
  return found;
}

/**
 * The metrics Sabha exports, and where each number comes from. Counts and process figures only: the
 * registry has no labels, so no meeting id, participant name or title can appear in a scrape.
 */
import type { MediaEngine } from '../../media/engine.ts';
import type { ReadinessSource } from './health.ts';
import { MetricsRegistry, type Counter } from './metrics.ts';

/** What the metrics read from the meeting registry at scrape time. */
export interface MeetingCensus {
  census(): { meetings: number; joined: number; waiting: number; createdTotal: number; endedTotal: number };
}

/**
 * The TURN supervisor as the operator's endpoints see it: whether the relay is up and, if it can tell, how
 * many relay allocations it holds now. Any object of this shape will do (src/media/turn/ provides one).
 */
export interface TurnStatus extends ReadinessSource {
  allocations?(): number;
}

export interface SabhaMetricSources {
  meetings: MeetingCensus;
  engine: MediaEngine;
  /** Open WebSocket connections. */
  connections(): number;
  turn?: TurnStatus | undefined;
}

export interface SabhaMetrics {
  readonly registry: MetricsRegistry;
  /** A connection cut off because it did not read what it was sent (signalling/outbound-budget.ts). */
  readonly slowConsumerDisconnects: Counter;
  /** Stops listening to the engine. */
  close(): void;
}

export function createSabhaMetrics(sources: SabhaMetricSources): SabhaMetrics {
  const registry = new MetricsRegistry();
  const census = () => sources.meetings.census();
  registry.gauge('sabha_meetings', 'Meetings that exist now.', () => census().meetings);
  registry.gauge('sabha_participants', 'People in a meeting now (joined, including those within their resume grace).', () => census().joined);
  registry.gauge('sabha_waiting_participants', 'People waiting for the host or in a waiting room now.', () => census().waiting);
  registry.counter('sabha_meetings_created_total', 'Meetings created since the server started.', () => census().createdTotal);
  registry.counter('sabha_meetings_ended_total', 'Meetings ended since the server started, for any reason.', () => census().endedTotal);
  registry.gauge('sabha_websocket_connections', 'Open signalling WebSocket connections.', sources.connections);
  const slowConsumerDisconnects = registry.counter('sabha_slow_consumer_disconnects_total', 'Connections cut off because the client stopped reading what it was sent.');

  registry.gauge('sabha_media_engine_up', '1 when the media engine (Janus) is up, 0 otherwise.', () => (sources.engine.state === 'up' ? 1 : 0));
  const engineFailures = registry.counter('sabha_media_engine_failures_total', 'Times the media engine (Janus) died or stopped answering.');
  const engineRestarts = registry.counter('sabha_media_engine_restarts_total', 'Times the media engine came back after a failure.');
  const engineGaveUp = registry.counter('sabha_media_engine_outages_total', 'Media engine failures that lasted too long or came too often, so that its meetings ended.');
  const onDown = () => engineFailures.inc();
  const onUp = () => engineRestarts.inc();
  const onFailed = () => engineGaveUp.inc();
  sources.engine.on('down', onDown);
  sources.engine.on('up', onUp);
  sources.engine.on('failed', onFailed);

  const turn = sources.turn;
  if (turn) {
    registry.gauge('sabha_turn_up', '1 when the TURN relay is up, 0 otherwise.', () => (turn.ready() ? 1 : 0));
    if (turn.allocations) registry.gauge('sabha_turn_allocations', 'TURN relay allocations held now.', () => turn.allocations!());
  }

  registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
  registry.gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', () => process.memoryUsage().heapUsed);
  const startedAt = Date.now() / 1000 - process.uptime();
  registry.gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', () => Math.round(startedAt));

  return {
    registry,
    slowConsumerDisconnects,
    close() {
      sources.engine.off('down', onDown);
      sources.engine.off('up', onUp);
      sources.engine.off('failed', onFailed);
    },
  };
}

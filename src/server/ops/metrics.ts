/**
 * A tiny Prometheus registry: counters and gauges without labels, rendered in the text exposition format
 * (version 0.0.4). No labels on purpose: what a scrape shows is only the names and help texts written here
 * in the code, and numbers, so no meeting id, name or title can ever reach it, whatever a client sends.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export type MetricType = 'counter' | 'gauge';

/** A number that only goes up (since the process started). */
export interface Counter {
  inc(by?: number): void;
  readonly value: number;
}

/** A number that goes up and down: set it, or give the registry a function that reads it at scrape time. */
export interface Gauge {
  set(value: number): void;
  readonly value: number;
}

interface Metric {
  name: string;
  help: string;
  type: MetricType;
  read(): number;
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  /** A counter the caller increments, or one read from `collect` (which must only grow) at each scrape. */
  counter(name: string, help: string, collect?: () => number): Counter {
    let value = 0;
    this.add({ name, help, type: 'counter', read: collect ?? (() => value) });
    return {
      inc(by = 1) {
        if (collect) throw new Error(`counter ${name} is read at scrape time; it cannot be incremented`);
        if (!(by >= 0) || !Number.isFinite(by)) throw new RangeError('a counter only goes up by a finite amount');
        value += by;
      },
      get value() {
        return collect ? collect() : value;
      },
    };
  }

  /** A gauge read from `collect` at each scrape, or set by the caller when there is none. */
  gauge(name: string, help: string, collect?: () => number): Gauge {
    let value = 0;
    this.add({ name, help, type: 'gauge', read: collect ?? (() => value) });
    return {
      set(next: number) {
        if (collect) throw new Error(`gauge ${name} is read at scrape time; it cannot be set`);
        value = next;
      },
      get value() {
        return collect ? collect() : value;
      },
    };
  }

  /** The text exposition format: HELP, TYPE and one sample per metric, in registration order. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`);
      lines.push(`# TYPE ${metric.name} ${metric.type}`);
      lines.push(`${metric.name} ${formatValue(safeRead(metric))}`);
    }
    return lines.join('\n') + '\n';
  }

  private add(metric: Metric): void {
    if (!METRIC_NAME.test(metric.name)) throw new TypeError(`invalid metric name ${JSON.stringify(metric.name)}`);
    if (this.metrics.has(metric.name)) throw new TypeError(`metric ${metric.name} is already registered`);
    this.metrics.set(metric.name, metric);
  }
}

/** The content type Prometheus expects for the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A collector that throws must not take the whole scrape down: that sample reads NaN. */
function safeRead(metric: Metric): number {
  try {
    return metric.read();
  } catch {
    return Number.NaN;
  }
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** HELP text escapes only backslash and newline (exposition format). */
function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

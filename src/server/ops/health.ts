/**
 * Liveness and readiness. Alive: the process answers at all (/healthz). Ready: it can hold meetings now
 * (/readyz), which needs every dependency up (the media engine, and the TURN relay when Sabha runs one)
 * and the server not shutting down. A load balancer or systemd watchdog takes the server out of rotation
 * while it is not ready, and puts it back by itself once the dependency has come back.
 */

/** Anything whose readiness /readyz reports: the media engine, the TURN supervisor. */
export interface ReadinessSource {
  ready(): boolean;
}

export interface ReadinessReport {
  ready: boolean;
  /** Each dependency by a fixed name (`media`, `turn`): whether it is up. */
  checks: Record<string, boolean>;
  shuttingDown: boolean;
}

export class Readiness {
  private readonly sources = new Map<string, ReadinessSource>();
  private stopping = false;

  /** Adds (or replaces) a dependency under a fixed name. */
  add(name: string, source: ReadinessSource): void {
    this.sources.set(name, source);
  }

  /** From now on the server is not ready: it is draining its meetings before it exits. */
  shuttingDown(): void {
    this.stopping = true;
  }

  report(): ReadinessReport {
    const checks: Record<string, boolean> = {};
    for (const [name, source] of this.sources) {
      try {
        checks[name] = source.ready() === true;
      } catch {
        checks[name] = false;
      }
    }
    const ready = !this.stopping && Object.values(checks).every(Boolean);
    return { ready, checks, shuttingDown: this.stopping };
  }
}

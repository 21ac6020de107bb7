/**
 * Supervises the Janus process that Sabha starts itself: spawn it on its private
 * config, wait until its API answers, restart it with backoff if it dies, stop it
 * (SIGTERM, then SIGKILL) on shutdown. Janus's own output is captured into the
 * logger at debug level, bounded, because Janus would otherwise write to a
 * terminal nobody reads or to /var/log.
 *
 * Events: `ready` each time a (re)started Janus answers; `exit` when it died
 * without being asked to; `failed` when a restart attempt did not come up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import { delimiter, isAbsolute, join } from 'node:path';
import { probeJanusApi } from './probe.ts';
import type { Logger } from '../../log/logger.ts';

export interface JanusProcessOptions {
  /** `janus` (looked up in PATH) or an absolute path. */
  binary?: string;
  mainConfig: string;
  configDir: string;
  apiUrl: string;
  apiSecret: string;
  logger: Logger;
  /** How long a start may take before it counts as failed. */
  readyTimeoutMs?: number;
  /** How long Janus gets to exit after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  /** First restart delay; doubles up to `maxBackoffMs`, reset once Janus stayed up for a minute. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface JanusProcessEvents {
  ready: [info: { pid: number; startupMs: number }];
  exit: [info: { code: number | null; signal: NodeJS.Signals | null }];
  failed: [error: Error];
}

export class JanusNotInstalledError extends Error {
  constructor(binary: string) {
    super(`Janus binary "${binary}" not found: install it with \`apt-get install janus\` (Debian/Ubuntu)`);
    this.name = 'JanusNotInstalledError';
  }
}

const OUTPUT_LINES_PER_MINUTE = 600;
const OUTPUT_LINE_MAX = 300;
const STABLE_MS = 60_000;

export class JanusProcess extends EventEmitter<JanusProcessEvents> {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private startedAt = 0;
  private outputBudget = { windowStart: 0, lines: 0, dropped: 0 };
  private readonly opts: Required<Omit<JanusProcessOptions, 'logger'>> & { logger: Logger };

  constructor(options: JanusProcessOptions) {
    super();
    this.opts = {
      binary: 'janus', readyTimeoutMs: 15_000, stopTimeoutMs: 3_000, minBackoffMs: 250, maxBackoffMs: 10_000,
      // An option given as undefined keeps its default.
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as JanusProcess['opts'];
    this.backoffMs = this.opts.minBackoffMs;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Spawns Janus and resolves once its API answers; rejects (and kills it) otherwise. */
  async start(): Promise<void> {
    if (this.child) throw new Error('Janus is already running');
    this.stopping = false;
    const binary = await resolveBinary(this.opts.binary);
    await this.spawnAndWait(binary);
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private async spawnAndWait(binary: string): Promise<void> {
    const t0 = performance.now();
    // -C/-F point Janus at the private config only, never at /etc/janus; cwd is the private dir
    // so that nothing relative lands elsewhere.
    const child = spawn(binary, ['-C', this.opts.mainConfig, '-F', this.opts.configDir], {
      cwd: this.opts.configDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
    });
    this.child = child;
    this.startedAt = Date.now();
    this.captureOutput(child);

    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(err));
      child.once('exit', (code, signal) => reject(new Error(`Janus exited during startup (code ${code}, signal ${signal})`)));
    });
    exited.catch(() => {}); // observed below or irrelevant once ready
    child.once('exit', (code, signal) => this.onExit(child, code, signal));

    try {
      await Promise.race([
        probeJanusApi(this.opts.apiUrl, this.opts.apiSecret, { timeoutMs: this.opts.readyTimeoutMs }),
        exited,
      ]);
    } catch (err) {
      child.kill('SIGKILL');
      throw err instanceof Error ? err : new Error(String(err));
    }
    const startupMs = Math.round(performance.now() - t0);
    this.opts.logger.info('janus ready', { pid: child.pid, startupMs });
    this.emit('ready', { pid: child.pid ?? 0, startupMs });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.stopping) {
      this.opts.logger.info('janus stopped', { code, signal });
      return;
    }
    this.opts.logger.warn('janus exited unexpectedly', { code, signal });
    if (Date.now() - this.startedAt > STABLE_MS) this.backoffMs = this.opts.minBackoffMs;
    this.emit('exit', { code, signal });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping || this.child) return;
      resolveBinary(this.opts.binary)
        .then((binary) => this.spawnAndWait(binary))
        .catch((err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          this.opts.logger.error('janus restart failed', { error });
          this.emit('failed', error);
          // spawnAndWait killed the child; its exit handler clears it. Try again later.
          if (!this.child) this.scheduleRestart();
          else this.child.once('exit', () => this.scheduleRestart());
        });
    }, delay);
  }

  /** Janus's lines go to debug logging, cut to a bounded length and rate. */
  private captureOutput(child: ChildProcess): void {
    const log = this.opts.logger;
    const onLine = (line: string): void => {
      const now = Date.now();
      const b = this.outputBudget;
      if (now - b.windowStart > 60_000) {
        if (b.dropped > 0) log.debug('janus output dropped', { lines: b.dropped });
        this.outputBudget = { windowStart: now, lines: 0, dropped: 0 };
      }
      if (++this.outputBudget.lines > OUTPUT_LINES_PER_MINUTE) {
        this.outputBudget.dropped++;
        return;
      }
      if (line.trim() === '') return;
      log.debug('janus output', { line: line.slice(0, OUTPUT_LINE_MAX) });
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        // An endless line without newline must not grow memory without bound.
        if (pending.length > 4 * OUTPUT_LINE_MAX) pending = pending.slice(0, OUTPUT_LINE_MAX);
        for (const line of lines) onLine(line);
      });
    }
  }
}

/** Resolves `janus` through PATH so that a missing package gives a clear message instead of ENOENT. */
async function resolveBinary(binary: string): Promise<string> {
  const candidates = isAbsolute(binary) || binary.includes('/')
    ? [binary]
    : (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).filter(Boolean).map((d) => join(d, binary));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // try the next PATH entry
    }
  }
  throw new JanusNotInstalledError(binary);
}

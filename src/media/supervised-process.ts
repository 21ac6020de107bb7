/**
 * Supervises one helper daemon Sabha starts itself (Janus, coturn's turnserver): spawn it on its private
 * config, wait until a readiness probe succeeds, restart it with backoff if it dies, stop it (SIGTERM, then
 * SIGKILL) on shutdown. Its output is captured into the logger at debug level, bounded in length and rate,
 * because it would otherwise go to a terminal nobody reads or to /var/log.
 *
 * What differs per daemon (command line, readiness probe, the error for a missing binary) comes in as a
 * `SupervisedProcessSpec`; JanusProcess and TurnProcess are thin subclasses that build one.
 *
 * Restart policy: the first restart waits `minBackoffMs` (250 ms), each further one twice as long up to
 * `maxBackoffMs` (10 s); the delay goes back to the minimum once a process stayed up for a minute.
 *
 * Events: `ready` each time a (re)started process passes its probe; `exit` when it died without being asked
 * to; `failed` when a restart attempt did not come up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Logger } from '../log/logger.ts';

export interface SupervisedProcessEvents {
  ready: [info: { pid: number; startupMs: number }];
  exit: [info: { code: number | null; signal: NodeJS.Signals | null }];
  failed: [error: Error];
}

/** Tuning shared by every supervised daemon; an option given as undefined keeps its default. */
export interface SupervisionTiming {
  /** How long a start may take before it counts as failed. */
  readyTimeoutMs?: number;
  /** How long the process gets to exit after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  /** First restart delay; doubles up to `maxBackoffMs`, reset once the process stayed up for a minute. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface SupervisedProcessSpec extends SupervisionTiming {
  /** The daemon's name in log messages and errors ("janus", "turnserver"). */
  name: string;
  /** A command looked up in PATH, or a path. */
  binary: string;
  args: readonly string[];
  /** The private directory, so that nothing relative lands elsewhere. */
  cwd: string;
  /** Resolves once the freshly spawned daemon serves; rejects after `timeoutMs`. */
  waitUntilReady: (timeoutMs: number) => Promise<unknown>;
  /** The error for a binary that is not installed: it names the package to install. */
  notInstalledError: (binary: string) => Error;
  outputLinesPerMinute: number;
  logger: Logger;
}

const OUTPUT_LINE_MAX = 300;
const STABLE_MS = 60_000;
const DEFAULT_TIMING: Required<SupervisionTiming> = { readyTimeoutMs: 15_000, stopTimeoutMs: 3_000, minBackoffMs: 250, maxBackoffMs: 10_000 };

export class SupervisedProcess extends EventEmitter<SupervisedProcessEvents> {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private startedAt = 0;
  private outputBudget = { windowStart: 0, lines: 0, dropped: 0 };
  private readonly spec: SupervisedProcessSpec & Required<SupervisionTiming>;

  constructor(spec: SupervisedProcessSpec) {
    super();
    this.spec = {
      ...DEFAULT_TIMING,
      ...Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)),
    } as SupervisedProcess['spec'];
    this.backoffMs = this.spec.minBackoffMs;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Spawns the daemon and resolves once its probe succeeds; rejects (and kills it) otherwise. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.spec.name} is already running`);
    this.stopping = false;
    await this.spawnAndWait(await this.resolveBinary());
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
      const kill = setTimeout(() => child.kill('SIGKILL'), this.spec.stopTimeoutMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private async spawnAndWait(binary: string): Promise<void> {
    const { name, logger } = this.spec;
    const t0 = performance.now();
    // A minimal environment: the daemon needs PATH and a plain locale, nothing of Sabha's.
    const child = spawn(binary, [...this.spec.args], {
      cwd: this.spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
    });
    this.child = child;
    this.startedAt = Date.now();
    this.captureOutput(child);

    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(err));
      child.once('exit', (code, signal) => reject(new Error(`${name} exited during startup (code ${code}, signal ${signal})`)));
    });
    exited.catch(() => {}); // observed below or irrelevant once ready
    child.once('exit', (code, signal) => this.onExit(child, code, signal));

    try {
      await Promise.race([this.spec.waitUntilReady(this.spec.readyTimeoutMs), exited]);
    } catch (err) {
      child.kill('SIGKILL');
      throw err instanceof Error ? err : new Error(String(err));
    }
    const startupMs = Math.round(performance.now() - t0);
    logger.info(`${name} ready`, { pid: child.pid, startupMs });
    this.emit('ready', { pid: child.pid ?? 0, startupMs });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.stopping) {
      this.spec.logger.info(`${this.spec.name} stopped`, { code, signal });
      return;
    }
    this.spec.logger.warn(`${this.spec.name} exited unexpectedly`, { code, signal });
    if (Date.now() - this.startedAt > STABLE_MS) this.backoffMs = this.spec.minBackoffMs;
    this.emit('exit', { code, signal });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.spec.maxBackoffMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping || this.child) return;
      this.resolveBinary()
        .then((binary) => this.spawnAndWait(binary))
        .catch((err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          this.spec.logger.error(`${this.spec.name} restart failed`, { error });
          this.emit('failed', error);
          // spawnAndWait killed the child; its exit handler clears it. Try again later.
          if (!this.child) this.scheduleRestart();
          else this.child.once('exit', () => this.scheduleRestart());
        });
    }, delay);
  }

  /** The daemon's lines go to debug logging, cut to a bounded length and rate. */
  private captureOutput(child: ChildProcess): void {
    const { name, logger: log, outputLinesPerMinute } = this.spec;
    const onLine = (line: string): void => {
      const now = Date.now();
      const b = this.outputBudget;
      if (now - b.windowStart > 60_000) {
        if (b.dropped > 0) log.debug(`${name} output dropped`, { lines: b.dropped });
        this.outputBudget = { windowStart: now, lines: 0, dropped: 0 };
      }
      if (++this.outputBudget.lines > outputLinesPerMinute) {
        this.outputBudget.dropped++;
        return;
      }
      if (line.trim() === '') return;
      log.debug(`${name} output`, { line: line.slice(0, OUTPUT_LINE_MAX) });
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

  /** Resolves the binary through PATH so that a missing package gives a clear message instead of ENOENT. */
  private async resolveBinary(): Promise<string> {
    const binary = this.spec.binary;
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
    throw this.spec.notInstalledError(binary);
  }
}

/**
 * The timers of one meeting. It ends if no host came within `unstartedMeetingMs`, when it stayed empty for
 * `emptyMeetingMs`, and `maxDurationMs` after the host's first arrival; auto-lock locks it `autoLockMinutes`
 * after that arrival. Every timer is unref'd (none keeps the process up), and setting one replaces any
 * running timer of the same name.
 */
import type { LeaveReason } from '../../protocol/index.ts';

type TimerName = 'empty' | 'unstarted' | 'max-duration' | 'auto-lock';

export interface ClockLimits {
  emptyMeetingMs: number;
  unstartedMeetingMs: number;
  maxDurationMs: number | null;
}

export interface ClockActions {
  end(reason: LeaveReason): void;
  lock(): void;
}

export class MeetingClock {
  readonly #timers = new Map<TimerName, NodeJS.Timeout>();
  readonly #limits: ClockLimits;
  readonly #actions: ClockActions;

  /** Starts the wait for the host at once. */
  constructor(limits: ClockLimits, actions: ClockActions) {
    this.#limits = limits;
    this.#actions = actions;
    this.#set('unstarted', limits.unstartedMeetingMs, () => actions.end('idle'));
  }

  /** The host's first arrival starts the clock of auto-lock and maximum duration. */
  started(startedAt: number, autoLockMinutes: number | null): void {
    this.#clear('unstarted');
    if (this.#limits.maxDurationMs !== null) this.#set('max-duration', this.#limits.maxDurationMs, () => this.#actions.end('max-duration'));
    this.scheduleAutoLock(startedAt, autoLockMinutes);
  }

  /** Auto-lock counts from the start, so a later setting may be due at once. */
  scheduleAutoLock(startedAt: number | undefined, minutes: number | null): void {
    this.#clear('auto-lock');
    if (minutes === null || startedAt === undefined) return;
    const due = startedAt + minutes * 60_000 - Date.now();
    this.#set('auto-lock', Math.max(0, due), () => this.#actions.lock());
  }

  /** Someone is in the meeting: it is not empty. */
  occupied(): void {
    this.#clear('empty');
  }

  /** The last joined person left; waiting people neither start nor stop this clock. */
  emptied(): void {
    this.#set('empty', this.#limits.emptyMeetingMs, () => this.#actions.end('idle'));
  }

  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #set(name: TimerName, ms: number, action: () => void): void {
    this.#clear(name);
    const timer = setTimeout(action, ms);
    timer.unref();
    this.#timers.set(name, timer);
  }

  #clear(name: TimerName): void {
    clearTimeout(this.#timers.get(name));
    this.#timers.delete(name);
  }
}

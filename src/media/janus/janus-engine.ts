/**
 * MediaEngine on Janus 1.1.x's VideoRoom, through janode.
 *
 * Two ways to get a Janus: `spawn` writes a private config (random api_secret and
 * admin_key) and supervises a Janus process of its own; `external` connects to one
 * that is already running, given its URL, api_secret and admin_key.
 *
 * States: new → starting → up ⇄ down → closed.
 *   up → down: the connection, the Janus session or (spawn) the process died. The
 *     engine emits `down`, then every room is lost locally (no request) and each
 *     publisher and subscriber emits `hangup`.
 *   down → up: a new connection and session work again (spawn: after the supervisor
 *     restarted Janus); the engine emits `up`. Retries back off up to 10 s.
 *   down, given up: the outage policy (../outage-policy.ts) says this outage lasts too
 *     long or is one crash too many: the engine emits `failed` (once per outage) and
 *     stays down, still trying, so that later meetings work if Janus comes back.
 */
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import Janode from 'janode';
import type { MediaEngine, MediaEngineEvents, MediaRoom } from '../engine.ts';
import { OutagePolicy, type OutagePolicyOptions } from '../outage-policy.ts';
import { rootLogger, type Logger } from '../../log/logger.ts';
import { writeJanusConfig, JanusConfigOptionsSchema } from './config-writer.ts';
import { JanusProcess } from './process.ts';
import { JanusLink } from './link.ts';
import { JanusRoom } from './room.ts';
import { randomSecret } from './ids.ts';

const SpawnOptions = z.strictObject({
  mode: z.literal('spawn'),
  /** Private directory for Janus's config; created with mode 0700. */
  dir: JanusConfigOptionsSchema.shape.dir,
  apiPort: JanusConfigOptionsSchema.shape.apiPort,
  rtpPortRange: JanusConfigOptionsSchema.shape.rtpPortRange,
  iceEnforceList: JanusConfigOptionsSchema.shape.iceEnforceList,
  nat1to1: JanusConfigOptionsSchema.shape.nat1to1,
  keepPrivateHost: z.boolean().optional(),
  stun: JanusConfigOptionsSchema.shape.stun,
  logLevel: z.number().int().min(0).max(7).optional(),
  libDir: z.string().optional(),
  binary: z.string().min(1).optional(),
  readyTimeoutMs: z.number().int().positive().optional(),
});

const ExternalOptions = z.strictObject({
  mode: z.literal('external'),
  url: z.string().regex(/^wss?:\/\//, 'ws:// or wss:// URL'),
  apiSecret: z.string().min(1),
  adminKey: z.string().min(1),
});

export const JanusEngineOptionsSchema = z.discriminatedUnion('mode', [SpawnOptions, ExternalOptions]);
export type JanusEngineOptions = z.input<typeof JanusEngineOptionsSchema> & {
  logger?: Logger;
  requestTimeoutMs?: number;
  /** When to give up on a Janus that does not come back (default: DEFAULT_OUTAGE_POLICY). */
  outagePolicy?: Partial<OutagePolicyOptions>;
};

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

export class JanusEngine extends EventEmitter<MediaEngineEvents> implements MediaEngine {
  private currentState: MediaEngine['state'] = 'new';
  private readonly options: z.output<typeof JanusEngineOptionsSchema>;
  private readonly log: Logger;
  private readonly requestTimeoutMs: number;
  private link: JanusLink | null = null;
  private process: JanusProcess | null = null;
  private readonly rooms = new Set<JanusRoom>();
  private apiUrl = '';
  private apiSecret = '';
  private adminKeyValue = '';
  private recovering = false;
  private wakeRecovery: (() => void) | null = null;
  private readonly outagePolicy: OutagePolicy;
  private giveUpTimer: NodeJS.Timeout | null = null;

  constructor(options: JanusEngineOptions) {
    super();
    const { logger, requestTimeoutMs, outagePolicy, ...rest } = options;
    this.options = JanusEngineOptionsSchema.parse(rest);
    this.outagePolicy = new OutagePolicy(outagePolicy);
    this.log = (logger ?? rootLogger).child('janus');
    this.requestTimeoutMs = requestTimeoutMs ?? 10_000;
  }

  get state(): MediaEngine['state'] {
    return this.currentState;
  }

  /** Process id of the Janus this engine started (spawn mode), for tests and diagnostics. */
  get janusPid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    if (this.currentState !== 'new') throw new Error(`cannot start a media engine in state ${this.currentState}`);
    this.currentState = 'starting';
    // janode logs whole Janus messages (SDP, secrets) to the console, past Sabha's redactor.
    Janode.Logger.setLevel('none');
    try {
      const o = this.options;
      if (o.mode === 'spawn') {
        this.apiSecret = randomSecret();
        this.adminKeyValue = randomSecret();
        this.apiUrl = `ws://127.0.0.1:${o.apiPort}`;
        const files = await writeJanusConfig({
          dir: o.dir, apiPort: o.apiPort, apiSecret: this.apiSecret, adminKey: this.adminKey,
          rtpPortRange: o.rtpPortRange, iceEnforceList: o.iceEnforceList, nat1to1: o.nat1to1,
          keepPrivateHost: o.keepPrivateHost, stun: o.stun, logLevel: o.logLevel, libDir: o.libDir,
        });
        this.process = new JanusProcess({
          binary: o.binary, mainConfig: files.mainConfig, configDir: files.dir, apiUrl: this.apiUrl,
          apiSecret: this.apiSecret, logger: this.log.child('process'), readyTimeoutMs: o.readyTimeoutMs,
        });
        this.process.on('exit', ({ code, signal }) => this.onLinkLost(`Janus exited (code ${code}, signal ${signal})`));
        this.process.on('ready', () => this.wakeRecovery?.());
        await this.process.start();
      } else {
        this.apiUrl = o.url;
        this.apiSecret = o.apiSecret;
        this.adminKeyValue = o.adminKey;
      }
      this.adopt(await JanusLink.open(this.apiUrl, this.apiSecret, this.requestTimeoutMs));
      if (this.currentState !== 'starting') throw new Error('media engine closed while starting');
      this.currentState = 'up';
      this.log.info('media engine up', { mode: o.mode });
    } catch (err) {
      await this.shutdown();
      this.currentState = 'closed';
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.clearGiveUpTimer();
    this.wakeRecovery?.();
    await Promise.all([...this.rooms].map((r) => r.close()));
    await this.shutdown();
  }

  async createRoom(options: { maxPublishers: number }): Promise<MediaRoom> {
    const max = options?.maxPublishers;
    if (!Number.isInteger(max) || max < 1 || max > 4096) throw new TypeError('maxPublishers must be an integer from 1 to 4096');
    const link = this.link;
    if (this.currentState !== 'up' || !link) throw new Error(`media engine is ${this.currentState}`);
    const room = await JanusRoom.create(this, link, max);
    if (link !== this.link || this.currentState !== 'up') {
      room.lost('media engine down');
      throw new Error('media engine went down while creating the room');
    }
    this.rooms.add(room);
    return room;
  }

  /** The VideoRoom admin_key: rooms can be created only with it. */
  get adminKey(): string {
    return this.adminKeyValue;
  }

  get logger(): Logger {
    return this.log;
  }

  removeRoom(room: JanusRoom): void {
    this.rooms.delete(room);
  }

  private adopt(link: JanusLink): void {
    this.link = link;
    link.once('lost', (reason) => this.onLinkLost(reason));
  }

  private onLinkLost(reason: string): void {
    if (this.currentState !== 'up') return;
    this.currentState = 'down';
    this.log.warn('media engine down', { reason });
    const link = this.link;
    this.link = null;
    link?.removeAllListeners();
    void link?.close();
    const rooms = [...this.rooms];
    this.rooms.clear();
    // Owners hear `down` first, so that they know why their publishers and subscribers hang up next.
    this.emit('down', reason);
    for (const room of rooms) room.lost('media engine down');
    const verdict = this.outagePolicy.outageStarted();
    if (verdict.action === 'give-up') this.giveUp(verdict.reason);
    else this.giveUpTimer = setTimeout(() => this.giveUp(`not back within ${verdict.giveUpInMs} ms`), verdict.giveUpInMs);
    void this.recover();
  }

  private giveUp(reason: string): void {
    this.clearGiveUpTimer();
    if (this.currentState !== 'down') return;
    this.log.error('media engine failed: giving up on this outage', { reason });
    this.emit('failed', reason);
  }

  private clearGiveUpTimer(): void {
    if (this.giveUpTimer) clearTimeout(this.giveUpTimer);
    this.giveUpTimer = null;
  }

  private async recover(): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    let backoff = MIN_BACKOFF_MS;
    try {
      while (this.currentState === 'down') {
        // Spawn mode: nothing to try until the supervisor has a Janus that answers.
        if (!this.process || this.process.running) {
          try {
            const link = await JanusLink.open(this.apiUrl, this.apiSecret, this.requestTimeoutMs);
            if (this.currentState !== 'down') {
              await link.close();
              return;
            }
            this.adopt(link);
            this.currentState = 'up';
            this.clearGiveUpTimer();
            this.log.info('media engine up again');
            this.emit('up');
            return;
          } catch (error) {
            this.log.debug('reconnect failed', { error });
          }
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, backoff);
          function done(): void {
            clearTimeout(timer);
            resolve();
          }
          this.wakeRecovery = done;
        });
        this.wakeRecovery = null;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    } finally {
      this.recovering = false;
    }
  }

  private async shutdown(): Promise<void> {
    const link = this.link;
    this.link = null;
    link?.removeAllListeners();
    await link?.close();
    await this.process?.stop();
  }
}

/**
 * Sends invitation e-mails through the organisation's SMTP server (`smtp` in the configuration), off the
 * request path: a schedule's creation queues one mail per invitee and answers at once; a small worker sends them
 * one after the other, retrying a failed one with growing delays (a mail server that is down for a while still
 * gets them), and gives up on a mail after the last retry.
 *
 * Logs carry counts and the mail server's error code only: never an address, a link or a title.
 *
 * Mailer states: idle (nothing queued) ⇄ sending (the worker runs) → closed (close(): pending mails are dropped,
 * nothing more is accepted).
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { Logger } from '../../log/logger.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  /** The sender, e.g. `Sabha <meet@example.org>`. */
  from: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The .ics attachment (RFC 5545, METHOD:REQUEST). */
  calendar: string;
}

/** Waits before the 2nd, 3rd… attempt of one mail; after the last, the mail is dropped (and the failure logged). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [2_000, 10_000, 60_000, 300_000, 1_800_000];
/** A bound on what waits in memory: past it, new mails are refused (and counted in the log). */
const MAX_QUEUED = 10_000;

export interface MailerOptions {
  smtp: SmtpSettings;
  log: Logger;
  retryDelaysMs?: readonly number[];
  /** For tests: the transport to send with; default, nodemailer's SMTP transport for `smtp`. */
  transport?: Pick<Transporter, 'sendMail' | 'close'>;
}

interface Pending {
  mail: OutgoingMail;
  attempts: number;
}

export class InvitationMailer {
  readonly #transport: Pick<Transporter, 'sendMail' | 'close'>;
  readonly #from: string;
  readonly #log: Logger;
  readonly #retryDelaysMs: readonly number[];
  readonly #queue: Pending[] = [];
  #state: 'idle' | 'sending' | 'closed' = 'idle';
  #retryTimer: NodeJS.Timeout | undefined;
  #idleWaiters: (() => void)[] = [];
  /** Counts for tests and the log. */
  sent = 0;
  failed = 0;

  constructor(options: MailerOptions) {
    const { smtp } = options;
    this.#from = smtp.from;
    this.#log = options.log;
    this.#retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#transport =
      options.transport ??
      createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
      });
  }

  /** Queues mails; returns how many were accepted (all, unless the queue is full or the mailer closed). */
  enqueue(mails: readonly OutgoingMail[]): number {
    if (this.#state === 'closed') return 0;
    const room = Math.max(0, MAX_QUEUED - this.#queue.length);
    const accepted = mails.slice(0, room);
    if (accepted.length < mails.length) this.#log.warn('invitation mail queue full: mails dropped', { dropped: mails.length - accepted.length });
    for (const mail of accepted) this.#queue.push({ mail, attempts: 0 });
    this.#kick();
    return accepted.length;
  }

  /** Resolves when nothing is queued or being sent (for tests and shutdown). */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#state !== 'sending') return Promise.resolve();
    return new Promise((done) => this.#idleWaiters.push(done));
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#retryTimer);
    this.#queue.length = 0;
    this.#transport.close();
    for (const done of this.#idleWaiters.splice(0)) done();
  }

  #kick(): void {
    if (this.#state !== 'idle' || this.#retryTimer !== undefined) return;
    this.#state = 'sending';
    void this.#drain();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && this.#state === 'sending') {
      const pending = this.#queue[0]!;
      try {
        await this.#send(pending.mail);
        this.#queue.shift();
        this.sent += 1;
      } catch (error) {
        pending.attempts += 1;
        const delay = this.#retryDelaysMs[pending.attempts - 1];
        const code = mailErrorCode(error);
        if (delay === undefined) {
          this.#queue.shift();
          this.failed += 1;
          this.#log.error('invitation mail failed for good', { attempts: pending.attempts, code });
          continue;
        }
        this.#log.warn('invitation mail failed; will retry', { attempts: pending.attempts, code, retryInMs: delay });
        // The mail server is likely down for all of them: wait before trying the queue again.
        if (this.#state === 'sending') this.#state = 'idle';
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.#kick();
        }, delay);
        this.#retryTimer.unref();
        return;
      }
    }
    if (this.#state === 'sending') this.#state = 'idle';
    if (this.#queue.length === 0) for (const done of this.#idleWaiters.splice(0)) done();
  }

  async #send(mail: OutgoingMail): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      attachments: [{ filename: 'invitation.ics', content: mail.calendar, contentType: 'text/calendar; charset=utf-8; method=REQUEST' }],
    });
  }
}

/** A short code from a mail error (nodemailer's `code` or the server's reply code), never its text. */
function mailErrorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
    if (typeof responseCode === 'number') return String(responseCode);
    if (typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code)) return code;
  }
  return 'unknown';
}

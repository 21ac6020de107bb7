/**
 * The invitation mailer (src/server/schedules/mailer.ts): off the request path, retried with delays, given up
 * after the last retry, and never logging an address or a link.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '../../src/log/logger.ts';
import { InvitationMailer, type OutgoingMail } from '../../src/server/schedules/mailer.ts';

const smtp = { host: '127.0.0.1', port: 1, secure: false, from: 'Sabha <meet@example.org>' };
const mail = (to: string): OutgoingMail => ({ to, subject: 'Invitation: Secret title', text: 'https://meet.example.org/i/TOKEN', calendar: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' });

function flakyTransport(failures: number) {
  const delivered: string[] = [];
  let calls = 0;
  return {
    delivered,
    get calls() {
      return calls;
    },
    transport: {
      sendMail: async (message: { to?: unknown }) => {
        calls += 1;
        if (calls <= failures) throw Object.assign(new Error('connect ECONNREFUSED priya@example.org'), { code: 'ECONNECTION' });
        delivered.push(String(message.to));
        return {};
      },
      close: () => undefined,
    },
  };
}

describe('invitation mailer', () => {
  it('queues without waiting, retries a failed mail, and delivers every mail once', async () => {
    const lines: string[] = [];
    const log = new Logger('test', 'debug', (line) => lines.push(line));
    const flaky = flakyTransport(2);
    const mailer = new InvitationMailer({ smtp, log, retryDelaysMs: [5, 5, 5], transport: flaky.transport as never });
    assert.equal(mailer.enqueue([mail('priya@example.org'), mail('ravi@example.org')]), 2);
    await mailer.idle();
    assert.deepEqual(flaky.delivered, ['priya@example.org', 'ravi@example.org']);
    assert.equal(flaky.calls, 4);
    assert.equal(mailer.sent, 2);
    assert.equal(mailer.failed, 0);
    assert.ok(lines.some((l) => l.includes('will retry')), 'the failures were logged');
    for (const line of lines) assert.ok(!/example\.org|TOKEN|Secret/.test(line), `a log line leaks: ${line}`);
    mailer.close();
  });

  it('gives a mail up after the last retry and goes on with the next', async () => {
    const lines: string[] = [];
    const log = new Logger('test', 'debug', (line) => lines.push(line));
    const flaky = flakyTransport(3);
    const mailer = new InvitationMailer({ smtp, log, retryDelaysMs: [5, 5], transport: flaky.transport as never });
    mailer.enqueue([mail('first@example.org'), mail('second@example.org')]);
    await mailer.idle();
    assert.equal(mailer.failed, 1);
    assert.deepEqual(flaky.delivered, ['second@example.org']);
    assert.ok(lines.some((l) => l.includes('failed for good') && l.includes('ECONNECTION')));
    for (const line of lines) assert.ok(!line.includes('example.org'), `a log line leaks an address: ${line}`);
    mailer.close();
  });
});

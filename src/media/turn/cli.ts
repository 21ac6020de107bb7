/**
 * Cancels relay allocations through coturn's management CLI, so that a participant who leaves keeps no
 * relay: `psp :<reference>` lists the sessions whose username ends with the grant's reference, and
 * `cs <id>` cancels each. The CLI listens on 127.0.0.1 only, on a port and with a password that Sabha makes
 * at each start and writes only into coturn's private config.
 *
 * One command exchange at a time (a queue): the CLI is a line-oriented telnet-like prompt.
 */
import { connect } from 'node:net';

const PROMPT = '> ';
const TIMEOUT_MS = 3000;

export class TurnCli {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly port: number,
    private readonly password: string,
  ) {}

  /** Cancels every session whose username is "<expiry>:<reference>"; resolves with how many. */
  cancelSessionsOf(reference: string): Promise<number> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(reference)) return Promise.reject(new TypeError('bad reference'));
    const run = this.queue.then(() => this.exchange(async (command) => {
      const listing = await command(`psp :${reference}`);
      const ids = [...listing.matchAll(/id=(\d+), user <(\d+):([A-Za-z0-9_-]+)>/g)].filter((m) => m[3] === reference).map((m) => m[1]!);
      for (const id of ids) await command(`cs ${id}`);
      return ids.length;
    }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private exchange<T>(body: (command: (line: string) => Promise<string>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const socket = connect(this.port, '127.0.0.1');
      let buffer = '';
      let waiting: ((text: string) => void) | null = null;
      const timer = setTimeout(() => fail(new Error('the TURN CLI did not answer')), TIMEOUT_MS);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.setEncoding('latin1');
      socket.on('error', fail);
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        if (buffer.length > 1_000_000) return fail(new Error('the TURN CLI said too much'));
        if (waiting && buffer.endsWith(PROMPT)) {
          const text = buffer;
          buffer = '';
          const w = waiting;
          waiting = null;
          w(text);
        }
      });
      const untilPrompt = () => new Promise<string>((r) => (waiting = r));
      const command = async (line: string) => {
        const answer = untilPrompt();
        socket.write(`${line}\r\n`);
        return answer;
      };
      socket.once('connect', () => {
        void (async () => {
          // The CLI asks for the password first, then shows its prompt.
          await new Promise<void>((r, j) => {
            const started = Date.now();
            const check = () => {
              if (buffer.includes('password')) r();
              else if (Date.now() - started > TIMEOUT_MS) j(new Error('the TURN CLI asked for no password'));
              else setTimeout(check, 10);
            };
            check();
          });
          buffer = '';
          await command(this.password);
          const result = await body(command);
          socket.end('quit\r\n');
          clearTimeout(timer);
          resolve(result);
        })().catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
      });
    });
  }
}

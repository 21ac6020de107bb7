/**
 * Asks a TURN server whether it is up and accepts Sabha's credentials: an Allocate with a fresh credential,
 * repeated until it succeeds or a deadline passes, then the allocation is released (Refresh, lifetime 0).
 *
 * The successful Allocate matters beyond readiness: coturn opens its (private, empty) SQLite database on
 * the first authenticated request, and two threads doing that at once left it "locked" and refusing every
 * credential (measured with Chromium's parallel allocations). One allocation at start does it first, alone.
 */
import { TurnClient } from './turn-client.ts';

export interface ProbeCredential {
  username: string;
  credential: string;
}

export async function probeTurnServer(
  address: string,
  port: number,
  options: { timeoutMs: number; intervalMs?: number; credential: () => ProbeCredential },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const { username, credential } = options.credential();
    const client = new TurnClient({ address, port }, username, credential, { timeoutMs: Math.min(1000, Math.max(100, deadline - Date.now())) });
    try {
      const answer = await client.allocate();
      if (answer.ok) {
        await client.refresh(0).catch(() => undefined);
        return;
      }
      last = `error ${answer.code}`;
    } catch (error) {
      last = (error as Error).message;
    } finally {
      client.close();
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
  throw new Error(`TURN server at ${address}:${port} did not accept a credential within ${options.timeoutMs} ms (${last})`);
}

/**
 * Asks a Janus API WebSocket to create (and destroy) a session until it answers or
 * time runs out. An open port is not enough, and `info` is answered even without
 * the api_secret: a session proves the transport, the core and the secret all work.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { z } from 'zod';

const Reply = z.object({
  janus: z.string(),
  transaction: z.string().optional(),
  error: z.object({ code: z.number(), reason: z.string() }).optional(),
  data: z.object({ id: z.number() }).optional(),
  version: z.number().optional(),
});

export class JanusApiRejectedError extends Error {
  constructor(code: number) {
    super(`Janus API refused to create a session (code ${code}): wrong api_secret?`);
    this.name = 'JanusApiRejectedError';
  }
}

export async function probeJanusApi(
  url: string,
  apiSecret: string,
  { timeoutMs = 10_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<{ version: number | undefined }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      return await askInfo(url, apiSecret, Math.max(200, deadline - Date.now()));
    } catch (err) {
      if (err instanceof JanusApiRejectedError) throw err;
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const why = lastError instanceof Error ? lastError.message : 'no answer';
  throw new Error(`Janus API at ${url} did not answer within ${timeoutMs} ms (${why})`);
}

function askInfo(url: string, apiSecret: string, timeoutMs: number): Promise<{ version: number | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'janus-protocol', { handshakeTimeout: timeoutMs });
    const tx = { info: randomUUID(), create: randomUUID(), destroy: randomUUID() };
    let version: number | undefined;
    const timer = setTimeout(() => finish(new Error('timeout')), timeoutMs);
    const finish = (err: Error | null): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      if (err) reject(err);
      else resolve({ version });
    };
    ws.on('error', (err) => finish(err));
    ws.on('close', () => finish(new Error('closed')));
    const send = (msg: Record<string, unknown>): void => ws.send(JSON.stringify({ ...msg, apisecret: apiSecret }));
    ws.on('open', () => send({ janus: 'info', transaction: tx.info }));
    ws.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return;
      }
      const parsed = Reply.safeParse(json);
      if (!parsed.success) return;
      const r = parsed.data;
      if (r.janus === 'error') return finish(new JanusApiRejectedError(r.error?.code ?? 0));
      if (r.transaction === tx.info && r.janus === 'server_info') {
        version = r.version;
        send({ janus: 'create', transaction: tx.create });
      } else if (r.transaction === tx.create && r.janus === 'success' && r.data) {
        send({ janus: 'destroy', transaction: tx.destroy, session_id: r.data.id });
      } else if (r.transaction === tx.destroy && r.janus === 'success') {
        finish(null);
      }
    });
  });
}

/** Facts about this machine's network that Sabha needs when it runs Janus itself. */
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';

/** A TCP port on 127.0.0.1 that was free a moment ago (for the spawned Janus API when none is configured). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The first interface with a non-internal IPv4 address, and that address: where browsers on
 * this machine or network reach Janus. Undefined when there is none.
 */
export function lanInterface(): { name: string; address: string } | undefined {
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const v4 = (infos ?? []).find((i) => !i.internal && i.family === 'IPv4');
    if (v4) return { name, address: v4.address };
  }
  return undefined;
}

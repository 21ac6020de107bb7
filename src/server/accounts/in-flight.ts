/**
 * Closes the gap between "may this attempt run?" and "it failed": a throttle is checked before an Argon2 hash
 * that takes tens of milliseconds, so without this an attacker sending many attempts at once would have them all
 * pass the check before the first failure is counted. Each attempt holds its keys (the account, the address)
 * while it runs; an attempt whose key is already at its limit is answered "slow down" at once.
 */
export class InFlight {
  private readonly held = new Map<string, number>();

  /** Holds every key, or none when one is at its limit; returns the release, or undefined. */
  tryHold(keys: ReadonlyArray<readonly [key: string, limit: number]>): (() => void) | undefined {
    if (keys.some(([key, limit]) => (this.held.get(key) ?? 0) >= limit)) return undefined;
    for (const [key] of keys) this.held.set(key, (this.held.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const [key] of keys) {
        const left = (this.held.get(key) ?? 1) - 1;
        if (left <= 0) this.held.delete(key);
        else this.held.set(key, left);
      }
    };
  }
}

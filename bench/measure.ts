/** Small measuring helpers shared by the benchmarks. */

/** The middle sample (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Runs `run` and returns its value with its wall time in milliseconds. */
export async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await run();
  return [value, performance.now() - start];
}

/** A participant id (16 hex digits) made from a number, for synthetic members. */
export function participantIdOf(n: number): string {
  return n.toString(16).padStart(16, '0');
}

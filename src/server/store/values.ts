import type { SqlValue } from './database.ts';

/** Checks parameters at run time (repositories pass what callers gave them): a wrong type is a TypeError. */
export function checkParams(params: readonly SqlValue[] | undefined): readonly SqlValue[] {
  if (params === undefined) return [];
  if (!Array.isArray(params)) throw new TypeError('SQL parameters must be an array');
  params.forEach((value: unknown, index) => {
    if (value === null || typeof value === 'string' || value instanceof Uint8Array) return;
    if (typeof value === 'number' && Number.isFinite(value)) return;
    throw new TypeError(`SQL parameter ${index + 1} is not a string, finite number, Uint8Array or null`);
  });
  return params;
}

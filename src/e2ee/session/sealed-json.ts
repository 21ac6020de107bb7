/**
 * The one JSON shape every sealed MLS application payload uses (chat, signals, polls, recording consent): UTF-8
 * JSON checked against a strict schema on both sides. Sending refuses what the schema refuses, so a UI bug
 * fails loudly here; receiving treats anything malformed (bad UTF-8, bad JSON, unknown kinds or fields) as
 * not a message at all, because it came from another member's browser and is not to be trusted.
 */
import type * as z from 'zod/mini';

/** The bytes to seal for `value`, as the schema outputs it; throws TypeError(`refusal`) if the schema refuses it. */
export function encodeSealed<S extends z.ZodMiniType>(schema: S, value: z.input<S>, refusal: string): Uint8Array {
  const checked = schema.safeParse(value);
  if (!checked.success) throw new TypeError(refusal);
  return new TextEncoder().encode(JSON.stringify(checked.data));
}

/** The schema's output for opened bytes, or undefined for anything that is not well-formed UTF-8 JSON it accepts. */
export function decodeSealed<S extends z.ZodMiniType>(schema: S, bytes: Uint8Array): z.output<S> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  const checked = schema.safeParse(value);
  return checked.success ? checked.data : undefined;
}

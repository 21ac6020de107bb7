/**
 * The devices and audio/video processing a person chose last time, so that the next pre-join screen opens
 * them. Kept in localStorage under one key, as device ids and switches only: never device labels (they can
 * name a person, "Asha's AirPods"), and nothing about meetings. Device ids are per origin in browsers
 * already, and a stored id that no longer exists just falls back to the default device.
 */
import * as z from 'zod/mini';

export const DEVICE_PREFERENCES_KEY = 'sabha.devices';

const deviceId = z.string().check(z.maxLength(256));
const stored = z.strictObject({
  microphone: z.optional(deviceId),
  camera: z.optional(deviceId),
  speaker: z.optional(deviceId),
  noiseSuppression: z.optional(z.boolean()),
  backgroundBlur: z.optional(z.boolean()),
});
export type DevicePreferences = z.infer<typeof stored>;

/** The part of the Web Storage API used (localStorage, or a Map-backed one in tests). */
export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function defaultStorage(): PreferenceStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage blocked: choices last for this page only
  }
}

export class DevicePreferenceStore {
  readonly #storage: PreferenceStorage | null;

  constructor(storage: PreferenceStorage | null = defaultStorage()) {
    this.#storage = storage;
  }

  /** What was stored; anything malformed counts as nothing stored. */
  load(): DevicePreferences {
    try {
      const raw = this.#storage?.getItem(DEVICE_PREFERENCES_KEY);
      if (!raw) return {};
      const checked = stored.safeParse(JSON.parse(raw));
      return checked.success ? checked.data : {};
    } catch {
      return {};
    }
  }

  update(change: Partial<DevicePreferences>): void {
    const next = { ...this.load(), ...change };
    const checked = stored.safeParse(next);
    if (!checked.success) return;
    try {
      this.#storage?.setItem(DEVICE_PREFERENCES_KEY, JSON.stringify(checked.data));
    } catch {
      // Full or blocked storage: the choice holds for this meeting only.
    }
  }
}

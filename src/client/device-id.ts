/**
 * The per-browser device id: base64url of 32 random bytes, kept in localStorage so
 * a removed participant's browser stays recognisable. It is the only thing Sabha
 * stores about the meeting side of a user; no secret ever goes next to it.
 */
const STORAGE_KEY = 'sabha.deviceId';
const VALID = /^[A-Za-z0-9_-]{43}$/;

export function loadDeviceId(storage: Storage | null = safeLocalStorage()): string {
  const stored = storage?.getItem(STORAGE_KEY);
  if (stored && VALID.test(stored)) return stored;
  const id = base64url(crypto.getRandomValues(new Uint8Array(32)));
  try {
    storage?.setItem(STORAGE_KEY, id);
  } catch {
    // Storage full or disabled: the id lives for this page only.
  }
  return id;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

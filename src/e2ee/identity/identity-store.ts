/**
 * Where a browser keeps its device identity key: IndexedDB of the page's origin (database "sabha-identity",
 * store "device", record "current"), as CryptoKey objects. The private key is made non-extractable, so
 * neither this page's scripts nor anyone reading the database through them can get its bytes: it can only
 * be used to sign, here. Only the public key ever leaves, inside the MLS credential.
 *
 * loadDeviceIdentity()    the stored identity, made and stored on first use; the same promise for the page
 * resetDeviceIdentity()   deletes it; the next meeting this browser joins gets a new one, and people who
 *                         verified the old one see "key changed"
 *
 * Without IndexedDB (disabled, or a private window that refuses it) the identity lives in memory for this
 * page only: meetings still work, but verifications of this browser do not carry over.
 */
import { deviceIdentityFromKeyPair, generateIdentityKeyPair, type DeviceIdentity } from './device-identity.ts';

const DB_NAME = 'sabha-identity';
const STORE = 'device';
const RECORD = 'current';

interface StoredIdentity {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly createdAt: number;
}

let current: Promise<DeviceIdentity> | undefined;

export function loadDeviceIdentity(): Promise<DeviceIdentity> {
  current ??= loadOrCreate().catch(async () => deviceIdentityFromKeyPair(await generateIdentityKeyPair()));
  return current;
}

export async function resetDeviceIdentity(): Promise<void> {
  current = undefined;
  const db = await openDatabase();
  try {
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(RECORD));
  } finally {
    db.close();
  }
}

function isStoredIdentity(value: unknown): value is StoredIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const { privateKey, publicKey } = value as Partial<StoredIdentity>;
  return (
    privateKey instanceof CryptoKey &&
    publicKey instanceof CryptoKey &&
    privateKey.algorithm.name === 'Ed25519' &&
    publicKey.algorithm.name === 'Ed25519' &&
    privateKey.type === 'private' &&
    !privateKey.extractable
  );
}

async function loadOrCreate(): Promise<DeviceIdentity> {
  // Made before the transaction: a transaction commits itself at the first await on anything but itself.
  const fresh = await generateIdentityKeyPair();
  const db = await openDatabase();
  try {
    const pair = await new Promise<CryptoKeyPair>((resolve, reject) => {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      let chosen: CryptoKeyPair | undefined;
      const get = store.get(RECORD);
      get.onsuccess = () => {
        // Another tab may have stored one first: everyone in this browser uses the same.
        if (isStoredIdentity(get.result)) {
          chosen = { privateKey: get.result.privateKey, publicKey: get.result.publicKey };
          return;
        }
        const record: StoredIdentity = { privateKey: fresh.privateKey, publicKey: fresh.publicKey, createdAt: Date.now() };
        store.put(record, RECORD);
        chosen = fresh;
      };
      tx.oncomplete = () => (chosen ? resolve(chosen) : reject(new Error('no identity stored')));
      tx.onerror = () => reject(tx.error ?? new Error('identity store failed'));
      tx.onabort = () => reject(tx.error ?? new Error('identity store aborted'));
    });
    return await deviceIdentityFromKeyPair(pair);
  } finally {
    db.close();
  }
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error('IndexedDB unavailable'));
    open.onblocked = () => reject(new Error('IndexedDB blocked'));
  });
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

import type { IdentityKeys } from "./identity-keys";

/** The keys of the account signed in in this browser, and whose they are. */
export interface KeptIdentity {
  username: string;
  keys: IdentityKeys;
}

/** Where kept keys live: IndexedDB in a browser, memory in tests and where there is no IndexedDB. */
export interface KeyStorage {
  load(): Promise<KeptIdentity | undefined>;
  save(kept: KeptIdentity): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Holds the account's unwrapped keys between page loads for as long as this browser is signed in,
 * so a reload does not ask for the password again (only the password can unwrap them). The keys
 * cannot be exported: a script in the page can use them while it runs, never take them away.
 * The wrapping key is never kept; a password change derives the old one again from the old password.
 */
export class KeyKeeper {
  constructor(private readonly storage: KeyStorage) {}

  /** After sign-in or sign-up. Replaces whatever was kept, another account's keys included. */
  async keep(username: string, keys: IdentityKeys): Promise<void> {
    for (const privateKey of privateKeysOf(keys)) {
      // An extractable key in IndexedDB would be a copy on disk anyone with the profile could export.
      if (privateKey.extractable) throw new TypeError("Only non-extractable private keys are kept");
    }
    await this.storage.save({ username, keys });
  }

  /**
   * The keys kept for `username`, or null: nothing kept, or another account's keys (someone
   * signed in as another account in another tab), which this caller must not use.
   */
  async keysFor(username: string): Promise<IdentityKeys | null> {
    const kept = await this.storage.load();
    if (!kept || kept.username.toLowerCase() !== username.toLowerCase()) return null;
    return kept.keys;
  }

  /** On sign-out, and whenever the server says this browser is no longer signed in. */
  async forget(): Promise<void> {
    await this.storage.clear();
  }
}

function privateKeysOf({ agreement, signing }: IdentityKeys): CryptoKey[] {
  return [agreement.p256, agreement.x25519, signing.p256, signing.ed25519].flatMap((pair) =>
    pair ? [pair.privateKey] : [],
  );
}

/**
 * For tests and runtimes without IndexedDB. Values pass through `structuredClone` both ways, as
 * they would through IndexedDB, so something IndexedDB could not store fails here too.
 */
export function memoryKeyStorage(): KeyStorage {
  let kept: KeptIdentity | undefined;
  return {
    load: async () => (kept === undefined ? undefined : structuredClone(kept)),
    save: async (value) => {
      kept = structuredClone(value);
    },
    clear: async () => {
      kept = undefined;
    },
  };
}

const DATABASE_NAME = "ephemera-account";
const STORE_NAME = "identity";
const RECORD_KEY = "current";

/**
 * IndexedDB, which stores CryptoKeys as they are (structured clone) with their extractable flag.
 * It opens the database for each call: calls are rare (sign-in, page load, sign-out), and a
 * connection left open would hold up a later version of this database in another tab.
 */
export function indexedDbKeyStorage(factory: IDBFactory, databaseName = DATABASE_NAME): KeyStorage {
  async function withStore<T>(mode: IDBTransactionMode, operate: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const database = await openDatabase(factory, databaseName);
    try {
      const transaction = database.transaction(STORE_NAME, mode);
      // Both listeners before the first await: the request's answer only counts once its transaction commits.
      const [result] = await Promise.all([
        settled(operate(transaction.objectStore(STORE_NAME))),
        committed(transaction),
      ]);
      return result;
    } finally {
      database.close();
    }
  }
  return {
    load: async () => (await withStore("readonly", (store) => store.get(RECORD_KEY))) as KeptIdentity | undefined,
    save: async (kept) => {
      await withStore("readwrite", (store) => store.put(kept, RECORD_KEY));
    },
    clear: async () => {
      await withStore("readwrite", (store) => store.clear());
    },
  };
}

/** IndexedDB in a browser, memory elsewhere (server rendering, Node). */
export function defaultKeyStorage(): KeyStorage {
  return typeof globalThis.indexedDB === "undefined" ? memoryKeyStorage() : indexedDbKeyStorage(globalThis.indexedDB);
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE_NAME);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB would not open"));
    request.onblocked = () => reject(new Error("IndexedDB is held open by an older version of this page"));
  });
}

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB transaction failed"));
    transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB transaction was aborted"));
  });
}

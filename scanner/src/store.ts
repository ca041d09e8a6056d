import type { ScanResult, StoredPassStatus } from '@passgate/shared/core';
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';

/** A pass as the door keeps it (the sync's `SyncPass`), found by its code. */
export interface DoorPass {
  code: string;
  type: 'single' | 'multi';
  status: StoredPassStatus;
  validFrom: string | null;
  validUntil: string | null;
  maxUsages: number | null;
  usagesCount: number;
  lastAdmittedAt: string | null;
  name: string | null;
  clientName: string | null;
}

/** A scan decided on this phone, waiting to be uploaded. */
export interface QueuedScan {
  kind: 'scan';
  /** Also the Idempotency-Key of the upload (and of the online attempt, if there was one). */
  key: string;
  code: string;
  scannedAt: string;
  localResult: ScanResult;
  device: string;
}

/** An undo made on this phone, waiting to be uploaded; `scanKey` names the scan it undoes. */
export interface QueuedAnnul {
  kind: 'annul';
  key: string;
  scanKey: string;
  annulledAt: string;
}

export type Queued = QueuedScan | QueuedAnnul;

interface DoorSchema extends DBSchema {
  passes: { key: string; value: DoorPass };
  /** In the order the door decided, by an increasing number. */
  queue: { key: number; value: Queued };
  /** The server's scan id of each uploaded (or answered) scan, by its key: for undo. */
  scanIds: { key: string; value: string };
  meta: { key: string; value: unknown };
}

const STORES = ['passes', 'queue', 'scanIds', 'meta'] as const;

/**
 * What the door keeps in IndexedDB, through reloads, browser restarts and days without network:
 * its copy of the passes, the upload queue, the scan ids it may undo, and small settings (the
 * sync cursor, when the list was last complete, the counters and last scans).
 */
export class DoorStore {
  private constructor(private readonly db: IDBPDatabase<DoorSchema>) {}

  static async open(name = 'passgate-door'): Promise<DoorStore> {
    const db = await openDB<DoorSchema>(name, 1, {
      upgrade(db) {
        db.createObjectStore('passes', { keyPath: 'code' });
        db.createObjectStore('queue', { autoIncrement: true });
        db.createObjectStore('scanIds');
        db.createObjectStore('meta');
      },
    });
    return new DoorStore(db);
  }

  pass(code: string) {
    return this.db.get('passes', code);
  }

  /** Stores passes from the server, each with the admits still queued on this phone on top. */
  async putPasses(passes: DoorPass[], withPending: (pass: DoorPass) => DoorPass) {
    const tx = this.db.transaction('passes', 'readwrite');
    await Promise.all([...passes.map((pass) => tx.store.put(withPending(pass))), tx.done]);
  }

  putPass(pass: DoorPass) {
    return this.db.put('passes', pass);
  }

  /** A decision made on this phone: the pass as it left it, and its upload, in one transaction. */
  async recordLocal(pass: DoorPass, entry: Queued) {
    const tx = this.db.transaction(['passes', 'queue'], 'readwrite');
    await Promise.all([
      tx.objectStore('passes').put(pass),
      tx.objectStore('queue').add(entry),
      tx.done,
    ]);
  }

  /** An upload the server answered: it leaves the queue, and its scan id is kept for undo. */
  async uploaded(id: number, key: string, scanId: string | undefined) {
    const tx = this.db.transaction(['queue', 'scanIds'], 'readwrite');
    await Promise.all([
      tx.objectStore('queue').delete(id),
      scanId === undefined ? undefined : tx.objectStore('scanIds').put(scanId, key),
      tx.done,
    ]);
  }

  enqueue(entry: Queued) {
    return this.db.add('queue', entry);
  }

  /** The oldest queued entry and its place, or undefined when nothing waits. */
  async firstQueued(): Promise<{ id: number; entry: Queued } | undefined> {
    const cursor = await this.db.transaction('queue').store.openCursor();
    return cursor ? { id: cursor.key, entry: cursor.value } : undefined;
  }

  queued() {
    return this.db.getAll('queue');
  }

  countQueued() {
    return this.db.count('queue');
  }

  dequeue(id: number) {
    return this.db.delete('queue', id);
  }

  scanId(key: string) {
    return this.db.get('scanIds', key);
  }

  setScanId(key: string, id: string) {
    return this.db.put('scanIds', id, key);
  }

  async get<T>(name: string): Promise<T | undefined> {
    return (await this.db.get('meta', name)) as T | undefined;
  }

  set(name: string, value: unknown) {
    return this.db.put('meta', value, name);
  }

  /**
   * A synchronous text store (the Web Storage interface's get and set) over the `meta` store:
   * read once here, written through on every set.
   */
  async textStore(name: string): Promise<Pick<Storage, 'getItem' | 'setItem'>> {
    const items = new Map(Object.entries((await this.get<Record<string, string>>(name)) ?? {}));
    return {
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => {
        items.set(key, value);
        void this.set(name, Object.fromEntries(items));
      },
    };
  }

  /** Forgets everything: the passes, the queue, the history (a removed or re-paired scanner). */
  async clear() {
    const tx = this.db.transaction(STORES, 'readwrite');
    await Promise.all([...STORES.map((store) => tx.objectStore(store).clear()), tx.done]);
  }
}

import type { Schemas } from '@passgate/client';
import type { ScanDirection, ScanResult } from '@passgate/shared/core';
import {
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  openDB,
  type StoreNames,
} from 'idb';

/**
 * A pass as the door keeps it: the sync's `SyncPass`, found by its code. `inside` is missing only
 * from a pass stored at database version 1, until the full sync that version 2 asks for.
 */
export type DoorPass = Omit<Schemas['SyncPass'], 'inside'> & {
  inside?: boolean | null;
  /** A pass known only by its signed code (not in the list yet): the statement it came from. */
  statement?: string;
};

/** A scan decided on this phone, waiting to be uploaded. */
export interface QueuedScan {
  kind: 'scan';
  /** Also the Idempotency-Key of the upload (and of the online attempt, if there was one). */
  key: string;
  code: string;
  scannedAt: string;
  localResult: ScanResult;
  device: string;
  /** Which way it let the pass through; an entry when not said. */
  direction?: ScanDirection;
  /** Whether it counted a use on this phone's copy (an exit, or a re-entry, does not). */
  counted?: boolean;
  /** A successful scan: where it moved the pass in or out (null: nowhere in particular). */
  countsAt?: string | null;
  /** No pass in this phone's list had the code (an exit is let out and recorded all the same). */
  unknown?: boolean;
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

/** One change of the door's database, run inside the upgrade's own transaction. */
export type DoorUpgrade = (
  db: IDBPDatabase<DoorSchema>,
  tx: IDBPTransaction<DoorSchema, StoreNames<DoorSchema>[], 'versionchange'>,
) => void;

/**
 * The door's database, version by version: step N takes it from version N to N + 1, so a phone
 * that last ran any older scanner upgrades through each step in turn and keeps what it holds
 * (passes, queued scans). Add a step for a change; never edit one a phone may have run.
 */
export const DOOR_UPGRADES: readonly DoorUpgrade[] = [
  function stores(db) {
    db.createObjectStore('passes', { keyPath: 'code' });
    db.createObjectStore('queue', { autoIncrement: true });
    db.createObjectStore('scanIds');
    db.createObjectStore('meta');
  },
  /** Passes now carry their presence (`inside`): the next sync brings every pass again. */
  function presence(_db, tx) {
    void tx.objectStore('meta').delete('cursor');
  },
];

/**
 * What the door keeps in IndexedDB, through reloads, browser restarts and days without network:
 * its copy of the passes, the upload queue, the scan ids it may undo, and small settings (the
 * sync cursor, when the list was last complete, the counters and last scans).
 */
export class DoorStore {
  /**
   * The pass list in memory as well, so that a door decides without waiting for IndexedDB (a read
   * there waits its turn on the page's main thread: 10 ms at the median, at 100,000 passes).
   * Filled by `warm()`; every write goes to both.
   */
  private copy: Map<string, DoorPass> | undefined;
  private warmed = false;

  private constructor(private readonly db: Promise<IDBPDatabase<DoorSchema>>) {}

  /**
   * The door's store at once, its database still opening: each method waits for it. A phone's
   * browser takes a few hundred milliseconds to open IndexedDB, and the scanner starts its camera
   * and asks the server meanwhile (only a decision on the phone needs the pass list).
   */
  static opening(name = 'passgate-door', upgrades = DOOR_UPGRADES): DoorStore {
    const db = openDB<DoorSchema>(name, upgrades.length, {
      upgrade(db, from, _to, tx) {
        for (const step of upgrades.slice(from)) step(db, tx);
      },
    });
    // A failure is met by whichever method waits for the database next.
    db.catch(() => {});
    return new DoorStore(db);
  }

  /** The door's store once its database is open. */
  static async open(name?: string, upgrades?: readonly DoorUpgrade[]): Promise<DoorStore> {
    const store = DoorStore.opening(name, upgrades);
    await store.db;
    return store;
  }

  /** Lets go of the database (a newer scanner's upgrade waits on every open connection). */
  close() {
    void this.db.then((db) => db.close());
  }

  /**
   * Reads the whole list into memory once. Writes made meanwhile are newer than what the read
   * returns (IndexedDB runs them after it), so they are kept over it.
   */
  async warm() {
    if (this.copy) return;
    const copy = new Map<string, DoorPass>();
    this.copy = copy;
    for (const pass of await (await this.db).getAll('passes')) {
      if (!copy.has(pass.code)) copy.set(pass.code, pass);
    }
    this.warmed = true;
  }

  /** The door's copy of a pass, from memory once warm, else from IndexedDB. */
  pass(code: string): DoorPass | undefined | Promise<DoorPass | undefined> {
    return this.warmed ? this.copy?.get(code) : this.db.then((db) => db.get('passes', code));
  }

  /**
   * The pass whose code is `typed` but for letter case, when exactly one is: a code typed by hand.
   * Two codes issued before that differ only in case give neither, as the server does.
   */
  async passTyped(typed: string): Promise<DoorPass | undefined> {
    await this.warm();
    const folded = typed.toUpperCase();
    let found: DoorPass | undefined;
    for (const pass of this.copy?.values() ?? []) {
      if (pass.code.toUpperCase() !== folded) continue;
      if (found) return undefined;
      found = pass;
    }
    return found;
  }

  /** Stores passes from the server, each with the admits still queued on this phone on top. */
  async putPasses(passes: DoorPass[], withPending: (pass: DoorPass) => DoorPass) {
    const tx = (await this.db).transaction('passes', 'readwrite');
    const stored = passes.map(withPending);
    for (const pass of stored) this.copy?.set(pass.code, pass);
    await Promise.all([...stored.map((pass) => tx.store.put(pass)), tx.done]);
  }

  async putPass(pass: DoorPass) {
    this.copy?.set(pass.code, pass);
    return (await this.db).put('passes', pass);
  }

  /**
   * A decision made on this phone: the pass as it left it, and its upload, in one transaction.
   * The commit is sent in the same task as the decision (a decision on the phone comes only after
   * the database is open), before the verdict shows: from then on the browser's storage keeps the
   * writes even if this page is killed a moment later. The promise says when they are on disk (or
   * that they failed).
   */
  recordLocal(pass: DoorPass, entry: Queued): Promise<void> {
    this.copy?.set(pass.code, pass);
    return this.db.then((db) => {
      const tx = db.transaction(['passes', 'queue'], 'readwrite');
      const written = Promise.all([
        tx.objectStore('passes').put(pass),
        tx.objectStore('queue').add(entry),
        tx.done,
      ]).then(() => undefined);
      tx.commit();
      return written;
    });
  }

  /** An upload the server answered: it leaves the queue, and its scan id is kept for undo. */
  async uploaded(id: number, key: string, scanId: string | undefined) {
    const tx = (await this.db).transaction(['queue', 'scanIds'], 'readwrite');
    await Promise.all([
      tx.objectStore('queue').delete(id),
      scanId === undefined ? undefined : tx.objectStore('scanIds').put(scanId, key),
      tx.done,
    ]);
  }

  async enqueue(entry: Queued) {
    return (await this.db).add('queue', entry);
  }

  /** The oldest `limit` queued entries and their places, oldest first. */
  async firstQueued(limit: number): Promise<{ id: number; entry: Queued }[]> {
    const store = (await this.db).transaction('queue').store;
    const [ids, entries] = await Promise.all([
      store.getAllKeys(undefined, limit),
      store.getAll(undefined, limit),
    ]);
    return ids.map((id, i) => ({ id, entry: entries[i] as Queued }));
  }

  async queued() {
    return (await this.db).getAll('queue');
  }

  async countQueued() {
    return (await this.db).count('queue');
  }

  async dequeue(id: number) {
    return (await this.db).delete('queue', id);
  }

  async scanId(key: string) {
    return (await this.db).get('scanIds', key);
  }

  async setScanId(key: string, id: string) {
    return (await this.db).put('scanIds', id, key);
  }

  async get<T>(name: string): Promise<T | undefined> {
    return (await (await this.db).get('meta', name)) as T | undefined;
  }

  async set(name: string, value: unknown) {
    return (await this.db).put('meta', value, name);
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
    this.copy?.clear();
    const tx = (await this.db).transaction(STORES, 'readwrite');
    await Promise.all([...STORES.map((store) => tx.objectStore(store).clear()), tx.done]);
  }
}

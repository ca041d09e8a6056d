import type { ScanAnswer } from '@passgate/shared';
import { countsUse, decideScan } from '@passgate/shared/core';
import { nanoid } from 'nanoid';
import type { ApiResult, DoorApi } from './api';
import { browserNetwork, browserTimers, type DoorNetwork, type DoorTimers } from './door-env';
import { admitted, clockSkewOf, fromAnswer, rulePass, undone, withQueuedScans } from './door-pass';
import { type DoorPlace, ENTRY_AT_ANY, moved, placeOf } from './door-place';
import { passOfCode, type SigningKey } from './door-signed';
import type { Decision, DoorEvents, DoorState } from './door-types';
import { createUploads, retryable, UPLOAD_BATCH } from './door-upload';
import type { DoorStore } from './store';

export type { Decision, DoorEvents, DoorState } from './door-types';

/** How long the door waits for the server's answer before it decides on the phone. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 2500;
/** While online, the pass list is brought up to date at least this often. */
const SYNC_EVERY_MS = 30_000;
/** While the server is out of reach, how often the door tries it again. */
const RETRY_EVERY_MS = 5_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * The door: decides each code (by the server when it answers in time, else on the phone with the
 * same scan rule), keeps the pass list in step with the server, and uploads what the phone
 * decided, in order, exactly once (each under its own Idempotency-Key).
 */
export function createDoor(options: {
  store: DoorStore;
  api: () => DoorApi | undefined;
  answerTimeoutMs: () => number;
  events: DoorEvents;
  /** The browser's, unless a test gives its own. */
  network?: DoorNetwork;
  /** The time now, in ms since the epoch: `Date.now` unless a test gives its own. */
  now?: () => number;
  timers?: DoorTimers;
}) {
  const { store, api, events } = options;
  const network = options.network ?? browserNetwork();
  // Read at each call: the global `Date` may be replaced (a test's fake clock) after this starts.
  const now = options.now ?? (() => Date.now());
  const timers = options.timers ?? browserTimers;
  const isoNow = () => new Date(now()).toISOString();
  let online = network.online();
  let stopped = false;
  let syncTimer: unknown;
  let drainTimer: unknown;
  let draining: Promise<void> | undefined;
  let syncing: Promise<void> | undefined;
  let backoffMs = 1000;
  let clockSkewMs: number | undefined;
  network.onChange(setOnline);

  async function state(): Promise<DoorState> {
    return {
      online,
      waiting: await store.countQueued(),
      listFrom: await store.get<string>('listFrom'),
      clockSkewMs,
    };
  }
  async function announce() {
    events.onState(await state());
  }
  function setOnline(value: boolean) {
    if (online === value) return;
    online = value;
    void announce();
    if (value) {
      void sync();
      void drain();
    } else if (!syncing) {
      // Found out of reach by a scan or an upload: the next sync, which finds the server back
      // (and then uploads), comes at the retry interval, not the online one. A sync in flight
      // sets its own next.
      scheduleSync();
    }
  }

  /** A 401: this scanner's credential is gone. Everything it held goes too. */
  async function removed() {
    stopped = true;
    await store.clear();
    events.onRemoved();
  }

  const uploads = createUploads({ store, events, removed });

  /** The pass as the server sent it, with this phone's queued scans of it on top. */
  const withPendingScans = async () => withQueuedScans(await store.queued());

  /** The tenant's public keys from the last sync, read from the store once. */
  let keys: SigningKey[] | undefined;
  const signingKeys = async () => (keys ??= (await store.get<SigningKey[]>('signingKeys')) ?? []);

  async function syncOnce() {
    const client = api();
    if (!client) return;
    let cursor = await store.get<string>('cursor');
    for (;;) {
      const sentAt = now();
      const res = await client.sync(cursor, { signal: AbortSignal.timeout(30_000) });
      clockSkewMs = clockSkewOf(res.headers.get('date'), sentAt, now()) ?? clockSkewMs;
      if (!res.ok) {
        if (res.status === 401) return removed();
        if (res.status === 400 && cursor !== undefined) {
          // A cursor the server does not know (another database's, a restored backup): start over.
          cursor = undefined;
          await store.set('cursor', undefined);
          continue;
        }
        throw new Error(res.error);
      }
      setOnline(true);
      await store.putPasses(res.data.passes, await withPendingScans());
      keys = res.data.signingKeys;
      await store.set('signingKeys', keys);
      cursor = res.data.cursor;
      await store.set('cursor', cursor);
      if (!res.data.hasMore) break;
    }
    await store.set('listFrom', isoNow());
    await announce();
  }

  /** Brings the pass list up to date; one sync at a time. */
  function sync(): Promise<void> {
    syncing ??= syncOnce()
      .catch(() => setOnline(false))
      .finally(() => {
        syncing = undefined;
        scheduleSync();
      });
    return syncing;
  }
  function scheduleSync() {
    timers.clear(syncTimer);
    if (stopped) return;
    syncTimer = timers.set(() => void sync(), online ? SYNC_EVERY_MS : RETRY_EVERY_MS);
  }

  async function drainOnce() {
    const client = api();
    if (!client) return;
    for (;;) {
      const head = await store.firstQueued(UPLOAD_BATCH);
      if (head.length === 0 || stopped) break;
      let done: boolean;
      try {
        done = await uploads.send(client, head);
      } catch {
        setOnline(false);
        done = false;
      }
      if (!done) {
        backoffMs = uploads.retryAfterMs() ?? backoffMs;
        const wait = backoffMs;
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        timers.clear(drainTimer);
        drainTimer = timers.set(() => void drain(true), wait);
        break;
      }
      backoffMs = 1000;
      setOnline(true);
      await announce();
    }
    await announce();
  }

  /**
   * Uploads the queue in order, in the background; one drain at a time. While the server is out
   * of reach only the back-off timer tries (`retry`), not every new scan.
   */
  function drain(retry = false): Promise<void> {
    if (!online && !retry) return Promise.resolve();
    draining ??= drainOnce().finally(() => {
      draining = undefined;
    });
    return draining;
  }

  /**
   * Decides on this phone, at once, and queues the decision for upload. A signed code is checked
   * with the keys of the last sync and against the list; one the list lacks is decided from what
   * it states, with this phone's own admits of it.
   */
  async function decideHere(
    text: string,
    key: string,
    device: string,
    at: DoorPlace,
  ): Promise<Decision> {
    const scannedAt = isoNow();
    const found = await passOfCode(store, text, at, signingKeys);
    if (found.invalid) return { by: 'phone', invalid: found.invalid, code: found.code, key };
    const { code, pass, unlisted } = found;
    if (!pass) {
      const recorded = at.direction === 'exit';
      if (recorded) {
        // A guest going out with a code this phone does not know (a pass issued since its last
        // sync, or none at all): the server records it, as an exit of that pass if it has one.
        await store.enqueue({
          kind: 'scan',
          key,
          code,
          scannedAt,
          localResult: 'success',
          device,
          direction: 'exit',
          counted: false,
          unknown: true,
        });
        void announce();
        void drain();
      }
      return { by: 'phone', unknown: true, key, listFrom: await store.get('listFrom'), recorded };
    }
    const { place, countsAt } = placeOf(pass, at);
    const { result } = decideScan(rulePass(pass), new Date(scannedAt), place);
    const counted = countsUse(result, place);
    const used = counted ? admitted(pass, scannedAt) : pass;
    const after = result === 'success' ? moved(used, countsAt, at.direction) : used;
    // Committed before the verdict shows (see `recordLocal`), without waiting for the disk.
    store
      .recordLocal(after, {
        kind: 'scan',
        key,
        code: pass.code,
        scannedAt,
        localResult: result,
        device,
        direction: at.direction,
        counted,
        ...(result === 'success' ? { countsAt } : {}),
      })
      .then(
        () => {
          void announce();
          void drain();
        },
        (error: unknown) => events.onRefusedUpload(pass.code, `not saved on this phone: ${error}`),
      );
    return { by: 'phone', result, pass: after, key, scannedAt, ...(unlisted ? { unlisted } : {}) };
  }

  return {
    state,
    sync,
    drain,
    start() {
      stopped = false;
      void store.warm();
      void announce();
      void sync();
      void drain();
    },
    stop() {
      stopped = true;
      timers.clear(syncTimer);
      timers.clear(drainTimer);
    },

    /**
     * One code at the door. Online, the server decides; if it does not answer within the
     * timeout, is out of reach, or is busy, the phone decides at once. Both go under one
     * Idempotency-Key, so a server that did get the first try counts the scan once.
     */
    async decide(code: string, device: string, at = ENTRY_AT_ANY): Promise<Decision> {
      const key = nanoid();
      const client = api();
      if (!client || !online || !network.online()) return decideHere(code, key, device, at);
      let res: ApiResult<ScanAnswer>;
      try {
        res = await client.scan(
          { code, device, direction: at.direction },
          { idempotencyKey: key, signal: AbortSignal.timeout(options.answerTimeoutMs()) },
        );
      } catch {
        setOnline(false);
        return decideHere(code, key, device, at);
      }
      if (res.ok) {
        // Not waited for: the server holds the scan; the copy and the undo's id follow at once.
        void Promise.resolve(store.pass(res.data.pass.code))
          .then((previous) => store.putPass(fromAnswer(res.data, previous)))
          .then(() => store.setScanId(key, res.data.scan.id));
        return { by: 'server', answer: res.data, key };
      }
      if (res.status === 401) {
        await removed();
        return { by: 'server', unknown: true, key };
      }
      // The scanner sends only the code, so a 400 or 404 says the code is no pass of ours.
      if (res.status === 404 || res.status === 400 || res.status === 413) {
        return { by: 'server', unknown: true, key };
      }
      return decideHere(code, key, device, at);
    },

    /**
     * Undoes an admit: at once on the phone's copy, and on the server now or, offline, through
     * the queue.
     */
    async undo(decision: Decision): Promise<void> {
      const code =
        'answer' in decision
          ? decision.answer.pass.code
          : 'pass' in decision
            ? decision.pass.code
            : undefined;
      if (!code) return;
      const pass = await store.pass(code);
      if (pass) await store.putPass(undone(pass));
      const annulledAt = isoNow();
      const queued = (await store.queued()).some(
        (entry) => entry.kind === 'scan' && entry.key === decision.key,
      );
      const scanId = await store.scanId(decision.key);
      const client = api();
      if (client && online && scanId && !queued) {
        try {
          const res = await client.scans.annul(
            scanId,
            { annulledAt },
            {
              idempotencyKey: `${decision.key}-undo`,
              signal: AbortSignal.timeout(options.answerTimeoutMs()),
            },
          );
          if (res.ok) return;
          if (res.status === 401) return removed();
          if (!retryable(res.status)) return events.onRefusedUpload(code, res.error);
        } catch {
          setOnline(false);
        }
      }
      await store.enqueue({
        kind: 'annul',
        key: `${decision.key}-undo`,
        scanKey: decision.key,
        annulledAt,
      });
      await announce();
      void drain();
    },
  };
}
export type Door = ReturnType<typeof createDoor>;

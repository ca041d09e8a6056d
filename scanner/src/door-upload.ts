import type { ApiResult, DoorApi } from './api';
import type { DoorEvents } from './door-types';
import type { DoorStore, Queued, QueuedScan } from './store';

/** Errors worth trying again later: the server is busy, limited, or not the one who answered. */
export const retryable = (status: number) =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/** Scans sent in one upload (the server takes 100 at most): a queue of 1,000 is 10 requests. */
export const UPLOAD_BATCH = 100;

/**
 * Uploads what the phone decided, in order, each exactly once under its own key: the queued
 * scans up to the first undo in one request, an undo alone (after the scan it undoes).
 */
export function createUploads(options: {
  store: DoorStore;
  events: Pick<DoorEvents, 'onRefusedUpload'>;
  /** A 401: this scanner's credential is gone. */
  removed: () => Promise<void>;
}) {
  const { store, events, removed } = options;
  /** What the server last asked to wait, in ms, if it said. */
  let retryAfter: number | undefined;

  /**
   * A request the server did not take: the credential is gone (401), or the server is out of
   * reach or busy (retried after its Retry-After, else the back-off). True when it must wait.
   */
  async function mustWait(res: ApiResult<unknown>) {
    if (res.ok) return false;
    if (res.status === 401) {
      await removed();
      return true;
    }
    if (!retryable(res.status)) return false;
    const after = Number(res.headers.get('retry-after'));
    retryAfter = Number.isFinite(after) && after > 0 ? after * 1000 : undefined;
    return true;
  }

  /** An entry the server answered: it leaves the queue, and a refusal is told to staff. */
  async function settle(
    id: number,
    entry: Queued,
    answer: { ok: boolean; status: number; error?: string | undefined },
    scanId: string | undefined,
  ) {
    // An exit of a code no pass has is answered 404 once the server has recorded it.
    const recordedUnknown = entry.kind === 'scan' && entry.unknown && answer.status === 404;
    if (!answer.ok && !recordedUnknown) {
      events.onRefusedUpload(entry.kind === 'scan' ? entry.code : 'undo', answer.error ?? '');
    }
    await store.uploaded(id, entry.key, scanId);
  }

  /** Uploads one queued entry; false when it must wait (the server is out of reach or busy). */
  async function upload(client: DoorApi, id: number, entry: Queued) {
    if (entry.kind === 'scan') {
      const res = await client.scan(
        {
          code: entry.code,
          device: entry.device,
          offline: true,
          scannedAt: entry.scannedAt,
          localResult: entry.localResult,
          direction: entry.direction ?? 'entry',
        },
        { idempotencyKey: entry.key, signal: AbortSignal.timeout(15_000) },
      );
      if (await mustWait(res)) return false;
      await settle(id, entry, res, res.ok ? res.data.scan.id : undefined);
      return true;
    }
    const undone = await store.scanId(entry.scanKey);
    if (!undone) {
      // The scan it undoes never reached the server (refused for good): nothing to undo.
      await store.dequeue(id);
      return true;
    }
    const res = await client.scans.annul(
      undone,
      { annulledAt: entry.annulledAt },
      { idempotencyKey: entry.key, signal: AbortSignal.timeout(15_000) },
    );
    if (await mustWait(res)) return false;
    await settle(id, entry, res, undefined);
    return true;
  }

  /**
   * Uploads queued scans in one request, each under its own key and answered on its own; false
   * when they must wait. A request refused as a whole (a server that takes no uploads, a scan
   * it cannot read) sends the oldest alone, which settles it, and the rest follow.
   */
  async function uploadScans(client: DoorApi, batch: { id: number; entry: QueuedScan }[]) {
    const res = await client.uploads(
      {
        scans: batch.map(({ entry }) => ({
          key: entry.key,
          code: entry.code,
          device: entry.device,
          scannedAt: entry.scannedAt,
          localResult: entry.localResult,
          direction: entry.direction ?? 'entry',
        })),
      },
      { signal: AbortSignal.timeout(30_000) },
    );
    if (await mustWait(res)) return false;
    const [oldest] = batch;
    if (!res.ok) return oldest ? upload(client, oldest.id, oldest.entry) : true;
    for (const [i, result] of res.data.results.entries()) {
      const queued = batch[i];
      if (!queued) break;
      const answer = { ok: result.status === 200, status: result.status, error: result.error };
      await settle(queued.id, queued.entry, answer, result.answer?.scan.id);
    }
    return true;
  }

  return {
    /** Uploads the oldest of `head` (the queue's first entries); false when they must wait. */
    send(client: DoorApi, head: { id: number; entry: Queued }[]) {
      retryAfter = undefined;
      const end = head.findIndex(({ entry }) => entry.kind !== 'scan');
      const scans = (end === -1 ? head : head.slice(0, end)) as { id: number; entry: QueuedScan }[];
      const [next] = head;
      if (scans.length > 0) return uploadScans(client, scans);
      return next ? upload(client, next.id, next.entry) : Promise.resolve(true);
    },
    /** How long the server asked the last refused request to wait, if it said. */
    retryAfterMs: () => retryAfter,
  };
}

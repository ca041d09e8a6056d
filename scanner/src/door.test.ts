import 'fake-indexeddb/auto';
import type { ApiResult } from '@passgate/client';
import { describe, expect, it } from 'vitest';
import { doorPass, newStoreName } from '../../test/support/door-store';
import type { DoorApi } from './api';
import { createDoor, type Decision } from './door';
import type { DoorTimers } from './door-env';
import { type DoorPass, DoorStore } from './store';

// The door outside Chromium: its store under fake-indexeddb, its network, clock and timers given
// by the test, and a server that answers what each test says.

const NOW = Date.parse('2030-06-15T20:00:00Z');

const ok = <T>(data: T, headers: Record<string, string> = {}): ApiResult<T> => ({
  ok: true,
  status: 200,
  data,
  headers: new Headers(headers),
});
const refused = (status: number, headers: Record<string, string> = {}): ApiResult<never> => ({
  ok: false,
  status,
  error: `HTTP ${status}`,
  headers: new Headers(headers),
});

type Call = {
  what: 'scan' | 'upload' | 'sync' | 'annul';
  body?: unknown;
  key?: string;
  keys?: string[];
  id?: string;
};

/** Timers the test runs by hand, noting each delay asked for. */
function handTimers() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 0;
  const timers: DoorTimers = {
    set(run, ms) {
      pending.set(++next, { run, ms });
      return next;
    },
    clear: (timer) => void pending.delete(timer as number),
  };
  return {
    timers,
    /** The delays of the timers waiting now, in the order they were set. */
    waiting: () => [...pending.values()].map(({ ms }) => ms),
    /** Runs the waiting timer of this delay. */
    run(ms: number) {
      const found = [...pending].find(([, timer]) => timer.ms === ms);
      if (!found) throw new Error(`no timer of ${ms} ms: ${JSON.stringify(this.waiting())}`);
      pending.delete(found[0]);
      found[1].run();
    },
  };
}

async function doorAt(options: { online: boolean; passes?: DoorPass[] }) {
  const storeName = newStoreName();
  const store = await DoorStore.open(storeName);
  await store.putPasses(options.passes ?? [], (p) => p);
  const calls: Call[] = [];
  const server = {
    scan: async (_body: unknown): Promise<ApiResult<unknown>> => refused(503),
    sync: async (_cursor: string | undefined): Promise<ApiResult<unknown>> =>
      ok({ passes: [], cursor: 'c0', hasMore: false }),
    annul: async (_id: string): Promise<ApiResult<unknown>> => ok({}),
    /** What an upload answers as a whole, when a test says (else each scan is answered). */
    upload: undefined as undefined | (() => ApiResult<unknown> | undefined),
  };
  const api = {
    scan: (body: unknown, request: { idempotencyKey: string }) => {
      calls.push({ what: 'scan', body, key: request.idempotencyKey });
      return server.scan(body);
    },
    sync: (cursor: string | undefined) => {
      calls.push({ what: 'sync', body: cursor });
      return server.sync(cursor);
    },
    // The server answers each scan of an upload as `server.scan` would answer it alone; one it
    // would answer with an error worth retrying (busy, out of reach) answers the whole request.
    uploads: async (body: { scans: { key: string }[] }) => {
      calls.push({ what: 'upload', body, keys: body.scans.map(({ key }) => key) });
      const whole = server.upload?.();
      if (whole) return whole;
      const results = [];
      for (const { key, ...scan } of body.scans) {
        const res = await server.scan(scan);
        if (!res.ok && (res.status === 429 || res.status >= 500)) return res;
        results.push(
          res.ok
            ? { key, status: 200, answer: res.data }
            : { key, status: res.status, error: res.error },
        );
      }
      return ok({ results });
    },
    scans: {
      annul: (id: string, body: unknown, request: { idempotencyKey: string }) => {
        calls.push({ what: 'annul', id, body, key: request.idempotencyKey });
        return server.annul(id);
      },
    },
  } as unknown as DoorApi;
  let online = options.online;
  let announce: (online: boolean) => void = () => {};
  const clock = { now: NOW };
  const timers = handTimers();
  const refusals: string[] = [];
  const door = createDoor({
    store,
    api: () => api,
    answerTimeoutMs: () => 2500,
    events: {
      onState: () => {},
      onRemoved: () => {},
      onRefusedUpload: (code, error) => refusals.push(`${code}: ${error}`),
    },
    network: {
      online: () => online,
      onChange(listener) {
        announce = listener;
      },
    },
    now: () => clock.now,
    timers: timers.timers,
  });
  return {
    door,
    store,
    storeName,
    server,
    calls,
    clock,
    timers,
    refusals,
    /** The browser says the network is back (or gone). */
    setOnline(value: boolean) {
      online = value;
      announce(value);
    },
  };
}

/** Waits for the door's queue writes, which a decision does not wait for, to have landed. */
const queuedToBe = (store: DoorStore, count: number) =>
  expect.poll(() => store.countQueued(), { interval: 5 }).toBe(count);

describe('the door, its network, clock and timers given', () => {
  it('decides on the phone when offline: a single pass admits once, and each decision is queued', async () => {
    const { door, store, calls } = await doorAt({
      online: false,
      passes: [doorPass('AAAAAAAAAAAA')],
    });
    const first = await door.decide('AAAAAAAAAAAA', 'Door A');
    const second = await door.decide('AAAAAAAAAAAA', 'Door A');
    const unknown = await door.decide('ZZZZZZZZZZZZ', 'Door A');
    expect(first).toMatchObject({
      by: 'phone',
      result: 'success',
      scannedAt: new Date(NOW).toISOString(),
    });
    expect(second).toMatchObject({ by: 'phone', result: 'already_used' });
    expect(unknown).toMatchObject({ by: 'phone', unknown: true });
    await queuedToBe(store, 2);
    expect(
      (await store.queued()).map((entry) => entry.kind === 'scan' && entry.localResult),
    ).toEqual(['success', 'already_used']);
    expect(await store.pass('AAAAAAAAAAAA')).toMatchObject({ status: 'used', usagesCount: 1 });
    expect(calls).toEqual([]);
  });

  it('takes a code typed in the wrong case offline as its pass, unless two codes are alike but for case', async () => {
    const { door, store } = await doorAt({
      online: false,
      passes: [doorPass('ospeXZ3ppsrC'), doorPass('twinCODEabcd'), doorPass('TWINcodeABCD')],
    });
    expect(await door.decide('OSPEXZ3PPSRC', 'Door A')).toMatchObject({
      by: 'phone',
      result: 'success',
      pass: { code: 'ospeXZ3ppsrC' },
    });
    expect(await door.decide('twincodeabcd', 'Door A')).toMatchObject({ unknown: true });
    await queuedToBe(store, 1);
    // The upload names the pass's own code, as issued.
    expect(await store.queued()).toEqual([
      expect.objectContaining({ kind: 'scan', code: 'ospeXZ3ppsrC', localResult: 'success' }),
    ]);
  });

  it('asks the server first when online, and decides on the phone when it cannot answer', async () => {
    const { door, server, calls } = await doorAt({
      online: true,
      passes: [doorPass('AAAAAAAAAAAA')],
    });
    server.scan = async () => {
      throw new TypeError('Failed to fetch');
    };
    const decided = await door.decide('AAAAAAAAAAAA', 'Door A');
    expect(decided).toMatchObject({ by: 'phone', result: 'success' });
    expect(calls).toEqual([
      {
        what: 'scan',
        body: { code: 'AAAAAAAAAAAA', device: 'Door A', direction: 'entry' },
        key: decided.key,
      },
    ]);
    expect((await door.state()).online).toBe(false);
  });

  it('tries a server that a scan found out of reach again within seconds, and uploads once it answers', async () => {
    const { door, store, server, calls, timers } = await doorAt({
      online: true,
      passes: [doorPass('AAAAAAAAAAAA')],
    });
    door.start();
    await door.sync();
    expect(timers.waiting()).toEqual([30_000]);
    server.scan = async () => {
      throw new TypeError('Failed to fetch');
    };
    const decided = await door.decide('AAAAAAAAAAAA', 'Door A');
    await queuedToBe(store, 1);
    // Not at the online interval (30 s): the next try comes as it would after a failed sync.
    expect(timers.waiting()).toEqual([5_000]);
    server.scan = async () => ok({ scan: { id: 'scan_back' } });
    timers.run(5_000);
    await door.sync();
    await door.drain();
    expect(await store.countQueued()).toBe(0);
    expect(calls.filter(({ what }) => what === 'upload').map(({ keys }) => keys)).toEqual([
      [decided.key],
    ]);
    expect((await door.state()).online).toBe(true);
  });

  it('syncs the list page by page, the admits still queued kept on top of the server’s copy', async () => {
    const { door, store, server, calls } = await doorAt({
      online: false,
      passes: [doorPass('AAAAAAAAAAAA')],
    });
    await door.decide('AAAAAAAAAAAA', 'Door A');
    await queuedToBe(store, 1);
    const pages: Record<string, unknown> = {
      start: {
        passes: [doorPass('AAAAAAAAAAAA', { name: 'Renamed' })],
        cursor: 'c1',
        hasMore: true,
      },
      c1: { passes: [doorPass('BBBBBBBBBBBB')], cursor: 'c2', hasMore: false },
    };
    server.sync = async (cursor) => ok(pages[cursor ?? 'start']);
    await door.sync();
    expect(calls.filter(({ what }) => what === 'sync').map(({ body }) => body)).toEqual([
      undefined,
      'c1',
    ]);
    expect(await store.pass('AAAAAAAAAAAA')).toMatchObject({
      name: 'Renamed',
      status: 'used',
      usagesCount: 1,
    });
    expect(await store.pass('BBBBBBBBBBBB')).toMatchObject({ status: 'active' });
    expect(await store.get('cursor')).toBe('c2');
    expect((await door.state()).listFrom).toBe(new Date(NOW).toISOString());
  });

  it('uploads the queue in order, once each, backing off as the server asks', async () => {
    const { door, store, server, calls, timers, setOnline } = await doorAt({
      online: false,
      passes: [doorPass('AAAAAAAAAAAA'), doorPass('BBBBBBBBBBBB')],
    });
    const first = await door.decide('AAAAAAAAAAAA', 'Door A');
    const second = await door.decide('BBBBBBBBBBBB', 'Door A');
    await queuedToBe(store, 2);
    const answers = [refused(503, { 'retry-after': '2' }), refused(429)];
    server.scan = async () => answers.shift() ?? ok({ scan: { id: `scan_${calls.length}` } });
    setOnline(true);
    await door.drain();
    // The server's Retry-After first, then twice that, as it gives none.
    expect(timers.waiting()).toContain(2000);
    timers.run(2000);
    await door.drain(true);
    expect(timers.waiting()).toContain(4000);
    timers.run(4000);
    await door.drain(true);
    expect(await store.countQueued()).toBe(0);
    // Both in one request each time, in the order decided.
    const uploads = calls.filter(({ what }) => what === 'upload');
    expect(uploads.map(({ keys }) => keys)).toEqual(Array(3).fill([first.key, second.key]));
    expect(uploads[2]?.body).toEqual({
      scans: ['AAAAAAAAAAAA', 'BBBBBBBBBBBB'].map((code, i) => ({
        key: [first.key, second.key][i],
        code,
        device: 'Door A',
        localResult: 'success',
        scannedAt: new Date(NOW).toISOString(),
        direction: 'entry',
      })),
    });
    for (const { key } of [first, second]) expect(await store.scanId(key)).toMatch(/^scan_\d+$/);
  });

  it('undoes an admit on the phone at once, and uploads the undo after its scan', async () => {
    const { door, store, server, calls, clock, setOnline } = await doorAt({
      online: false,
      passes: [doorPass('AAAAAAAAAAAA')],
    });
    const admitted: Decision = await door.decide('AAAAAAAAAAAA', 'Door A');
    await queuedToBe(store, 1);
    clock.now = NOW + 60_000;
    await door.undo(admitted);
    expect(await store.pass('AAAAAAAAAAAA')).toMatchObject({ status: 'active', usagesCount: 0 });
    expect((await store.queued()).map(({ kind }) => kind)).toEqual(['scan', 'annul']);
    server.scan = async () => ok({ scan: { id: 'scan_server' } });
    setOnline(true);
    await door.drain();
    expect(calls.filter(({ what }) => what !== 'sync')).toEqual([
      expect.objectContaining({ what: 'upload', keys: [admitted.key] }),
      {
        what: 'annul',
        id: 'scan_server',
        body: { annulledAt: new Date(NOW + 60_000).toISOString() },
        key: `${admitted.key}-undo`,
      },
    ]);
    expect(await store.countQueued()).toBe(0);
  });

  it('tells staff of each scan an upload refuses, and sends the oldest alone when it refuses all', async () => {
    const { door, store, server, calls, refusals, setOnline } = await doorAt({
      online: false,
      passes: ['AAAAAAAAAAAA', 'BBBBBBBBBBBB', 'CCCCCCCCCCCC'].map((code) => doorPass(code)),
    });
    for (const code of ['AAAAAAAAAAAA', 'BBBBBBBBBBBB', 'CCCCCCCCCCCC']) {
      await door.decide(code, 'Door A');
    }
    await queuedToBe(store, 3);
    server.scan = async (body) =>
      (body as { code: string }).code === 'BBBBBBBBBBBB'
        ? refused(400)
        : ok({ scan: { id: 'scan_ok' } });
    // The first upload is refused as a whole (a server that takes none, say); the rest are not.
    let answered = 0;
    server.upload = () => (answered++ === 0 ? refused(404) : undefined);
    setOnline(true);
    await door.drain();
    expect(await store.countQueued()).toBe(0);
    expect(refusals).toEqual(['BBBBBBBBBBBB: HTTP 400']);
    expect(calls.filter(({ what }) => what !== 'sync').map(({ what }) => what)).toEqual([
      'upload',
      'scan',
      'upload',
    ]);
  });
});

describe("the door's presence: where each pass is, kept through reloads", () => {
  const hall = { locationId: 'loc_hall', reentry: true } as const;
  const entry = { ...hall, direction: 'entry' } as const;
  const exit = { ...hall, direction: 'exit' } as const;

  it("decides re-entry from the server's presence, its own scans on top, and a reopened store", async () => {
    // The server says the used pass went out of the hall; an exit this phone made is queued.
    const { door, store, storeName, server } = await doorAt({
      online: false,
      passes: [
        doorPass('AAAAAAAAAAAA', { status: 'used', usagesCount: 1, inside: false }),
        doorPass('BBBBBBBBBBBB', { status: 'used', usagesCount: 1, inside: true }),
      ],
    });
    expect(await door.decide('AAAAAAAAAAAA', 'Door A', entry)).toMatchObject({
      result: 'success',
    });
    expect(await door.decide('BBBBBBBBBBBB', 'Door A', exit)).toMatchObject({ result: 'success' });
    await queuedToBe(store, 2);
    expect((await store.queued()).map((e) => e.kind === 'scan' && e.counted)).toEqual([
      false,
      false,
    ]);
    // A sync from a server that has not had the uploads yet: the queued moves stay on top.
    server.sync = async () =>
      ok({
        passes: [
          doorPass('AAAAAAAAAAAA', { status: 'used', usagesCount: 1, inside: false }),
          doorPass('BBBBBBBBBBBB', { status: 'used', usagesCount: 1, inside: true }),
        ],
        cursor: 'c1',
        hasMore: false,
      });
    await door.sync();
    expect(await store.pass('AAAAAAAAAAAA')).toMatchObject({ inside: true, usagesCount: 1 });
    expect(await store.pass('BBBBBBBBBBBB')).toMatchObject({ inside: false });

    // The page reloads: what the phone knows of presence is read back from IndexedDB.
    door.stop();
    store.close();
    const reopened = await DoorStore.open(storeName);
    await reopened.warm();
    expect(await reopened.pass('BBBBBBBBBBBB')).toMatchObject({ inside: false });
    reopened.close();
  });

  it('lets an unknown code out offline and queues it, and takes the server’s 404 as recorded', async () => {
    const { door, store, server, refusals, setOnline } = await doorAt({ online: false });
    const out = await door.decide('ZZZZZZZZZZZZ', 'Door A', exit);
    expect(out).toMatchObject({ by: 'phone', unknown: true, recorded: true });
    expect(await door.decide('YYYYYYYYYYYY', 'Door A', entry)).toMatchObject({ recorded: false });
    await queuedToBe(store, 1);
    expect(await store.queued()).toEqual([
      expect.objectContaining({ code: 'ZZZZZZZZZZZZ', direction: 'exit', unknown: true }),
    ]);
    server.scan = async () => refused(404);
    setOnline(true);
    await door.drain();
    expect(await store.countQueued()).toBe(0);
    expect(refusals).toEqual([]);
  });
});

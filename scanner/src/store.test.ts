import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { doorPass, newStoreName } from '../../test/support/door-store';
import { DOOR_UPGRADES, DoorStore, type DoorUpgrade } from './store';

describe("the door's IndexedDB (under fake-indexeddb)", () => {
  it('upgrades a version-1 database holding passes and a queue, losing nothing', async () => {
    const name = newStoreName();
    const first = await DoorStore.open(name, DOOR_UPGRADES.slice(0, 1));
    await first.putPasses([doorPass('AAAAAAAAAAAA'), doorPass('BBBBBBBBBBBB')], (p) => p);
    await first.recordLocal(doorPass('AAAAAAAAAAAA', { status: 'used', usagesCount: 1 }), {
      kind: 'scan',
      key: 'scan-1',
      code: 'AAAAAAAAAAAA',
      scannedAt: '2030-01-01T10:00:00.000Z',
      localResult: 'success',
      device: 'Door A',
    });
    await first.enqueue({
      kind: 'annul',
      key: 'scan-1-undo',
      scanKey: 'scan-1',
      annulledAt: '2030-01-01T10:01:00.000Z',
    });
    await first.setScanId('scan-0', 'scan_server');
    await first.set('syncCursor', 'cursor-7');
    first.close();

    // A later scanner's step: an index on the passes, made in the upgrade's own transaction.
    const byStatus: DoorUpgrade = (_db, tx) => {
      tx.objectStore('passes').createIndex('status' as never, 'status');
    };
    const upgraded = await DoorStore.open(name, [...DOOR_UPGRADES.slice(0, 1), byStatus]);
    await upgraded.warm();
    expect(await upgraded.pass('AAAAAAAAAAAA')).toMatchObject({ status: 'used', usagesCount: 1 });
    expect(await upgraded.pass('BBBBBBBBBBBB')).toMatchObject({ status: 'active' });
    expect((await upgraded.queued()).map((entry) => entry.key)).toEqual(['scan-1', 'scan-1-undo']);
    expect(await upgraded.firstQueued(1)).toMatchObject([{ entry: { key: 'scan-1' } }]);
    expect(await upgraded.scanId('scan-0')).toBe('scan_server');
    expect(await upgraded.get('syncCursor')).toBe('cursor-7');
    upgraded.close();

    // The index is there: the step ran once, from version 1 to 2.
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    expect(raw.version).toBe(2);
    expect([...raw.transaction('passes').objectStore('passes').indexNames]).toEqual(['status']);
    raw.close();
  });

  it('forgets the sync cursor at version 2, so the next sync brings every pass with `inside`', async () => {
    const name = newStoreName();
    const first = await DoorStore.open(name, DOOR_UPGRADES.slice(0, 1));
    await first.putPasses([doorPass('AAAAAAAAAAAA')], (p) => p);
    await first.set('cursor', 'v1.42');
    first.close();
    const upgraded = await DoorStore.open(name, DOOR_UPGRADES.slice(0, 2));
    expect(await upgraded.get('cursor')).toBeUndefined();
    expect(await upgraded.pass('AAAAAAAAAAAA')).toMatchObject({ code: 'AAAAAAAAAAAA' });
    upgraded.close();
  });

  it('opens a new database at the latest version, every step run in order', async () => {
    const ran: number[] = [];
    const steps = DOOR_UPGRADES.map<DoorUpgrade>((step, i) => (db, tx) => {
      ran.push(i);
      step(db, tx);
    });
    const store = await DoorStore.open(newStoreName(), steps);
    expect(ran).toEqual(DOOR_UPGRADES.map((_, i) => i));
    expect(await store.countQueued()).toBe(0);
    store.close();
  });

  it('keeps writes made while warming over what the read returned, and clears all', async () => {
    const store = await DoorStore.open(newStoreName());
    await store.putPass(doorPass('CCCCCCCCCCCC'));
    const warming = store.warm();
    await store.putPass(doorPass('CCCCCCCCCCCC', { status: 'revoked' }));
    await warming;
    expect(await store.pass('CCCCCCCCCCCC')).toMatchObject({ status: 'revoked' });
    await store.enqueue({ kind: 'annul', key: 'k', scanKey: 's', annulledAt: 'x' });
    await store.clear();
    expect(await store.pass('CCCCCCCCCCCC')).toBeUndefined();
    expect(await store.countQueued()).toBe(0);
    store.close();
  });
});

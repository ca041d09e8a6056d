import 'fake-indexeddb/auto';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  encodeStatement,
  formatSignedCode,
  type SignablePass,
  signedMessage,
  statementOf,
} from '@passgate/shared/core';
import { describe, expect, it } from 'vitest';
import { doorPass, newStoreName } from '../../test/support/door-store';
import type { DoorApi } from './api';
import { describeDecision } from './describe';
import { createDoor } from './door';
import type { DoorPlace } from './door-place';
import type { SigningKey } from './door-signed';
import { type DoorPass, DoorStore, type QueuedScan } from './store';

// Signed codes at a door with no server: checked with the keys of the last sync, against the
// list, and a pass the list lacks decided from what its code states, with the phone's own
// admits of it counted.

const NOW = Date.parse('2030-06-15T20:00:00Z');

/** A tenant's key pair, as the door holds its public half after a sync. */
function keyPair(slot: number, retiredAt: string | null = null) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const published: SigningKey = {
    id: `sk_${slot}_${retiredAt ? 'old' : 'new'}`,
    algorithm: 'Ed25519',
    slot,
    publicKey: publicKey.export({ format: 'jwk' }).x as string,
    createdAt: new Date(NOW).toISOString(),
    retiredAt,
  };
  const signed = (pass: Partial<SignablePass> & { code: string }) => {
    const statement = statementOf({
      type: 'single',
      maxUsages: null,
      validFrom: null,
      validUntil: null,
      locationId: null,
      ...pass,
    });
    if (!statement) throw new Error('not signable');
    const bytes = encodeStatement(statement, slot);
    return formatSignedCode(bytes, sign(null, signedMessage(bytes), privateKey));
  };
  return { published, signed };
}

const current = keyPair(2);
const retired = keyPair(5, new Date(NOW - 60_000).toISOString());
const stranger = keyPair(2);

/** An offline door holding `passes` and the keys of its last sync. */
async function offlineDoor(passes: DoorPass[] = []) {
  const store = await DoorStore.open(newStoreName());
  await store.putPasses(passes, (pass) => pass);
  await store.set('signingKeys', [current.published, retired.published]);
  const door = createDoor({
    store,
    api: () => ({}) as DoorApi,
    answerTimeoutMs: () => 2500,
    events: { onState: () => {}, onRemoved: () => {}, onRefusedUpload: () => {} },
    network: { online: () => false, onChange: () => {} },
    now: () => NOW,
    timers: { set: () => 0, clear: () => {} },
  });
  return { door, store };
}

const hall: DoorPlace = { locationId: 'loc_hall', reentry: false, direction: 'entry' };

describe('a signed code at an offline door', () => {
  it('admits a pass the list lacks once, by what it states, and queues it by its plain code', async () => {
    const { door, store } = await offlineDoor();
    const code = current.signed({ code: 'NEWPASS23456', validUntil: new Date(NOW + 3600_000) });
    const first = await door.decide(code, 'North door');
    expect(first).toMatchObject({ by: 'phone', result: 'success', unlisted: true });
    expect(describeDecision(first).title).toBe("ADMIT · offline · not in this phone's list");
    await expect.poll(() => store.countQueued()).toBe(1);
    const [queued] = (await store.queued()) as QueuedScan[];
    expect(queued).toMatchObject({ code: 'NEWPASS23456', localResult: 'success' });
    // Its own admit counted: a single pass does not get in twice.
    const second = await door.decide(code, 'North door');
    expect(second).toMatchObject({ by: 'phone', result: 'already_used' });
  });

  it('refuses one forged, signed by an unknown or a retired key, or for another place', async () => {
    const { door } = await offlineDoor();
    const good = current.signed({ code: 'FORGEDPASS23' });
    const flipped = `${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`;
    const invalid = async (text: string) => {
      const decision = await door.decide(text, 'North door');
      return 'invalid' in decision ? decision.invalid : decision;
    };
    expect(await invalid(flipped)).toBe('forged');
    expect(await invalid(stranger.signed({ code: 'STRANGER2345' }))).toBe('forged');
    expect(await invalid(keyPair(6).signed({ code: 'UNKNOWNKEY23' }))).toBe('unknown_key');
    expect(await invalid(retired.signed({ code: 'RETIREDKEY23' }))).toBe('retired_key');
    const forged = await door.decide(flipped, 'North door');
    expect(describeDecision(forged)).toMatchObject({
      tone: 'reject',
      title: 'Invalid code · offline',
    });
    const elsewhere = current.signed({ code: 'ELSEWHERE234', locationId: 'loc_annex' });
    expect(await door.decide(elsewhere, 'North door', hall)).toMatchObject({
      result: 'wrong_location',
    });
    const here = current.signed({ code: 'HEREPASS2345', locationId: 'loc_hall' });
    expect(await door.decide(here, 'North door', hall)).toMatchObject({ result: 'success' });
  });

  it('decides a listed pass by the list, and refuses a code its change replaced', async () => {
    const { door } = await offlineDoor([
      doorPass('LISTEDPASS23', { validUntil: new Date(NOW + 7200_000).toISOString() }),
      doorPass('REVOKEDPASS2', { status: 'revoked' }),
    ]);
    const replaced = current.signed({ code: 'LISTEDPASS23', validUntil: new Date(NOW + 3600_000) });
    expect(await door.decide(replaced, 'North door')).toMatchObject({ invalid: 'replaced' });
    const now = current.signed({ code: 'LISTEDPASS23', validUntil: new Date(NOW + 7200_000) });
    expect(await door.decide(now, 'North door')).toMatchObject({ result: 'success' });
    expect(await door.decide(current.signed({ code: 'REVOKEDPASS2' }), 'North door')).toMatchObject(
      { result: 'revoked' },
    );
  });
});

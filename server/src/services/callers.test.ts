import { describe, expect, it } from 'vitest';
import type { Caller } from '../domain/callers';
import { createCallerCache } from './callers';

const caller: Caller = {
  tenant: { id: 'ten_1', name: 'T', plan: 'pro', max_passes: null, webhook_quota: 10 },
  key: { id: 'key_1', prefix: '2pk_abcdefgh', scope: 'full', rate_limit: null, device: null },
  user: null,
};

/** A loader that counts its calls and can be held open. */
function loader() {
  let release: () => void = () => {};
  const state = { calls: 0, hold: false };
  const load = async () => {
    state.calls++;
    if (state.hold) await new Promise<void>((resolve) => (release = resolve));
    return caller;
  };
  return { state, load, release: () => release() };
}

describe('createCallerCache', () => {
  it('keeps a caller only while listening for changes', async () => {
    const cache = createCallerCache();
    const { state, load } = loader();
    await cache.get('h', load);
    await cache.get('h', load);
    expect(state.calls).toBe(2);
    cache.setListening(true);
    await cache.get('h', load);
    await cache.get('h', load);
    expect(state.calls).toBe(3);
    cache.setListening(false);
    await cache.get('h', load);
    expect(state.calls).toBe(4);
  });

  it('forgets everything on a change, including a lookup that was in flight', async () => {
    const cache = createCallerCache();
    cache.setListening(true);
    const { state, load, release } = loader();
    await cache.get('h', load);
    cache.invalidate();
    state.hold = true;
    const racing = cache.get('h', load);
    cache.invalidate(); // the change commits while the read is on its way
    release();
    expect(await racing).toBe(caller);
    state.hold = false;
    await cache.get('h', load);
    expect(state.calls).toBe(3);
  });

  it('reads again once an entry is older than its time to live', async () => {
    const cache = createCallerCache({ ttlMs: 20 });
    cache.setListening(true);
    const { state, load } = loader();
    await cache.get('h', load);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await cache.get('h', load);
    expect(state.calls).toBe(2);
  });
});

describe('a session in the caller cache', () => {
  const session = (endsInMs: number): Caller => ({
    tenant: caller.tenant,
    key: null,
    user: {
      id: 'usr_1',
      email: 'a@example.com',
      name: null,
      role: 'admin',
      sessionHash: 'h',
      sessionEndsAt: new Date(Date.now() + endsInMs),
    },
  });

  it('is kept no longer than the session lasts', async () => {
    const cache = createCallerCache();
    cache.setListening(true);
    let calls = 0;
    const ending = async () => {
      calls++;
      return session(-1);
    };
    await cache.get('session:a', ending);
    await cache.get('session:a', ending);
    expect(calls).toBe(2);
    const lasting = async () => {
      calls++;
      return session(60 * 60 * 1000);
    };
    await cache.get('session:b', lasting);
    await cache.get('session:b', lasting);
    expect(calls).toBe(3);
  });
});

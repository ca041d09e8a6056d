import type { Caller } from '../domain/callers';

/**
 * The channel on which the database announces that an API key, a tenant, a session or a user
 * changed (a key revoked, a plan changed, a sign-out): triggers in migrations
 * `2026-11-23-auth-notify` and `2026-12-16-session-notify` NOTIFY it.
 */
export const AUTH_CHANGES_CHANNEL = 'passgate_auth_changed';

/** Entries are dropped at most this long after they were read, whatever else happens. */
const DEFAULT_TTL_MS = 60_000;
/** Past this many entries, expired ones are swept before adding another. */
const SWEEP_ABOVE = 10_000;

export interface CallerCache {
  /**
   * The caller of a key or session by its token's SHA-256, from the cache or else from `load`
   * (and then cached, until the session ends if sooner).
   */
  get(keyHash: string, load: () => Promise<Caller | undefined>): Promise<Caller | undefined>;
  /** Something changed: forget every entry, including lookups still in flight. */
  invalidate(): void;
  /**
   * Caching is on only while change notifications are known to arrive; while they might be
   * missed (the listening connection is down), every request reads the database.
   */
  setListening(listening: boolean): void;
}

/**
 * Keeps each key's and session's caller in memory so that a request does not read it from the
 * database every time. A revocation, a sign-out or a changed user reaches every server instance
 * through the database's notification (see `AUTH_CHANGES_CHANNEL`) within milliseconds; a
 * lookup that raced with it is not kept. A session's entry lasts no longer than the session.
 */
export function createCallerCache(options: { ttlMs?: number } = {}): CallerCache {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const entries = new Map<string, { caller: Caller; expiresAt: number }>();
  // Bumped by every invalidation: a lookup that began before one must not store its answer.
  let generation = 0;
  let listening = false;

  function sweep(now: number) {
    for (const [hash, entry] of entries) if (entry.expiresAt <= now) entries.delete(hash);
  }

  function invalidate() {
    generation++;
    entries.clear();
  }

  return {
    async get(keyHash, load) {
      const now = Date.now();
      const entry = listening ? entries.get(keyHash) : undefined;
      if (entry && entry.expiresAt > now) return entry.caller;
      const startedIn = generation;
      const caller = await load();
      if (caller && listening && generation === startedIn) {
        if (entries.size >= SWEEP_ABOVE) sweep(now);
        const ends = caller.user?.sessionEndsAt.getTime() ?? Number.POSITIVE_INFINITY;
        entries.set(keyHash, { caller, expiresAt: Math.min(Date.now() + ttlMs, ends) });
      }
      return caller;
    },
    invalidate,
    setListening(value) {
      listening = value;
      invalidate();
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../errors';
import type { AttemptCounter, RateLimits } from './rate-limits';

/** Attempts are remembered this long. */
export const ATTEMPT_WINDOW_SECONDS = 15 * 60;
/** The first delay past the free attempts; each further attempt doubles it, up to the most. */
const FIRST_DELAY_MS = 1_000;
const MOST_DELAY_MS = 30_000;

/**
 * What an attempt is counted under: an email, or a client's address. `free` attempts in the
 * window go at once; each one past them waits longer before it is checked. `atOnce` attempts of
 * one name may be open on this instance at a time (the rest are refused with 429 without being
 * counted); `oneByOne` checks them one after another, so that attempts sent together still wait
 * their delays in turn.
 */
export interface AttemptSubject {
  kind: string;
  name: string;
  free: number;
  atOnce: number;
  oneByOne?: boolean;
  /** On success: forget every attempt of the name (`clear`), or take this one back (`forgive`). */
  onSuccess: 'clear' | 'forgive';
}

/** How long an attempt waits before it is checked, the `count`-th in its window. */
export function delayFor(count: number, free: number): number {
  const past = count - free;
  if (past <= 0) return 0;
  return Math.min(MOST_DELAY_MS, FIRST_DELAY_MS * 2 ** (past - 1));
}

export interface AttemptThrottle {
  /**
   * Counts the attempt under every subject, waits the longest delay any of them sets, then runs
   * `check`. A check that throws counts as a failed attempt; one that returns is a success.
   */
  attempt<T>(subjects: AttemptSubject[], check: () => Promise<T>): Promise<T>;
}

/**
 * Throttling that slows guessing down without locking anyone out: failures never refuse a right
 * password, they make each further attempt of the same email or address wait longer (1 s, 2 s,
 * 4 s … 30 s). Counts are shared by every instance (they live where the rate limits do);
 * how many attempts may be open at once is counted per instance.
 */
export function createAttemptThrottle(rateLimits: RateLimits): AttemptThrottle {
  const counters = new Map<string, AttemptCounter>();
  const counterOf = (kind: string) => {
    let counter = counters.get(kind);
    if (!counter) {
      counter = rateLimits.attempts(kind, ATTEMPT_WINDOW_SECONDS);
      counters.set(kind, counter);
    }
    return counter;
  };
  const open = new Map<string, number>();
  /** The last attempt in line for each name checked one by one. */
  const lines = new Map<string, Promise<void>>();

  /** Waits for the attempts ahead in the name's line; answers the function that lets the next go. */
  async function takeTurn(line: string): Promise<() => void> {
    const ahead = lines.get(line) ?? Promise.resolve();
    let done = () => {};
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    const tail = ahead.then(() => mine);
    lines.set(line, tail);
    await ahead;
    return () => {
      done();
      if (lines.get(line) === tail) lines.delete(line);
    };
  }

  return {
    async attempt(subjects, check) {
      const named = subjects.map((subject) => ({
        ...subject,
        key: `${subject.kind}:${subject.name}`,
        counter: counterOf(subject.kind),
      }));
      if (named.some(({ key, atOnce }) => (open.get(key) ?? 0) >= atOnce)) {
        throw new ApiError(
          429,
          'Too many attempts at once for this account or address: try again in a few seconds',
          { 'Retry-After': '5' },
        );
      }
      for (const { key } of named) open.set(key, (open.get(key) ?? 0) + 1);
      const turns: (() => void)[] = [];
      try {
        const delays = await Promise.all(
          named.map(async ({ counter, name, free }) => delayFor(await counter.count(name), free)),
        );
        for (const { key, oneByOne } of named) if (oneByOne) turns.push(await takeTurn(key));
        const delay = Math.max(0, ...delays);
        if (delay > 0) await sleep(delay);
        const value = await check();
        await Promise.all(
          named.map(({ counter, name, onSuccess }) =>
            onSuccess === 'clear' ? counter.clear(name) : counter.forgive(name),
          ),
        );
        return value;
      } finally {
        for (const turn of turns) turn();
        for (const { key } of named) {
          const left = (open.get(key) ?? 1) - 1;
          if (left > 0) open.set(key, left);
          else open.delete(key);
        }
      }
    },
  };
}

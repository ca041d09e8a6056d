import type { Tone } from './describe';

/** One line of the last scans list. */
export interface TallyItem {
  tone: Tone;
  text: string;
}

/**
 * The door's counters and last scans, kept in the phone's storage so that a reload (a tab the
 * phone's browser evicted, a pull to refresh) does not lose the evening's count. They belong to
 * the key the scanner is paired with: pairing another key, or unpairing, starts afresh, and so
 * does "Reset counters" in the settings.
 */
export interface Tally {
  /** The paired key's visible prefix (never the key itself), or undefined when unpaired. */
  owner: string | undefined;
  admit: number;
  reject: number;
  /** Newest first. */
  history: TallyItem[];
}

const STORAGE_KEY = 'passgate.tally';

/** Where the tally is kept: the part of the Web Storage interface it uses. */
export type TextStore = Pick<Storage, 'getItem' | 'setItem'>;

/** A line in the last scans that counts nothing (an upload the server refused). */
export function note(tally: Tally, text: string): Tally {
  return {
    ...tally,
    history: [{ tone: 'reject' as const, text }, ...tally.history].slice(0, HISTORY_SIZE),
  };
}

/** The tally after an admit was undone: one admit fewer, and a line that says so. */
export function uncount(tally: Tally, text: string): Tally {
  return { ...note(tally, text), admit: Math.max(0, tally.admit - 1) };
}
export const HISTORY_SIZE = 50;

const ownerOf = (key: string | undefined) => key?.slice(0, 12);

export const emptyTally = (key: string | undefined): Tally => ({
  owner: ownerOf(key),
  admit: 0,
  reject: 0,
  history: [],
});

/** The stored tally of `key`, or an empty one (another key's, or none, or unreadable). */
export function loadTally(storage: TextStore, key: string | undefined): Tally {
  try {
    const stored = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as Tally | null;
    if (
      stored !== null &&
      stored.owner === ownerOf(key) &&
      Number.isInteger(stored.admit) &&
      Number.isInteger(stored.reject) &&
      Array.isArray(stored.history)
    ) {
      return { ...stored, history: stored.history.slice(0, HISTORY_SIZE) };
    }
  } catch {
    // unreadable: start afresh
  }
  return emptyTally(key);
}

export function saveTally(storage: TextStore, tally: Tally) {
  storage.setItem(STORAGE_KEY, JSON.stringify(tally));
}

/** The tally after one final answer. */
export function count(tally: Tally, tone: 'admit' | 'reject', text: string): Tally {
  return {
    ...tally,
    admit: tally.admit + (tone === 'admit' ? 1 : 0),
    reject: tally.reject + (tone === 'reject' ? 1 : 0),
    history: [{ tone, text }, ...tally.history].slice(0, HISTORY_SIZE),
  };
}

import { describe, expect, it } from 'vitest';
import { count, emptyTally, HISTORY_SIZE, loadTally, note, saveTally, uncount } from './tally';

/** The Web Storage interface over a Map, as Node has no localStorage. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

const KEY = `2pk_${'a'.repeat(32)}`;
const OTHER = `2pk_${'b'.repeat(32)}`;

describe('the door tally', () => {
  it('comes back as saved for the same key, and empty for another key or none', () => {
    const storage = memoryStorage();
    const tally = count(count(emptyTally(KEY), 'admit', '20:01 ADMIT'), 'reject', '20:02 Revoked');
    saveTally(storage, tally);
    expect(loadTally(storage, KEY)).toEqual(tally);
    expect(loadTally(storage, OTHER)).toEqual(emptyTally(OTHER));
    expect(loadTally(storage, undefined)).toEqual(emptyTally(undefined));
    expect(storage.getItem('passgate.tally')).not.toContain(KEY);
  });

  it('keeps the newest 50 scans, and starts afresh from anything unreadable', () => {
    let tally = emptyTally(KEY);
    for (let i = 0; i < HISTORY_SIZE + 5; i++) tally = count(tally, 'admit', `scan ${i}`);
    expect(tally.admit).toBe(HISTORY_SIZE + 5);
    expect(tally.history).toHaveLength(HISTORY_SIZE);
    expect(tally.history[0]!.text).toBe(`scan ${HISTORY_SIZE + 4}`);
    const storage = memoryStorage();
    for (const junk of ['{', 'null', '42', '{"owner":"2pk_aaaaaaaa","admit":"x"}']) {
      storage.setItem('passgate.tally', junk);
      expect(loadTally(storage, KEY), junk).toEqual(emptyTally(KEY));
    }
  });
});

describe('notes and undos', () => {
  it('notes a line without counting, and an undo takes one admit back', () => {
    const admitted = count(emptyTally(KEY), 'admit', '20:01 ADMIT');
    const noted = note(admitted, '20:02 Upload refused');
    expect(noted).toMatchObject({ admit: 1, reject: 0 });
    expect(noted.history.map((item) => item.text)).toEqual(['20:02 Upload refused', '20:01 ADMIT']);
    expect(uncount(noted, '20:03 Undone')).toMatchObject({ admit: 0, reject: 0 });
    expect(uncount(emptyTally(KEY), 'Undone').admit).toBe(0);
    let full = emptyTally(KEY);
    for (let i = 0; i < HISTORY_SIZE + 3; i++) full = note(full, `line ${i}`);
    expect(full.history).toHaveLength(HISTORY_SIZE);
  });
});

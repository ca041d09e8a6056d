import { $ } from './screen';
import type { DoorStore } from './store';
import { emptyTally, loadTally, saveTally, type Tally } from './tally';

/**
 * The counters and last scans on screen, kept in the phone's storage (the door store's `tally`
 * text store) under the scanner's key, so a reload keeps the evening's count.
 */
export async function createTallyView(store: DoorStore) {
  let storage = await store.textStore('tally');
  let tally: Tally = emptyTally(undefined);
  /** Shows `next` and keeps it. */
  function set(next: Tally) {
    tally = next;
    saveTally(storage, tally);
    $('admitted').textContent = String(tally.admit);
    $('rejected').textContent = String(tally.reject);
    $('history').replaceChildren(
      ...tally.history.map(({ tone, text }) => {
        const item = document.createElement('li');
        item.className = tone;
        item.textContent = text;
        return item;
      }),
    );
  }
  return {
    get current() {
      return tally;
    },
    set,
    /** The tally kept for this key, or a fresh one. */
    load: (key: string | undefined) => set(loadTally(storage, key)),
    /** After the door store was cleared: its text store is read anew. */
    async reopen() {
      storage = await store.textStore('tally');
    },
  };
}
export type TallyView = Awaited<ReturnType<typeof createTallyView>>;

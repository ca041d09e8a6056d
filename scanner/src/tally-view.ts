import { $ } from './screen';
import type { DoorStore } from './store';
import { emptyTally, loadTally, saveTally, type Tally, type TextStore } from './tally';

/**
 * The counters and last scans on screen, kept in the phone's storage (the door store's `tally`
 * text store) under the scanner's key, so a reload keeps the evening's count. The view is there
 * at once; each change waits for the stored tally to be read, and changes apply in the order
 * they were asked, so a verdict shown while the phone's storage opens is still counted.
 */
export function createTallyView(store: DoorStore) {
  let tally: Tally = emptyTally(undefined);
  let storage: Promise<TextStore> = store.textStore('tally');
  let changes: Promise<void> = Promise.resolve();

  function show() {
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

  /** Applies `change` to the tally once the stored one is read, keeps it and shows it. */
  function update(change: (current: Tally, stored: TextStore) => Tally): Promise<void> {
    changes = changes
      .then(async () => {
        const stored = await storage;
        tally = change(tally, stored);
        saveTally(stored, tally);
        show();
      })
      // Storage the browser refuses leaves the counters as they were, and later changes still run.
      .catch(() => {});
    return changes;
  }

  return {
    update,
    /** The tally kept for this key, or a fresh one. */
    load: (key: string | undefined) => update((_current, stored) => loadTally(stored, key)),
    /** After the door store was cleared: its text store is read anew. */
    reopen() {
      changes = changes.then(() => {
        storage = store.textStore('tally');
      });
      return changes;
    },
  };
}
export type TallyView = ReturnType<typeof createTallyView>;

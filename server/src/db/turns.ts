import { AsyncLocalStorage } from 'node:async_hooks';

// Whose turn it is on the embedded database's one connection (ADR 7). Work that nobody waits for
// at a door — an import's parts, an export's pages, webhook deliveries, wallet updates, upkeep —
// runs in the background: after each of its turns, the requests that queued meanwhile go first.
// On PostgreSQL, whose pool lends many connections, nothing reads this.

const background = new AsyncLocalStorage<boolean>();

/** Runs `work`, and whatever it starts (timers and promises too), as background work. */
export const inBackground = <T>(work: () => T): T => background.run(true, work);

/** Whether the caller runs as background work. */
export const isBackground = () => background.getStore() === true;

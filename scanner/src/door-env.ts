// What the door needs of its surroundings, given by a test or taken from the browser.

/** Whether the phone has a network, as the browser says, and news of a change. */
export interface DoorNetwork {
  online(): boolean;
  onChange(listener: (online: boolean) => void): void;
}

/** Timers, as `setTimeout` and `clearTimeout`. */
export interface DoorTimers {
  set(run: () => void, ms: number): unknown;
  clear(timer: unknown): void;
}

/** The browser's own: `navigator.onLine` and its `online` and `offline` events. */
export const browserNetwork = (): DoorNetwork => ({
  online: () => navigator.onLine,
  onChange(listener) {
    window.addEventListener('online', () => listener(true));
    window.addEventListener('offline', () => listener(false));
  },
});

export const browserTimers: DoorTimers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

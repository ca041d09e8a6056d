/**
 * The event streams open on this server. A stream never finishes by itself, so stopping the
 * server ends them all first (the browser reconnects to another instance, or to this one when it
 * is back), and the server's graceful stop does not wait for them.
 */
export interface LiveStreams {
  /** Registers a stream's end; answers the function that unregisters it. */
  add(end: () => void): () => void;
  endAll(): void;
  readonly size: number;
}

export function createLiveStreams(): LiveStreams {
  const ends = new Set<() => void>();
  return {
    add(end) {
      ends.add(end);
      return () => ends.delete(end);
    },
    endAll() {
      for (const end of [...ends]) end();
      ends.clear();
    },
    get size() {
      return ends.size;
    },
  };
}

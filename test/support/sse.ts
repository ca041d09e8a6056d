export interface ServerSentEvent {
  event: string;
  id: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
  data: any;
}

export interface OpenStream {
  status: number;
  events: ServerSentEvent[];
  /** Resolves once an event matching `match` has arrived (or rejects after `timeoutMs`). */
  until(match: (event: ServerSentEvent) => boolean, timeoutMs?: number): Promise<ServerSentEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens an event stream with fetch and parses its events as they arrive. */
export async function openStream(
  url: string,
  headers: Record<string, string>,
): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: ServerSentEvent[] = [];
  const waiters = new Set<() => void>();
  let ended: () => void = () => {};
  const endedPromise = new Promise<void>((resolve) => {
    ended = resolve;
  });
  if (response.body && response.ok) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields: Record<string, string> = {};
            for (const line of block.split('\n')) {
              if (!line || line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
            }
            if (fields.data === undefined) continue;
            events.push({
              event: fields.event ?? 'message',
              id: fields.id,
              data: JSON.parse(fields.data),
            });
            for (const wake of [...waiters]) wake();
          }
        }
      } catch {
        // aborted
      }
      ended();
      for (const wake of [...waiters]) wake();
    })();
  } else {
    ended();
  }
  let isEnded = false;
  void endedPromise.then(() => {
    isEnded = true;
  });
  return {
    status: response.status,
    events,
    ended: endedPromise,
    until(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`),
          );
        }, timeoutMs);
        function check() {
          const found = events.find(match);
          if (found) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found);
          } else if (isEnded) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`the stream ended first; got ${JSON.stringify(events)}`));
          }
        }
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}

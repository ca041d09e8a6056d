import type { Logger } from '../../logger';

/**
 * Whether the shared counter store (Redis, or PostgreSQL's counter pool) may be used. The first
 * command that fails or times out opens the circuit: the failure is logged once, and the
 * counts go to memory from then on, at no cost to requests. A probe asks the store every
 * `probeEveryMs`; when it answers, the circuit closes, which is logged once too.
 */
export interface StoreCircuit {
  closed(): boolean;
  failed(error?: unknown): void;
  stop(): void;
}

export function storeCircuit(options: {
  /** The store in words: "Redis". */
  name: string;
  /** Resolves when the store answers; rejects (or times out) when it does not. */
  probe(): Promise<unknown>;
  logger?: Logger | undefined;
  probeEveryMs?: number;
}): StoreCircuit {
  const { name, probe, logger, probeEveryMs = 1_000 } = options;
  let open = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function probeLater() {
    timer = setTimeout(async () => {
      try {
        await probe();
      } catch {
        if (!stopped) probeLater();
        return;
      }
      open = false;
      logger?.info(`${name} is back: rate limits count in it again`);
    }, probeEveryMs);
    timer.unref();
  }

  return {
    closed: () => !open,
    failed(error) {
      if (open) return;
      open = true;
      logger?.warn(
        { err: error },
        `${name} is out of reach: rate limits count in this process until it is back`,
      );
      probeLater();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

import { pino } from 'pino';
import type { Config } from './config';

export type Logger = pino.Logger;

/**
 * JSON lines on stdout, written synchronously. pino's default asynchronous destination flushes
 * what is pending when the process exits, and retries a write that failed for any reason: with
 * a broken pipe (the log's reader gone) the server then spins at exit and never stops. Written
 * synchronously, a broken pipe fails the write at once, and pino stops logging instead. Logs
 * are few at the default level (requests are logged at `debug`).
 */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino(
    { level: config.logLevel, base: { service: 'passgate' } },
    pino.destination({ dest: 1, sync: true }),
  );
}

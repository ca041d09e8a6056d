import { afterAll } from 'vitest';
import { type RunningServer, type ServerOptions, startServer } from './server';

/**
 * `startServer` for the tests of one file: every server it starts is stopped after them all,
 * those a test killed and started again included.
 */
export function serversOfThisFile() {
  const running: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
  });
  return async (options: ServerOptions) => {
    const started = await startServer(options);
    running.push(started);
    return started;
  };
}

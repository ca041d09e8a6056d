// The builds `pnpm start` makes before it runs the server, each only when its sources are newer
// than its output: the scanner (scanner/dist), the dashboard (dashboard/dist), then the server's
// bundle (server/dist). The test
// run and the bench make the same ones through this module, so they serve what `pnpm start` would.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const here = import.meta.dirname;
const BUILDS = [
  path.join(here, '../scanner/build-if-stale.mjs'),
  path.join(here, '../dashboard/build-if-stale.mjs'),
  path.join(here, 'build-if-stale.mjs'),
];

/**
 * Runs each build in turn. A build that fails has said why on stderr; this then throws
 * `execFileSync`'s error, whose `status` is the build's exit code.
 */
export function buildAllIfStale() {
  for (const build of BUILDS) {
    execFileSync(process.execPath, [build], { stdio: 'inherit' });
  }
}

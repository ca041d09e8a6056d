// What `pnpm start` runs: builds the scanner and the server if their sources are newer than
// their builds, then runs the server in this very process.
//
// A package manager runs a script through `sh -c`, and when it is told to stop (SIGTERM to
// `pnpm start`, as a supervisor or `kill` sends it) it passes the signal to that shell alone.
// Debian's shell (dash) dies of it without passing it on, and the server it started would run
// on, an orphan holding the port and DATA_DIR, while the operator believes it stopped (and copies
// a backup of a database still being written). So the server watches the process that started
// it: when that is gone, it stops as SIGTERM would stop it. Only under a package manager's
// script, though: run as `node server/start.mjs` by a launcher that starts it in the background
// and exits (`setsid`, `(… &)`), its parent is meant to go. Started any other way
// (`node server/dist/main.js` under systemd or in a container) nothing here runs.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const here = import.meta.dirname;
const STALE_BUILDS = [
  path.join(here, '../scanner/build-if-stale.mjs'),
  path.join(here, 'build-if-stale.mjs'),
];
const PARENT_CHECK_MS = 500;
const parent = process.ppid;

for (const build of STALE_BUILDS) {
  try {
    execFileSync(process.execPath, [build], { stdio: 'inherit' });
  } catch (error) {
    // The build has said what went wrong on stderr already.
    process.exit(typeof error.status === 'number' ? error.status : 1);
  }
}

// npm, pnpm and yarn all name the script they run here.
if (process.env.npm_lifecycle_event !== undefined) {
  // Stopped while building: do not start at all (128 + SIGTERM, as a shell reports it).
  if (process.ppid !== parent) process.exit(143);
  const watch = setInterval(function stopWhenOrphaned() {
    // Linux gives an orphan a new parent (init, or the nearest subreaper): the shell is gone.
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, PARENT_CHECK_MS);
  watch.unref();
}

process.setSourceMapsEnabled(true);
await import('./dist/main.js');

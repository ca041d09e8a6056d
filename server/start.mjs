// What `pnpm start` runs: builds the scanner, the dashboard and the server if their sources are
// newer than their builds, then runs the server in this very process. `pnpm start --lan` serves
// it over HTTPS on this machine's local network, for phones (lan.mjs).
//
// The script is `exec node server/start.mjs`: the shell a package manager runs scripts in
// becomes this process, so a SIGTERM to `pnpm start` (as a supervisor or `kill` sends it),
// which the package manager passes to its script, reaches the server itself, which stops
// gracefully. A package manager killed outright (SIGKILL) passes nothing on: this process is
// then orphaned, its parent changes, and it stops as SIGTERM would stop it. Only under a
// package manager's script, though: run as `node server/start.mjs` by a script that starts it in
// the background and exits, its parent is meant to go. Started any other way
// (`node server/dist/main.js` under systemd or in a container) nothing here runs.
import { buildAllIfStale } from './build-all-if-stale.mjs';

const PARENT_CHECK_MS = 500;
const startedBy = process.ppid;

try {
  buildAllIfStale();
} catch (error) {
  // The build has said what went wrong on stderr already.
  process.exit(typeof error.status === 'number' ? error.status : 1);
}

// npm, pnpm and yarn all name the script they run here.
if (process.env.npm_lifecycle_event !== undefined) {
  // Orphaned while building: do not start at all (128 + SIGTERM, as a shell reports it).
  if (process.ppid !== startedBy) process.exit(143);
  const watch = setInterval(function stopWhenOrphaned() {
    if (process.ppid === startedBy) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, PARENT_CHECK_MS);
  watch.unref();
}

if (process.argv.includes('--lan')) {
  const { serveOnLan, lanInstructions } = await import('./lan.mjs');
  try {
    process.stderr.write(lanInstructions(await serveOnLan()));
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

process.setSourceMapsEnabled(true);
await import('./dist/main.js');

// What `pnpm start` runs: builds the scanner and the server if their sources are newer than
// their builds, then runs the server in this very process.
//
// A package manager runs a script through `sh -c`, and when it is told to stop (SIGTERM to
// `pnpm start`, as a supervisor or `kill` sends it) it passes the signal to that shell alone.
// Debian's shell (dash) dies of it without passing it on, and the server it started would run
// on, an orphan holding the port and DATA_DIR, while the operator believes it stopped (and copies
// a backup of a database still being written). So the server watches the process that started
// it and, on Linux, the package manager above that shell (a SIGKILL to pnpm leaves the shell
// waiting on the server): when either is gone, it stops as SIGTERM would stop it. Only under a
// package manager's script, though: run as `node server/start.mjs` by a script that starts it
// in the background and exits, its parent is meant to go. Started any other way
// (`node server/dist/main.js` under systemd or in a container) nothing here runs.
import { readFileSync } from 'node:fs';
import { buildAllIfStale } from './build-all-if-stale.mjs';

const PARENT_CHECK_MS = 500;
const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh']);

/** What `/proc` says of a process (Linux only; undefined elsewhere or once it is gone). */
function procOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (name) state ppid …": the name may hold spaces and parentheses, so cut at the last ")".
    const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/**
 * Who started this process: its parent and, when that parent is the shell a package manager runs
 * scripts in, the package manager. Where `/proc` cannot say, the parent alone.
 */
function startedBy() {
  const parent = process.ppid;
  const shell = procOf(parent);
  return { parent, manager: shell && SHELLS.has(shell.name) ? shell.ppid : undefined };
}

const starter = startedBy();
const stillThere = () => {
  const now = startedBy();
  return now.parent === starter.parent && now.manager === starter.manager;
};

try {
  buildAllIfStale();
} catch (error) {
  // The build has said what went wrong on stderr already.
  process.exit(typeof error.status === 'number' ? error.status : 1);
}

// npm, pnpm and yarn all name the script they run here.
if (process.env.npm_lifecycle_event !== undefined) {
  // Stopped while building: do not start at all (128 + SIGTERM, as a shell reports it).
  if (!stillThere()) process.exit(143);
  const watch = setInterval(function stopWhenOrphaned() {
    // Linux gives an orphan a new parent (init, or the nearest subreaper): the shell is gone, or
    // the shell is the orphan, and the package manager is gone.
    if (stillThere()) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, PARENT_CHECK_MS);
  watch.unref();
}

process.setSourceMapsEnabled(true);
await import('./dist/main.js');

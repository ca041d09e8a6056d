import { readdirSync, readFileSync } from 'node:fs';

// What a round of the bench cost the machine, read from Linux's `/proc`: CPU time per process and
// the cores' busy share (`cpuSnapshot`), and how long the disk held everything (`watchIoStalls`).

/**
 * CPU time used on this machine, read from Linux's `/proc`: by the server process, by all of
 * PostgreSQL's processes, by this load generator, and by the whole machine. It tells a slow
 * round of the bench caused by our code from one where the machine itself got slower (then the
 * floor's CPU per scan rises too). Elsewhere than on Linux there is nothing to read: `undefined`.
 */
export interface CpuSnapshot {
  serverMs: number;
  postgresMs: number;
  generatorMs: number;
  busyTicks: number;
  allTicks: number;
}

/** What one run cost, per operation, and how busy the machine's cores were meanwhile. */
export interface CpuPerOperation {
  serverUs: number;
  postgresUs: number;
  generatorUs: number;
  busyPercent: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * User + system CPU of one process and of its children that have ended, in ms. PostgreSQL's
 * postmaster reaps the backends and workers that exit during a round (a closed connection, an
 * autovacuum worker), so their time is counted there once they are gone from `/proc`.
 */
function processMs(pid: number | string): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // From field 3 (state) on: utime, stime, cutime and cstime are fields 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) * TICK_MS;
}

function postgresMs(): number {
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') sum += processMs(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return sum;
}

export function cpuSnapshot(serverPid: number): CpuSnapshot | undefined {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks.slice(1).map(Number);
    const busyTicks = user! + nice! + system! + irq! + softirq! + steal!;
    const own = process.cpuUsage();
    return {
      serverMs: processMs(serverPid),
      postgresMs: postgresMs(),
      generatorMs: (own.user + own.system) / 1000,
      busyTicks,
      allTicks: busyTicks + idle! + iowait!,
    };
  } catch {
    return undefined;
  }
}

export function cpuPerOperation(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
  operations: number,
): CpuPerOperation | undefined {
  if (!before || !after || operations === 0) return undefined;
  const perOperationUs = (ms: number) => (ms * 1000) / operations;
  return {
    serverUs: perOperationUs(after.serverMs - before.serverMs),
    postgresUs: perOperationUs(after.postgresMs - before.postgresMs),
    generatorUs: perOperationUs(after.generatorMs - before.generatorMs),
    busyPercent: (100 * (after.busyTicks - before.busyTicks)) / (after.allTicks - before.allTicks),
  };
}

const STALL_WINDOW_MS = 100;

/** Microseconds, since boot, in which every non-idle task waited on IO (Linux's PSI `full`). */
function ioStalledUs(): number | undefined {
  try {
    const full = readFileSync('/proc/pressure/io', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('full'));
    const total = full && /total=(\d+)/.exec(full);
    return total ? Number(total[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Watches the machine's IO stalls during a round: the worst 100 ms window's stall, in ms, when
 * `stop`ped. A disk that stops answering for a moment holds every commit, the floor's as much as
 * the API's; the load's latency shows it, and this tells it from a slow round of our own code.
 * Without pressure stall information (a kernel without PSI, or not Linux) it reports `undefined`.
 */
export function watchIoStalls(): { stop(): number | undefined } {
  const first = ioStalledUs();
  if (first === undefined) return { stop: () => undefined };
  let last = first;
  let worstUs = 0;
  const sample = () => {
    const now = ioStalledUs() ?? last;
    worstUs = Math.max(worstUs, now - last);
    last = now;
  };
  const timer = setInterval(sample, STALL_WINDOW_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return worstUs / 1000;
    },
  };
}

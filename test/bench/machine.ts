import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

// What a round of the bench cost the machine, read from Linux's `/proc`: CPU time per process and
// the cores' busy share (`cpuSnapshot`), how long the disk held everything (`watchIoStalls`), and
// what the kernel's own threads took of the cores (`watchKernelThreads`).

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
  return cpuMs(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8')), { ended: true });
}

/** The fields of a `/proc/<pid>/stat` line from state on: ppid is [1], utime [11], stime [12]. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime in ms, and with `ended` also cutime + cstime (children reaped). */
function cpuMs(fields: string[], options: { ended: boolean }): number {
  const ticks = fields.slice(11, options.ended ? 15 : 13);
  return ticks.reduce((sum, tick) => sum + Number(tick), 0) * TICK_MS;
}

/** Every process's pid and `/proc/<pid>/stat` line (one that ends while we look is left out). */
function processStats(): [pid: string, stat: string][] {
  const stats: [string, string][] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      stats.push([pid, readFileSync(`/proc/${pid}/stat`, 'utf8')]);
    } catch {
      // the process ended while we looked
    }
  }
  return stats;
}

/** The process's name as `/proc` gives it (`postgres`, `kdamond.0`, …). */
const processName = (stat: string) => stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));

function postgresMs(): number {
  return processStats()
    .filter(([, stat]) => processName(stat) === 'postgres')
    .reduce((sum, [, stat]) => sum + cpuMs(statFields(stat), { ended: true }), 0);
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

const WINDOW_MS = 100;

/**
 * Samples a running total (µs or ms, since boot) every 100 ms until `stop`ped, which returns the
 * largest growth of any one window and the growth over the whole watch. Without a total to read
 * (not Linux, or a kernel without the file) `stop` returns `undefined`.
 */
function watchWindows(read: () => number | undefined): {
  stop(): { worst: number; total: number } | undefined;
} {
  const first = read();
  if (first === undefined) return { stop: () => undefined };
  let last = first;
  let worst = 0;
  const sample = () => {
    const now = read() ?? last;
    worst = Math.max(worst, now - last);
    last = now;
  };
  const timer = setInterval(sample, WINDOW_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { worst, total: last - first };
    },
  };
}

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
  const watch = watchWindows(ioStalledUs);
  return {
    stop() {
      const stalls = watch.stop();
      return stalls && stalls.worst / 1000;
    },
  };
}

/** What the kernel's own threads took of the cores during a round. */
export interface KernelThreadUse {
  /** CPU ms per second of the round, all kernel threads together. */
  msPerSecond: number;
  /** The most CPU, in ms, they took in any 100 ms window. */
  worstWindowMs: number;
  /** CPU ms of the round by thread name (`kdamond.0`, `kworker/1:1H-kblockd`, …). */
  msByName: Map<string, number>;
}

/** The kernel's own threads (kthreadd, pid 2, and its children): pid → name. */
function kernelThreads(): Map<string, string> {
  const threads = processStats().filter(
    ([pid, stat]) => pid === '2' || statFields(stat)[1] === '2',
  );
  return new Map(threads.map(([pid, stat]) => [pid, processName(stat)]));
}

/**
 * The CPU ms of a few processes, read again and again through files kept open (a `pread` of each
 * `/proc/<pid>/stat` costs ~8 µs here, against ~20 µs to open, read and close it): the watch
 * reads every kernel thread ten times a second beside the load. A process that has ended keeps
 * what it had when last read.
 */
function openCpuCounters(pids: Iterable<string>) {
  const buffer = Buffer.alloc(1024);
  const files = new Map<string, number>();
  const lastRead = new Map<string, number>();
  for (const pid of pids) {
    try {
      files.set(pid, openSync(`/proc/${pid}/stat`, 'r'));
    } catch {
      // ended already
    }
  }
  return {
    read(): Map<string, number> {
      for (const [pid, fd] of files) {
        try {
          const stat = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
          lastRead.set(pid, cpuMs(statFields(stat), { ended: false }));
        } catch {
          // ended since: it keeps its last reading
        }
      }
      return lastRead;
    },
    close() {
      for (const fd of files.values()) closeSync(fd);
    },
  };
}

/**
 * Watches the kernel's own threads during a round. On a virtual machine they can hold a core
 * in bursts: on this project's 2-core machines the kernel's DAMON reclaim thread (`kdamond.0`)
 * took one core for 8–24 ms every 0.545 s, and every scan caught behind such a burst waited for
 * it, the floor's as much as the API's. This tells such a round from a slow one of our own code.
 */
export function watchKernelThreads(): { stop(): KernelThreadUse | undefined } {
  let threads: Map<string, string>;
  try {
    threads = kernelThreads();
  } catch {
    return { stop: () => undefined };
  }
  if (threads.size === 0) return { stop: () => undefined };
  const counters = openCpuCounters(threads.keys());
  const started = performance.now();
  const first = new Map(counters.read());
  const watch = watchWindows(() => [...counters.read().values()].reduce((a, b) => a + b, 0));
  return {
    stop() {
      const windows = watch.stop();
      const last = counters.read();
      counters.close();
      if (!windows) return undefined;
      const msByName = new Map<string, number>();
      for (const [pid, ms] of last) {
        const name = threads.get(pid)!;
        msByName.set(name, (msByName.get(name) ?? 0) + ms - (first.get(pid) ?? ms));
      }
      return {
        msPerSecond: (1000 * windows.total) / (performance.now() - started),
        worstWindowMs: windows.worst,
        msByName,
      };
    },
  };
}

// Bundles the server (server/dist/main.js and dist/admin/cli.js, with @passgate/shared inside and
// every other package left to node_modules) when dist is missing or older than any source.
// `pnpm start`, `pnpm admin` and the test run call this, so a fresh clone runs what its sources
// say. Node then loads a handful of plain JavaScript files: the CLI starts in half the time and a
// third of the CPU that compiling each TypeScript module on load (tsx) took.
import {
  mkdirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const dist = path.join(here, 'dist');
const ENTRIES = ['src/main.ts', 'src/admin/cli.ts', 'src/db/embedded-worker.ts'];
const sources = ['src', 'package.json', '../shared/src', 'build-if-stale.mjs'].map((p) =>
  path.join(here, p),
);

function newest(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((entry) => newest(path.join(target, entry))));
}

const outputOf = (entry) => path.join(dist, entry.replace(/^src\//, '').replace(/\.ts$/, '.js'));

/** When the older of the two entry files was written; 0 when either is missing. */
function builtAt() {
  try {
    return Math.min(...ENTRIES.map((entry) => statSync(outputOf(entry)).mtimeMs));
  } catch {
    return 0;
  }
}

if (builtAt() < Math.max(...sources.map(newest))) {
  const { build } = await import('esbuild');
  const { dependencies } = (await import('./package.json', { with: { type: 'json' } })).default;
  const result = await build({
    absWorkingDir: here,
    entryPoints: ENTRIES,
    outdir: dist,
    outbase: 'src',
    bundle: true,
    splitting: true, // the CLI loads the database modules only when it opens the database itself
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: Object.keys(dependencies).filter((name) => name !== '@passgate/shared'),
    sourcemap: true,
    logLevel: 'warning',
    write: false,
  });
  // Each file is written beside its place and renamed into it, the entries last: a process
  // starting meanwhile (another test worker, a second `pnpm admin`) reads a whole bundle.
  const entries = new Set(ENTRIES.map(outputOf));
  const files = [...result.outputFiles].sort(
    (a, b) => Number(entries.has(a.path)) - Number(entries.has(b.path)),
  );
  for (const file of files) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  pruneAllBut(new Set(files.map((file) => file.path)));
}

/**
 * Deletes what other builds left in dist (chunks are named by their content hash, so each
 * change of source leaves the old ones behind). A process still running an earlier bundle has
 * loaded its chunks within its first moments; only another build's file in the middle of being
 * written is spared, unless it is old enough to be the leftover of a build that died.
 */
function pruneAllBut(outputs) {
  const modifiedAt = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const abandoned = Date.now() - 10 * 60_000;
  const folders = [];
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isDirectory()) folders.push(file);
    if (!entry.isFile() || outputs.has(file)) continue;
    if (file.endsWith('.partial') && modifiedAt(file) > abandoned) continue;
    rmSync(file, { force: true });
  }
  // Then the folders that held only such files, the deepest first (rmdir leaves any other).
  for (const folder of folders.sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(folder);
    } catch (error) {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'ENOENT') throw error;
    }
  }
}

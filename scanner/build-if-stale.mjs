// Builds the scanner when scanner/dist is missing or older than any of its sources.
// `pnpm start` and the test run call this, so a fresh clone serves an up-to-date scanner.
// Usage: node scanner/build-if-stale.mjs [outDir]   (outDir defaults to scanner/dist)
import { execFileSync } from 'node:child_process';
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const dist = path.resolve(process.argv[2] ?? path.join(here, 'dist'));
const sources = [
  'src',
  'public',
  'index.html',
  'vite.config.ts',
  'package.json',
  'build-if-stale.mjs',
  '../shared/src',
].map((p) => path.join(here, p));

function newest(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((entry) => newest(path.join(target, entry))));
}

const builtAt = statSync(path.join(dist, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;

if (builtAt < Math.max(...sources.map(newest))) {
  console.error(`Building the scanner (${path.relative(process.cwd(), dist) || '.'})…`);
  // Vite empties its output first, and a running server reads dist on every request: build
  // beside it and move the result in, so a scanner being served is missing for two renames only.
  const partial = `${dist}.${process.pid}.partial`;
  const previous = `${dist}.${process.pid}.previous`;
  execFileSync(
    'pnpm',
    ['exec', 'vite', 'build', '--logLevel', 'warn', '--outDir', partial, '--emptyOutDir'],
    { cwd: here, stdio: 'inherit' },
  );
  renameIfThere(dist, previous);
  // Another build that finished meanwhile put the same sources' scanner in place: keep it.
  renameIfThere(partial, dist, ['ENOTEMPTY', 'EEXIST']);
  rmSync(partial, { recursive: true, force: true });
  rmSync(previous, { recursive: true, force: true });
}

function renameIfThere(from, to, alsoTolerated = []) {
  try {
    renameSync(from, to);
  } catch (error) {
    if (error.code !== 'ENOENT' && !alsoTolerated.includes(error.code)) throw error;
  }
}

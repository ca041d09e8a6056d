// Builds a Vite app of the workspace (the scanner, the dashboard) when its dist is missing or
// older than any of its sources. `pnpm start` and the test run call this through each app's
// build-if-stale.mjs, so a fresh clone serves up-to-date apps.
import { execFileSync } from 'node:child_process';
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCES = [
  'src',
  'public',
  'index.html',
  'vite.config.ts',
  'package.json',
  'build-if-stale.mjs',
];

function newest(target) {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((entry) => newest(path.join(target, entry))));
}

function renameIfThere(from, to, alsoTolerated = []) {
  try {
    renameSync(from, to);
  } catch (error) {
    if (error.code !== 'ENOENT' && !alsoTolerated.includes(error.code)) throw error;
  }
}

/**
 * @param {{ appDir: string, name: string, dist?: string, alsoFrom?: string[] }} app
 * `alsoFrom`: workspace folders the app bundles (relative to `appDir`), e.g. `../shared/src`.
 */
export function viteBuildIfStale({
  appDir,
  name,
  dist = path.join(appDir, 'dist'),
  alsoFrom = [],
}) {
  // This file too: a change to how apps are built builds them again.
  const sources = [...SOURCES, ...alsoFrom].map((p) => path.join(appDir, p));
  sources.push(import.meta.filename);
  const builtAt = statSync(path.join(dist, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (builtAt >= Math.max(...sources.map(newest))) return;
  console.error(`Building the ${name} (${path.relative(process.cwd(), dist) || '.'})…`);
  // Vite empties its output first, and a running server reads dist on every request: build
  // beside it and move the result in, so an app being served is missing for two renames only.
  const partial = `${dist}.${process.pid}.partial`;
  const previous = `${dist}.${process.pid}.previous`;
  execFileSync(
    'pnpm',
    ['exec', 'vite', 'build', '--logLevel', 'warn', '--outDir', partial, '--emptyOutDir'],
    // A production build whoever runs this: the test run sets NODE_ENV=test, which would give
    // React's development build (three times the size, and slower).
    { cwd: appDir, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
  renameIfThere(dist, previous);
  // Another build that finished meanwhile put the same sources' app in place: keep it.
  renameIfThere(partial, dist, ['ENOTEMPTY', 'EEXIST']);
  rmSync(partial, { recursive: true, force: true });
  rmSync(previous, { recursive: true, force: true });
}

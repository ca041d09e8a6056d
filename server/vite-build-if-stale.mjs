// Builds a Vite app of the workspace (the scanner, the dashboard) when its dist is missing or
// older than any of its sources. `pnpm start` and the test run call this through each app's
// build-if-stale.mjs, so a fresh clone serves up-to-date apps.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
/** Where a build lists the files it bundled (see `recordSources`), inside its dist. */
const RECORDS = '.vite';

/** What a build reads besides the modules it bundles: its page, static files and config. */
const SOURCES = ['public', 'index.html', 'vite.config.ts', 'package.json', 'build-if-stale.mjs'];

/**
 * A Vite plugin that lists every file of the workspace the bundle was made from (the app's own
 * modules, `@passgate/shared`, `@passgate/client`, workers), by their paths from the repository's
 * root, in `dist/.vite/<name>`: one list for the page's bundle, one for each worker's. What is
 * stale is then read from the bundler's own module graph, not from a list of folders kept by hand.
 */
export function recordSources(name = 'sources.json') {
  return {
    name: 'passgate-record-sources',
    apply: 'build',
    generateBundle() {
      const files = new Set();
      for (const id of this.getModuleIds()) {
        const file = id.split('?')[0];
        if (!path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
        const relative = path.relative(REPO_ROOT, file);
        if (!relative.startsWith('..')) files.add(relative);
      }
      this.emitFile({
        type: 'asset',
        fileName: `${RECORDS}/${name}`,
        source: JSON.stringify([...files].sort(), null, 1),
      });
    },
  };
}

/** The files the build in `dist` was made from, as it recorded them; none if it did not. */
function recordedSources(dist) {
  try {
    const records = readdirSync(path.join(dist, RECORDS)).filter((f) => f.endsWith('sources.json'));
    if (records.length === 0) return undefined;
    return records.flatMap((record) =>
      JSON.parse(readFileSync(path.join(dist, RECORDS, record), 'utf8')).map((file) =>
        path.join(REPO_ROOT, file),
      ),
    );
  } catch {
    return undefined;
  }
}

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
 * @param {{ appDir: string, name: string, dist?: string }} app
 * Built again when dist is missing, has no record of its sources, or is older than any file it
 * was bundled from (its module graph) or its page, static files and config.
 */
export function viteBuildIfStale({ appDir, name, dist = path.join(appDir, 'dist') }) {
  const bundled = recordedSources(dist);
  // This file too: a change to how apps are built builds them again.
  const sources = [...SOURCES.map((p) => path.join(appDir, p)), import.meta.filename];
  const builtAt = statSync(path.join(dist, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (bundled && builtAt >= Math.max(...[...sources, ...bundled].map(newest))) return;
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

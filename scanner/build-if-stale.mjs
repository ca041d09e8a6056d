// Builds the scanner when scanner/dist is missing or older than any of its sources.
// `pnpm start` and the test run call this, so a fresh clone serves an up-to-date scanner.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const sources = ['src', 'public', 'index.html', 'vite.config.ts', '../shared/src'].map((p) =>
  path.join(here, p),
);

function newest(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((entry) => newest(path.join(target, entry))));
}

let built = 0;
try {
  built = statSync(path.join(here, 'dist', 'index.html')).mtimeMs;
} catch {
  built = 0;
}
if (built < Math.max(...sources.map(newest))) {
  console.error('Building the scanner (scanner/dist)…');
  execFileSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'warn'], {
    cwd: here,
    stdio: 'inherit',
  });
}

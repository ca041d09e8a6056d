import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The server package's folder (`server/`), found by walking up from this module: it runs from
 * `src/` in the tests beside the code and from the bundle in `dist/` otherwise, at other depths.
 */
function findServerRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@passgate/server'
    ) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no @passgate/server package above ${from}`);
  }
}

export const SERVER_ROOT = findServerRoot(import.meta.dirname);

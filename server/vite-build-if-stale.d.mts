import type { Plugin } from 'vite';

/** A Vite plugin listing the workspace files a bundle was made from, in `dist/.vite/<name>`. */
export function recordSources(name?: string): Plugin;

/** Builds the Vite app in `appDir` into `dist` when a file it was made from is newer. */
export function viteBuildIfStale(app: { appDir: string; name: string; dist?: string }): void;

/** The scanner's and the server's builds, each if stale (see build-all-if-stale.mjs). */
export function buildAllIfStale(): void;

// Builds the scanner when scanner/dist is missing or older than any of its sources.
// Usage: node scanner/build-if-stale.mjs [outDir]   (outDir defaults to scanner/dist)
import path from 'node:path';
import { viteBuildIfStale } from '../server/vite-build-if-stale.mjs';

viteBuildIfStale({
  appDir: import.meta.dirname,
  name: 'scanner',
  dist: process.argv[2] ? path.resolve(process.argv[2]) : undefined,
});

// Builds the dashboard when dashboard/dist is missing or older than any of its sources.
// Usage: node dashboard/build-if-stale.mjs [outDir]   (outDir defaults to dashboard/dist)
import path from 'node:path';
import { viteBuildIfStale } from '../server/vite-build-if-stale.mjs';

viteBuildIfStale({
  appDir: import.meta.dirname,
  name: 'dashboard',
  dist: process.argv[2] ? path.resolve(process.argv[2]) : undefined,
});

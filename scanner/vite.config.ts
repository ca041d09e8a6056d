import { defineConfig } from 'vite';
import { recordSources } from '../server/vite-build-if-stale.mjs';

export default defineConfig({
  root: import.meta.dirname,
  base: '/scanner/',
  plugins: [recordSources()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      // zod places `@__PURE__` comments where Rollup cannot use them and says so at length on
      // every build; the comments are only dropped, so a first `pnpm start` need not show it.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
  worker: { format: 'es', plugins: () => [recordSources('worker-sources.json')] },
});

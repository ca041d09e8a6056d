import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { recordSources } from '../server/vite-build-if-stale.mjs';

export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  plugins: [react(), recordSources()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      // zod places `@__PURE__` comments where Rollup cannot use them and says so at length on
      // every build; the comments are only dropped.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});

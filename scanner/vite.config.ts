import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/scanner/',
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
  worker: { format: 'es' },
});

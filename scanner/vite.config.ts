import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/scanner/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
});

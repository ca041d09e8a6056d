import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { recordSources } from '../server/vite-build-if-stale.mjs';

export default defineConfig({
  root: import.meta.dirname,
  base: '/scanner/',
  plugins: [
    recordSources(),
    // The service worker, from the build: Workbox precaches every file the build made (listed
    // with their hashes in sw.js), so the scanner opens at once with no network, or a network
    // that hangs. A new build changes sw.js; the browser installs it on the next visit and the
    // page reloads into it. Nothing else is cached: the door keeps its own copy of the passes.
    VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: false,
      filename: 'sw.js',
      scope: '/scanner/',
      workbox: {
        globPatterns: ['**/*.{html,js,css,svg,webmanifest}'],
        navigateFallback: '/scanner/index.html',
        navigateFallbackAllowlist: [/^\/scanner\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
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

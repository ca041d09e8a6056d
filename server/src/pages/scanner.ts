import path from 'node:path';
import { SERVER_ROOT } from '../server-root';
import { builtAppRoutes } from './built-app';

/** The built scanner app (`scanner/dist`, made by `pnpm start` or `pnpm --filter @passgate/scanner build`). */
export const SCANNER_DIST = path.resolve(SERVER_ROOT, '../scanner/dist');

/**
 * The scanner's own files only: its scripts, worker, styles, icons and manifest; the API on the
 * same origin; the camera's stream.
 */
const SCANNER_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
].join('; ');

/** The scanner PWA under /scanner/; its service worker may control the whole of it. */
export function scannerRoutes(options: { dist?: string | undefined } = {}) {
  return builtAppRoutes({
    base: '/scanner',
    dist: options.dist ?? SCANNER_DIST,
    name: 'scanner',
    contentSecurityPolicy: SCANNER_POLICY,
    headersFor: (relative): Record<string, string> =>
      relative === 'sw.js' ? { 'Service-Worker-Allowed': '/scanner/' } : {},
  });
}

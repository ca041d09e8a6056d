import path from 'node:path';
import { SERVER_ROOT } from '../server-root';
import { builtAppRoutes } from './built-app';

/** The built dashboard (`dashboard/dist`, made by `pnpm start` or `pnpm --filter @passgate/dashboard build`). */
export const DASHBOARD_DIST = path.resolve(SERVER_ROOT, '../dashboard/dist');

/** The dashboard's own files and the API on the same origin; QR codes are drawn as data: images. */
const DASHBOARD_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "form-action 'self'",
].join('; ');

/** The tenant dashboard under /dashboard/. */
export function dashboardRoutes(options: { dist?: string } = {}) {
  return builtAppRoutes({
    base: '/dashboard',
    dist: options.dist ?? DASHBOARD_DIST,
    name: 'dashboard',
    contentSecurityPolicy: DASHBOARD_POLICY,
  });
}

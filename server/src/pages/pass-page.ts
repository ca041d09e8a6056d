import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PASS_CORE_FIELDS } from '@passgate/shared';
import { evaluateScan } from '@passgate/shared/core';
import { type Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import QRCode from 'qrcode';
import { constantTimeEqual, PASS_CODE_PATTERN } from '../domain/ids';
import { presentFields, scannableOf, signableOf } from '../domain/passes/present';
import { templateOfPass } from '../domain/templates';
import { isDatabaseOutOfReach, RETRY_AFTER_SECONDS } from '../errors';
import type { Logger } from '../logger';
import { SERVER_ROOT } from '../server-root';
import type { Services } from '../services';
import {
  cardFacts,
  cardHelp,
  cardImages,
  cardImagesOf,
  cardStyle,
  factsInOrder,
} from './pass-card';
import { pageSecurity } from './security-headers';

/** What the holder reads: the reported status, or what the door says of an active pass before `validFrom`. */
const STATUS_LABEL = {
  active: { text: 'Valid', colour: '#0a7d32' },
  not_yet_valid: { text: 'Not valid yet', colour: '#8a5a00' },
  used: { text: 'Used', colour: '#6b6b6b' },
  expired: { text: 'Expired', colour: '#a15c00' },
  revoked: { text: 'Revoked', colour: '#b00020' },
} as const;

/**
 * A date in `zone` (an IANA time zone): the pass's location's, where the venue's times are
 * meant, else UTC, which `PAGE_SCRIPT` turns into the holder's own time where scripts run.
 */
const formatDate = (date: Date, zone?: string) =>
  html`<time datetime="${date.toISOString()}"${zone ? html` data-zone="${zone}"` : ''}>${date.toLocaleString(
    'en-GB',
    {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: zone ?? 'UTC',
      timeZoneName: 'short',
    },
  )}</time>`;

/**
 * The page's one script, allowed by its hash in the Content-Security-Policy: it rewrites each
 * date in the time zone of the phone that shows it, or of the pass's location where it names one
 * (without the script the page still says the date, in that zone or UTC), and
 * registers the worker that keeps a copy of the page for a door with no signal.
 */
const PAGE_SCRIPT = `for (const t of document.querySelectorAll('time[datetime]')) {
  t.textContent = new Date(t.dateTime).toLocaleString(undefined, {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZoneName: 'short', timeZone: t.dataset.zone,
  });
}
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/p/sw.js').catch(() => {});`;
const PAGE_SCRIPT_HASH = `'sha256-${createHash('sha256').update(PAGE_SCRIPT).digest('base64')}'`;

/** The pass pages' service worker (`pass-worker.js`), served from /p/ so that /p/ is its scope. */
const PASS_WORKER = readFileSync(path.join(SERVER_ROOT, 'src/pages/pass-worker.js'), 'utf8');

const page = (title: string, body: ReturnType<typeof html>) => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f4f5; color: #18181b; }
  main { max-width: 420px; margin: 0 auto; padding: 24px 16px; }
  /* overflow-wrap: a name or field may hold a word wider than a phone; it wraps rather than widen the page. */
  .card { background: #fff; border-radius: 16px; padding: 20px; box-shadow: 0 1px 4px #0002; overflow-wrap: anywhere; }
  h1 { font-size: 1.4rem; margin: 0 0 8px; }
  .status { display: inline-block; color: #fff; border-radius: 999px; padding: 4px 14px; font-weight: 700; }
  .qr svg { width: 100%; height: auto; display: block; margin: 16px 0; }
  .qr.inactive svg { opacity: 0.25; }
  .code { font-family: ui-monospace, monospace; letter-spacing: 0.1em; text-align: center; font-size: 1.1rem; }
  dl { display: grid; grid-template-columns: fit-content(40%) 1fr; gap: 6px 12px; margin: 16px 0 0; }
  dt { color: var(--label, #52525b); } dd { margin: 0; }
  .logo { display: block; max-height: 50px; max-width: 160px; margin: 0 0 12px; }
  .strip { display: block; width: calc(100% + 40px); margin: 0 -20px 12px; }
  .templated .qr svg { background: #fff; border-radius: 8px; }
  .help { margin: 16px 0 0; font-size: 0.9rem; } .help a { color: inherit; }
  .wallets { margin: 16px 0 0; text-align: center; }
  .wallet-button { display: inline-block; margin: 4px; background: #000; color: #fff; border-radius: 8px; padding: 10px 18px; text-decoration: none; font-weight: 600; }
  /* Shown only on the copy the phone kept, when the worker serves it without a network. */
  .saved-copy { display: none; background: #fef3c7; color: #713f12; border-radius: 8px; padding: 8px 12px; margin: 0 0 12px; }
  main[data-copy="saved"] .saved-copy { display: block; }
</style>
</head>
<body><main data-copy="live">${body}</main><script>${raw(PAGE_SCRIPT)}</script></body>
</html>`;

/**
 * A 503 page asking the holder to reload in a few seconds: while the database is out of reach,
 * and while the server is starting.
 */
export function tryAgainSoon(c: Context) {
  return c.html(
    page(
      'Try again in a moment',
      html`<div class="card"><h1>Try again in a moment</h1>
        <p>Your pass cannot be shown right now. Reload this page in a few seconds.</p></div>`,
    ),
    503,
    { 'Retry-After': RETRY_AFTER_SECONDS, 'Cache-Control': 'no-store' },
  );
}

/**
 * What a holder sees when the page cannot be built: an HTML page, never the API's JSON. While the
 * database is out of reach, a 503 asking for a reload in a few seconds; else a logged 500.
 */
function pageError(logger: Logger) {
  return function onPageError(error: Error, c: Context) {
    if (isDatabaseOutOfReach(error)) {
      logger.warn({ err: error, path: c.req.path }, 'database out of reach');
      return tryAgainSoon(c);
    }
    logger.error({ err: error, path: c.req.path }, 'unhandled error');
    return c.html(
      page(
        'Something went wrong',
        html`<div class="card"><h1>Something went wrong</h1>
        <p>Your pass cannot be shown right now. Try again later.</p></div>`,
      ),
      500,
    );
  };
}

/**
 * The holder's page: the QR, the name, public fields, validity and live status. No JavaScript is
 * needed; one small script shows the dates in the phone's time zone and registers the worker
 * (`/p/sw.js`) that keeps a copy of the page for a door with no signal.
 */
export function passPageRoutes({ db, logger, appleWallet, googleWallet, signingKeys }: Services) {
  return (
    new Hono()
      .onError(pageError(logger))
      .get('/p/sw.js', (c) =>
        c.body(PASS_WORKER, 200, {
          'Content-Type': 'text/javascript; charset=utf-8',
          'Cache-Control': 'no-cache',
        }),
      )
      // Not on the worker's own script: a policy sent with it would bind what the worker may fetch.
      .use(
        '/p/:code',
        pageSecurity({
          contentSecurityPolicy: `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${PAGE_SCRIPT_HASH}; worker-src 'self'`,
        }),
      )
      .get('/p/:code', async (c) => {
        c.header('Cache-Control', 'no-store');
        c.header('X-Robots-Tag', 'noindex');
        const code = c.req.param('code');
        const token = c.req.query('token') ?? '';
        // The one query not filtered by tenant: the holder has no key, so the pass is found by its
        // globally unique code and opened only with its own unguessable token.
        const pass = PASS_CODE_PATTERN.test(code)
          ? await db.selectFrom('passes').selectAll().where('code', '=', code).executeTakeFirst()
          : undefined;
        if (!pass || !constantTimeEqual(pass.public_token, token)) {
          return c.html(
            page(
              'Pass not found',
              html`<div class="card"><h1>Pass not found</h1>
        <p>This link is not valid. Check that you opened the whole link you were sent.</p></div>`,
            ),
            404,
          );
        }
        const now = new Date();
        // The pass as every answer presents it (`PASS_CORE_FIELDS`), with "not yet valid" told
        // apart from active for the holder.
        const shown = presentFields(PASS_CORE_FIELDS, pass, { now });
        const reported = shown.status;
        const status =
          reported === 'active' && evaluateScan(scannableOf(pass), now) === 'not_yet_valid'
            ? 'not_yet_valid'
            : reported;
        const label = STATUS_LABEL[status];
        // The signed code, which a door checks without a list; the plain one where none is made.
        const sign = await signingKeys.signer(db, pass.tenant_id);
        const svg = await QRCode.toString(sign(signableOf(pass)) ?? shown.code, {
          type: 'svg',
          errorCorrectionLevel: 'M',
          margin: 2,
        });
        const fields = pass.fields.filter((field) => field.isPublic);
        const location = pass.location_id
          ? await db
              .selectFrom('locations')
              .select(['name', 'address', 'timezone'])
              .where('tenant_id', '=', pass.tenant_id)
              .where('id', '=', pass.location_id)
              .executeTakeFirst()
          : undefined;
        const template = await templateOfPass(db, pass.tenant_id, pass.template_id);
        const images = await cardImagesOf(db, template);
        const client =
          pass.client_id && template && factsInOrder(template.layout).includes('clientName')
            ? await db
                .selectFrom('clients')
                .select('name')
                .where('tenant_id', '=', pass.tenant_id)
                .where('id', '=', pass.client_id)
                .executeTakeFirst()
            : undefined;
        const title = shown.name ?? 'Your pass';
        return c.html(
          page(
            title,
            html`<div class="card${template ? ' templated' : ''}" style="${cardStyle(template)}">
  ${cardImages(template, images)}
  <p class="saved-copy">Saved copy from ${formatDate(now)}, shown without a connection. The door checks the pass when it is scanned.</p>
  <h1>${title}</h1>
  <span class="status" style="background:${label.colour}" data-status="${status}">${label.text}</span>
  <div class="qr${reported === 'active' ? '' : ' inactive'}" role="img" aria-label="QR code of pass ${shown.code}">${raw(svg)}</div>
  <div class="code">${shown.code}</div>
  ${cardFacts(
    {
      clientName: client?.name ?? null,
      validFrom: shown.validFrom,
      validUntil: shown.validUntil,
      type: shown.type,
      usagesCount: shown.usagesCount,
      maxUsages: shown.maxUsages,
      publicFields: fields,
      location,
    },
    template,
    formatDate,
  )}
  ${cardHelp(template)}
  ${
    appleWallet || googleWallet
      ? html`<p class="wallets">${appleWallet ? html`<a class="wallet-button" href="/p/${shown.code}/wallet.pkpass?token=${token}">Add to Apple Wallet</a>` : ''}
    ${googleWallet ? html`<a class="wallet-button" href="/p/${shown.code}/wallet/google?token=${token}">Add to Google Wallet</a>` : ''}</p>`
      : ''
  }
</div>`,
          ),
        );
      })
  );
}

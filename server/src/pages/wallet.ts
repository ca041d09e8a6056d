import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, PassRow } from '../db/schema';
import { constantTimeEqual, PASS_CODE_PATTERN } from '../domain/ids';
import { pkpassOfPass } from '../domain/wallet/apple-pass';
import { googleObject, putGoogleObject } from '../domain/wallet/google-object';
import { walletCopyOf } from '../domain/wallet/wallet-copy';
import { recordEvents } from '../events';
import type { Services } from '../services';
import type { AppleWallet } from '../services/apple-wallet';
import { walletToken } from '../services/apple-wallet';

// The holder's pass in the wallets, opened with the same token as the holder's page: Google
// Wallet's save link, Apple Wallet's download, and Apple's Wallet web service
// (`PUBLIC_URL/wallet/apple/v1/…`), through which a phone holding the pass registers for updates
// and fetches the latest version; its requests carry `Authorization: ApplePass TOKEN`, the
// pass's `authenticationToken`.

const NOT_CONFIGURED = { error: 'Apple Wallet is not configured on this server' };
const GOOGLE_NOT_CONFIGURED = { error: 'Google Wallet is not configured on this server' };
const NO_PASS = { error: 'No pass has this link: open the whole link you were sent' };
const PKPASS = 'application/vnd.apple.pkpass';
const RegisterBody = z.object({ pushToken: z.string().min(1).max(200) });
/** Apple's device library ids and push tokens: letters and digits, within reason. */
const DEVICE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The pass a web-service request names, when its ApplePass token is that pass's. */
async function authorizedPass(
  db: Kysely<Database>,
  wallet: AppleWallet,
  request: { passTypeId: string; serial: string; authorization: string | undefined },
): Promise<PassRow | undefined> {
  if (request.passTypeId !== wallet.passTypeId) return undefined;
  const token = /^ApplePass (\S+)$/.exec(request.authorization ?? '')?.[1];
  if (!token) return undefined;
  const pass = await db
    .selectFrom('passes')
    .selectAll()
    .where('id', '=', request.serial)
    .executeTakeFirst();
  return pass && constantTimeEqual(walletToken(pass.public_token), token) ? pass : undefined;
}

/** `pass.wallet_added` or `pass.wallet_removed`: the install log of a pass. */
const walletEvent = (
  type: 'pass.wallet_added' | 'pass.wallet_removed',
  pass: PassRow,
  now: Date,
) => ({
  type,
  subjectId: pass.id,
  data: { id: pass.id, code: pass.code, name: pass.name, wallet: 'apple', at: now.toISOString() },
});

/** Wallet's update tag: the newest change of the passes, in milliseconds. */
const tagOf = (at: Date) => String(at.getTime());

/**
 * `Last-Modified` for a pass last changed `at`: HTTP dates hold whole seconds, so it is said only
 * once that second is over. A change later is then in a later second, and If-Modified-Since
 * never hides it; a pass changed within the last second is served without one.
 */
function lastModifiedOf(at: Date, now = Date.now()) {
  const second = Math.floor(at.getTime() / 1000) * 1000;
  const header: Record<string, string> =
    now - at.getTime() >= 1000 ? { 'Last-Modified': new Date(second).toUTCString() } : {};
  return { second, header };
}

export function walletRoutes(services: Services) {
  const { db, publicUrl, appleWallet, googleWallet, logger, signingKeys } = services;
  const routes = new Hono();
  /** The pass a holder's link names, when its token is that pass's. */
  const passOfLink = async (code: string, token: string) => {
    const pass = PASS_CODE_PATTERN.test(code)
      ? await db.selectFrom('passes').selectAll().where('code', '=', code).executeTakeFirst()
      : undefined;
    return pass && constantTimeEqual(pass.public_token, token) ? pass : undefined;
  };

  routes.get('/p/:code/wallet.pkpass', async (c) => {
    if (!appleWallet) return c.json(NOT_CONFIGURED, 404);
    const pass = await passOfLink(c.req.param('code'), c.req.query('token') ?? '');
    if (!pass) return c.json(NO_PASS, 404);
    const { body, lastModified } = await pkpassOfPass(
      db,
      appleWallet,
      pass,
      publicUrl,
      signingKeys,
    );
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': PKPASS,
      'Content-Disposition': `attachment; filename="${pass.code}.pkpass"`,
      'Cache-Control': 'no-store',
      ...lastModifiedOf(lastModified).header,
    });
  });

  // Save to Google Wallet: the object is put at Google first (so the link's JWT only names it),
  // and kept current from then on; the holder is sent to Google's save page.
  routes.get('/p/:code/wallet/google', async (c) => {
    if (!googleWallet) return c.json(GOOGLE_NOT_CONFIGURED, 404);
    const found = await passOfLink(c.req.param('code'), c.req.query('token') ?? '');
    if (!found) return c.json(NO_PASS, 404);
    // Kept before the pass is read, so that a change from now on marks the object owed.
    await db
      .insertInto('google_wallet_objects')
      .values({ pass_id: found.id, tenant_id: found.tenant_id })
      .onConflict((oc) => oc.column('pass_id').doNothing())
      .execute();
    const pass = await db
      .selectFrom('passes')
      .selectAll()
      .where('id', '=', found.id)
      .executeTakeFirstOrThrow();
    const object = googleObject(
      googleWallet.issuerId,
      await walletCopyOf(db, pass, signingKeys),
      publicUrl,
    );
    try {
      await putGoogleObject(googleWallet, object);
    } catch (error) {
      logger.warn({ err: error, passId: pass.id }, 'Google Wallet object not saved');
      await db
        .updateTable('google_wallet_objects')
        .set({ due_at: new Date() })
        .where('pass_id', '=', pass.id)
        .execute();
      return c.json({ error: 'Google Wallet could not be reached: try again in a minute' }, 502);
    }
    const jwt = await googleWallet.saveJwt([object.id], [new URL(publicUrl).origin]);
    c.header('Cache-Control', 'no-store');
    return c.redirect(`${googleWallet.saveUrl}${jwt}`, 302);
  });

  const service = new Hono();
  service.use('*', async (c, next) => {
    if (!appleWallet) return c.json(NOT_CONFIGURED, 404);
    await next();
  });
  const registration = '/devices/:device/registrations/:passTypeId/:serial';

  // Registers a phone for a pass's updates: 201 new, 200 known, 401 a wrong token.
  service.post(registration, async (c) => {
    const wallet = appleWallet as AppleWallet;
    const { device, passTypeId, serial } = c.req.param();
    const pass = await authorizedPass(db, wallet, {
      passTypeId,
      serial,
      authorization: c.req.header('authorization'),
    });
    if (!pass) return c.body(null, 401);
    const parsed = RegisterBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success || !DEVICE_ID.test(device)) {
      return c.json({ error: 'Send { "pushToken": … } for a device library id' }, 400);
    }
    const now = new Date();
    const created = await db.transaction().execute(async (trx) => {
      const known = await trx
        .selectFrom('wallet_registrations')
        .select('push_token')
        .where('pass_id', '=', pass.id)
        .where('device_library_id', '=', device)
        .forUpdate()
        .executeTakeFirst();
      await trx
        .insertInto('wallet_registrations')
        .values({
          tenant_id: pass.tenant_id,
          pass_id: pass.id,
          device_library_id: device,
          push_token: parsed.data.pushToken,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['pass_id', 'device_library_id'])
            .doUpdateSet({ push_token: parsed.data.pushToken, updated_at: now }),
        )
        .execute();
      if (!known) {
        await recordEvents(trx, pass.tenant_id, [walletEvent('pass.wallet_added', pass, now)]);
      }
      return !known;
    });
    return c.body(null, created ? 201 : 200);
  });

  // Unregisters a phone: it removed the pass.
  service.delete(registration, async (c) => {
    const wallet = appleWallet as AppleWallet;
    const { device, passTypeId, serial } = c.req.param();
    const pass = await authorizedPass(db, wallet, {
      passTypeId,
      serial,
      authorization: c.req.header('authorization'),
    });
    if (!pass) return c.body(null, 401);
    const now = new Date();
    await db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('wallet_registrations')
        .where('pass_id', '=', pass.id)
        .where('device_library_id', '=', device)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) > 0) {
        await recordEvents(trx, pass.tenant_id, [walletEvent('pass.wallet_removed', pass, now)]);
      }
    });
    return c.body(null, 200);
  });

  // The serial numbers of a phone's passes changed since a tag: 200 with them, or 204.
  service.get('/devices/:device/registrations/:passTypeId', async (c) => {
    const wallet = appleWallet as AppleWallet;
    const { device, passTypeId } = c.req.param();
    if (passTypeId !== wallet.passTypeId) return c.body(null, 404);
    const since = Number(c.req.query('passesUpdatedSince') ?? '0');
    const rows = await db
      .selectFrom('wallet_registrations')
      .innerJoin('passes', 'passes.id', 'wallet_registrations.pass_id')
      .select(['passes.id', 'passes.updated_at', 'wallet_registrations.changed_at'])
      .where('wallet_registrations.device_library_id', '=', device)
      .execute();
    // A pass changed, or a template or location edit reached this phone's copy of it.
    const changed = rows
      .map((row) => ({
        id: row.id,
        at: Math.max(row.updated_at.getTime(), row.changed_at?.getTime() ?? 0),
      }))
      .filter((row) => !Number.isFinite(since) || row.at > since);
    if (changed.length === 0) return c.body(null, 204);
    return c.json({
      serialNumbers: changed.map((row) => row.id),
      lastUpdated: tagOf(new Date(Math.max(...changed.map((row) => row.at)))),
    });
  });

  // The latest version of a pass; 304 when unchanged since If-Modified-Since.
  service.get('/passes/:passTypeId/:serial', async (c) => {
    const wallet = appleWallet as AppleWallet;
    const { passTypeId, serial } = c.req.param();
    const pass = await authorizedPass(db, wallet, {
      passTypeId,
      serial,
      authorization: c.req.header('authorization'),
    });
    if (!pass) return c.body(null, 401);
    const { body, lastModified } = await pkpassOfPass(db, wallet, pass, publicUrl, signingKeys);
    const since = Date.parse(c.req.header('if-modified-since') ?? '');
    const modified = lastModifiedOf(lastModified);
    if (Number.isFinite(since) && modified.second <= since) return c.body(null, 304);
    return c.body(new Uint8Array(body), 200, { 'Content-Type': PKPASS, ...modified.header });
  });

  // What Wallet on a phone reports of its troubles with our passes: logged for the operator.
  service.post('/log', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { logs?: unknown };
    const logs = Array.isArray(body.logs) ? body.logs.slice(0, 20).map(String) : [];
    for (const line of logs) logger.warn({ wallet: 'apple' }, line.slice(0, 500));
    return c.body(null, 200);
  });

  routes.route('/wallet/apple/v1', service);
  return routes;
}

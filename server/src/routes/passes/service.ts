import type { UpdatePassBody } from '@passgate/shared';
import { reportedStatus, type ScannablePass } from '@passgate/shared/core';
import type { Transaction } from 'kysely';
import type { Database, Tenant } from '../../db/schema';
import { assertInUse } from '../../domain/in-use';
import { passCreatedEvent, scannableOf, statusChangeEvents } from '../../domain/passes/present';
import { findPass, findPassForUpdate } from '../../domain/passes/rows';
import { ApiError, notFound } from '../../errors';
import { recordEvents } from '../../events';
import { findOrCreateClientsByName, INSERT_CHUNK } from '../clients/queries';
import { assertBelowTenantLimit } from '../limits';
import { assertLocationsUsable } from '../locations/queries';
import { insertPasses, type NewPass, updatePass } from './queries';

// What changes a pass, for every way in: the API's routes, a CSV import, the admin CLI. Each
// runs in the caller's transaction, and records its events in it.

type PassTenant = Pick<Tenant, 'id' | 'max_passes'>;

/**
 * New passes, their clients found or created by name, and their `pass.created` events, in
 * multi-row statements. 403, and nothing made, when they would take the tenant past its plan's
 * pass limit.
 */
export async function createPasses(
  trx: Transaction<Database>,
  tenant: PassTenant,
  bodies: readonly NewPass[],
  options: { now: Date; publicUrl: string; overLimit?: string },
) {
  await assertPassesFit(trx, tenant, bodies, options.overLimit);
  return writePasses(trx, tenant.id, bodies, options);
}

/**
 * What new passes must meet before any is written: the plan's pass limit (locking the tenant
 * row, so that creates queue behind each other), and locations and templates in use.
 */
export async function assertPassesFit(
  trx: Transaction<Database>,
  tenant: PassTenant,
  bodies: readonly NewPass[],
  overLimit = `Pass limit reached: this plan allows ${tenant.max_passes} passes`,
) {
  await assertBelowTenantLimit(
    trx,
    tenant.id,
    'passes',
    tenant.max_passes,
    overLimit,
    bodies.length,
  );
  await assertLocationsUsable(
    trx,
    tenant.id,
    bodies.flatMap((body) => (body.locationId == null ? [] : [body.locationId])),
  );
  await assertInUse(
    trx,
    tenant.id,
    'templates',
    bodies.flatMap((body) => (body.templateId == null ? [] : [body.templateId])),
    'templateId',
  );
}

/** Writes passes that `assertPassesFit` accepted: one from `POST /passes`, a part of an import. */
export async function writePasses(
  trx: Transaction<Database>,
  tenantId: string,
  bodies: readonly NewPass[],
  options: { now: Date; publicUrl: string },
) {
  const { now, publicUrl } = options;
  const named = bodies.flatMap((body) =>
    body.clientName ? [{ name: body.clientName, email: body.clientEmail }] : [],
  );
  const clients = await findOrCreateClientsByName(trx, tenantId, named);
  const passes = await insertPasses(
    trx,
    tenantId,
    bodies.map((body) => ({
      body,
      client: body.clientName ? (clients.get(body.clientName) ?? null) : null,
    })),
    now,
  );
  for (let i = 0; i < passes.length; i += INSERT_CHUNK) {
    const events = passes
      .slice(i, i + INSERT_CHUNK)
      .map((pass) => passCreatedEvent(pass, publicUrl, now));
    await recordEvents(trx, tenantId, events, now);
  }
  return passes;
}

/**
 * Locks the pass, applies the patch (a PATCH, or a status change), and records the
 * `pass.status_changed` it causes. 404 for no pass of the tenant.
 */
export async function changePass(
  trx: Transaction<Database>,
  tenantId: string,
  passId: string,
  patch: UpdatePassBody,
  options: { now: Date; publicUrl: string },
) {
  return applyChange(trx, tenantId, await lockedPass(trx, tenantId, passId), patch, options);
}

/**
 * Activates or revokes a pass: unlike a PATCH, it must change the stored status, else 400 with
 * what would.
 */
export async function setPassStatus(
  trx: Transaction<Database>,
  tenantId: string,
  passId: string,
  status: 'active' | 'revoked',
  options: { now: Date; publicUrl: string },
) {
  const before = await lockedPass(trx, tenantId, passId);
  if (before.status === status)
    throw new ApiError(400, alreadyMessage(scannableOf(before), status, options.now));
  return applyChange(trx, tenantId, before, { status }, options);
}

async function lockedPass(trx: Transaction<Database>, tenantId: string, passId: string) {
  const pass = await findPassForUpdate(trx, tenantId, passId);
  if (!pass) throw notFound('Pass');
  return pass;
}

async function applyChange(
  trx: Transaction<Database>,
  tenantId: string,
  before: Awaited<ReturnType<typeof lockedPass>>,
  patch: UpdatePassBody,
  options: { now: Date; publicUrl: string },
) {
  const { now, publicUrl } = options;
  if (patch.locationId != null && patch.locationId !== before.location_id) {
    await assertLocationsUsable(trx, tenantId, [patch.locationId]);
  }
  if (patch.templateId != null && patch.templateId !== before.template_id) {
    await assertInUse(trx, tenantId, 'templates', [patch.templateId], 'templateId');
  }
  await updatePass(trx, before, patch, now);
  const after = await findPass(trx, tenantId, before.id);
  if (!after) throw new Error(`Pass ${before.id} vanished inside the transaction that updated it`);
  await recordEvents(trx, tenantId, statusChangeEvents(before, after, publicUrl, now), now);
  return after;
}

/**
 * Why activate or revoke has nothing to do. A pass may read `expired` or `used` while its stored
 * status is `active`: activating cannot change that, and the message says what would.
 */
function alreadyMessage(pass: ScannablePass, status: 'active' | 'revoked', now: Date) {
  const already = `Pass is already ${status}`;
  if (status !== 'active') return already;
  switch (reportedStatus(pass, now)) {
    case 'expired':
      return `${already}; it reads expired because its validUntil has passed: PATCH validUntil to let it in again`;
    case 'used':
      return `${already}; it reads used because its usagesCount reached maxUsages: PATCH maxUsages to let it in again`;
    default:
      return already;
  }
}

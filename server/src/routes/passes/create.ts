import type { CreatePassBody } from '@passgate/shared';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { recordEvents } from '../../events';
import { findOrCreateClientsByName, INSERT_CHUNK } from '../clients/queries';
import { passCreatedEvent } from './present';
import { insertPasses } from './queries';

/**
 * New passes, their clients found or created by name, and their `pass.created` events, in
 * multi-row statements: one pass from `POST /passes`, thousands from a CSV import.
 */
export async function createPasses(
  trx: Transaction<Database>,
  tenantId: string,
  bodies: readonly CreatePassBody[],
  now: Date,
  publicUrl: string,
) {
  const names = bodies.flatMap((body) => (body.clientName ? [body.clientName] : []));
  const clients = await findOrCreateClientsByName(trx, tenantId, names);
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

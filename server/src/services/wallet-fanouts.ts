import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';

// Carries a template or location edit to the wallet copies of the passes it touches, a batch of
// passes at a time (`wallet_fanouts`, armed by triggers on `templates` and `locations`). Only
// passes some wallet holds are visited: those with an Apple registration or a Google object.

/** Passes reached in one transaction. */
export const FANOUT_BATCH = 500;

/**
 * Works one batch of the oldest due fan-out: marks the Apple copies changed, arms their pushes
 * and the Google objects' PATCHes. Answers how many passes it reached, or undefined when no
 * fan-out is due.
 */
export async function fanOutBatch(
  db: Kysely<Database>,
  { batch = FANOUT_BATCH, now = new Date() }: { batch?: number; now?: Date } = {},
): Promise<number | undefined> {
  return db.transaction().execute(async (trx) => {
    const fanout = await trx
      .selectFrom('wallet_fanouts')
      .selectAll()
      // The database's clock, which armed it (a JavaScript Date holds no microseconds).
      .where('due_at', '<=', sql<Date>`now()`)
      .orderBy('due_at')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!fanout) return undefined;
    const { tenant_id: tenantId, subject_id: subject, after_pass_id: after } = fanout;
    const wears =
      fanout.kind === 'template'
        ? sql`passes.template_id = ${subject}`
        : fanout.kind === 'location'
          ? sql`passes.location_id = ${subject}`
          : sql`passes.template_id IS NULL`;
    const { rows } = await sql<{ pass_id: string }>`
      SELECT held.pass_id FROM (
        SELECT pass_id FROM wallet_registrations WHERE tenant_id = ${tenantId} AND pass_id > ${after}
        UNION
        SELECT pass_id FROM google_wallet_objects WHERE tenant_id = ${tenantId} AND pass_id > ${after}
      ) AS held
      JOIN passes ON passes.id = held.pass_id AND passes.tenant_id = ${tenantId}
      WHERE ${wears}
      ORDER BY held.pass_id
      LIMIT ${batch}`.execute(trx);
    const ids = rows.map((row) => row.pass_id);
    if (ids.length > 0) {
      await trx
        .updateTable('wallet_registrations')
        .set({ changed_at: now })
        .where('pass_id', 'in', ids)
        .execute();
      await sql`
        INSERT INTO wallet_pushes (pass_id, device_library_id, tenant_id, push_token, due_at)
        SELECT pass_id, device_library_id, tenant_id, push_token, ${now}::timestamptz
          FROM wallet_registrations WHERE pass_id IN (${sql.join(ids)})
            ON CONFLICT (pass_id, device_library_id) DO UPDATE
           SET due_at = least(wallet_pushes.due_at, excluded.due_at),
               push_token = excluded.push_token`.execute(trx);
      await trx
        .updateTable('google_wallet_objects')
        .set({ due_at: sql`least(coalesce(due_at, ${now}::timestamptz), ${now}::timestamptz)` })
        .where('pass_id', 'in', ids)
        .execute();
    }
    if (ids.length < batch) {
      await trx
        .deleteFrom('wallet_fanouts')
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', fanout.kind)
        .where('subject_id', '=', subject)
        .execute();
    } else {
      await trx
        .updateTable('wallet_fanouts')
        .set({ after_pass_id: ids[ids.length - 1] as string })
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', fanout.kind)
        .where('subject_id', '=', subject)
        .execute();
    }
    return ids.length;
  });
}

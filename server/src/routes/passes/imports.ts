import type { Kysely } from 'kysely';
import type { Database, Tenant } from '../../db/schema';
import { newId } from '../../domain/ids';
import { ApiError } from '../../errors';
import type { Logger } from '../../logger';
import type { NewPass } from './queries';
import { assertPassesFit, writePasses } from './service';

// A CSV import is accepted whole, then written in parts (ADR 8). Accepting it checks every row
// (`parseImport`), the plan's pass limit, and keeps the checked passes in `pass_imports` in one
// transaction; then each part of PART_SIZE passes, with its clients and events, is a
// transaction of its own. Between parts, whatever else waits for the database runs: on the
// embedded database's one connection, a door's scans wait for one part, not for the whole file.
// A server that stops half way leaves the import's row behind, and the next server to look
// (`resumeImports`) writes the rest: an accepted import is written whole, each pass once.

/** Passes a transaction: some 40 ms of the embedded database's connection under load. */
const PART_SIZE = 50;
/** How long a server holds an import it is writing, renewed with each part. */
const LEASE_MS = 15_000;
/** How often a server looks for imports that no server holds. */
const RESUME_EVERY_MS = 5_000;

interface ImportOptions {
  publicUrl: string;
  /** True once the server stops: the import is left between parts, for the next server. */
  stopping?: () => boolean;
}

/**
 * What an import's request is told when the database fails once the import is accepted: a
 * client that sent the file again would have it twice.
 */
export const IMPORT_LEFT_TO_FINISH =
  'The import was accepted, but the database stopped answering while its passes were written: the server writes the rest as soon as it answers again, and GET /passes shows them as they come. Do not send the file again.';

/**
 * Accepts checked passes as an import of the tenant's, and writes them all. 403, and nothing
 * kept, past the plan's pass limit; 503 IMPORT_LEFT_TO_FINISH when writing fails once accepted.
 */
export async function importPasses(
  db: Kysely<Database>,
  tenant: Pick<Tenant, 'id' | 'max_passes'>,
  passes: readonly NewPass[],
  options: ImportOptions & { overLimit: string; logger: Logger },
) {
  const id = newId('imp');
  await db.transaction().execute(async (trx) => {
    await assertPassesFit(trx, tenant, passes, options.overLimit);
    await trx
      .insertInto('pass_imports')
      .values({
        id,
        tenant_id: tenant.id,
        passes: JSON.stringify(passes),
        total: passes.length,
        lease_until: leaseEnd(),
      })
      .execute();
  });
  try {
    await writeImport(db, id, passes, options);
  } catch (error) {
    options.logger.warn({ err: error, import: id }, 'an accepted import is left to finish');
    throw new ApiError(503, IMPORT_LEFT_TO_FINISH);
  }
}

/**
 * Writes the rest of an import, a part a transaction, from where its row says. Each part locks
 * the row and moves `written` on in the transaction that writes the part, so that two servers
 * taking the same import on never write a part twice. Resolves when the import is written or
 * gone, or between parts once the server stops.
 */
async function writeImport(
  db: Kysely<Database>,
  id: string,
  passes: readonly NewPass[],
  options: ImportOptions,
) {
  while (!options.stopping?.()) {
    const done = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('pass_imports')
        .select(['tenant_id', 'written', 'total'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return true;
      const part = passes.slice(row.written, row.written + PART_SIZE);
      const written = row.written + part.length;
      await writePasses(trx, row.tenant_id, part, {
        now: new Date(),
        publicUrl: options.publicUrl,
      });
      if (written >= row.total) {
        await trx.deleteFrom('pass_imports').where('id', '=', id).execute();
        return true;
      }
      await trx
        .updateTable('pass_imports')
        .set({ written, lease_until: leaseEnd() })
        .where('id', '=', id)
        .execute();
      return false;
    });
    if (done) return;
  }
}

/**
 * Finishes the imports no server holds: left by a server that stopped while writing them. Each
 * is taken by moving its lease on first, so that servers looking at once share them out.
 * `heldOrNot` takes every import: for a server alone on its database, as it starts.
 */
export async function resumeImports(
  db: Kysely<Database>,
  options: ImportOptions & { logger: Logger; heldOrNot?: boolean },
) {
  while (!options.stopping?.()) {
    const taken = await db
      .updateTable('pass_imports')
      .set({ lease_until: leaseEnd() })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('pass_imports')
          .select('id')
          .$if(!options.heldOrNot, (qb) => qb.where('lease_until', '<', new Date()))
          .orderBy('created_at')
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .returning(['id', 'passes', 'written', 'total'])
      .executeTakeFirst();
    if (!taken) return;
    options.logger.info(
      { import: taken.id, written: taken.written, total: taken.total },
      'finishing an import a stopped server left half written',
    );
    await writeImport(db, taken.id, JSON.parse(taken.passes) as NewPass[], options);
  }
}

/**
 * Looks for imports to finish now, and every few seconds until stopped. A server `alone` on its
 * database (the embedded one, whose DATA_DIR one process holds) takes every import it finds as
 * it starts, without waiting for the stopped server's lease to run out.
 */
export function startImportResumer(
  db: Kysely<Database>,
  options: ImportOptions & { logger: Logger; alone: boolean },
) {
  let running: Promise<void> | undefined;
  let first = options.alone;
  let stopped = false;
  const look = () => {
    const heldOrNot = first;
    first = false;
    running ??= resumeImports(db, { ...options, heldOrNot, stopping: () => stopped })
      .catch((err) => options.logger.warn({ err }, 'finishing imports failed; trying again'))
      .finally(() => {
        running = undefined;
      });
  };
  look();
  const timer = setInterval(look, RESUME_EVERY_MS);
  timer.unref();
  return {
    /** Stops looking, and waits for the part being written, if any. */
    async stop() {
      clearInterval(timer);
      stopped = true;
      await running;
    },
  };
}

const leaseEnd = () => new Date(Date.now() + LEASE_MS);

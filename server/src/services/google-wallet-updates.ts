import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import { googleObject, putGoogleObject } from '../domain/wallet/google-object';
import { walletCopyOf } from '../domain/wallet/wallet-copy';
import type { Logger } from '../logger';
import type { GoogleWallet } from './google-wallet';
import type { SigningKeys } from './signing-keys';
import { backoffMs, MAX_ATTEMPTS } from './wallet-pushes';

// Drains the Google objects owed an update (`google_wallet_objects.due_at`): each is PATCHed
// with the pass as it stands now, so several changes make one call. A claim is leased like an
// Apple push; an answer other than success is retried with back-off, and settled only under the
// lease it was claimed with, so a change meanwhile is sent again.

const BATCH = 50;
const LEASE_MS = 30_000;

interface DueObject {
  pass_id: string;
  due_at: Date;
  attempts: number;
}

async function claimDue(db: Kysely<Database>, now: Date): Promise<DueObject[]> {
  const { rows } = await sql<DueObject>`
    UPDATE google_wallet_objects AS object
       SET due_at = ${new Date(now.getTime() + LEASE_MS)}, attempts = object.attempts + 1
      FROM (SELECT pass_id FROM google_wallet_objects
             WHERE due_at <= ${now} ORDER BY due_at LIMIT ${BATCH}
               FOR UPDATE SKIP LOCKED) AS due
     WHERE object.pass_id = due.pass_id
    RETURNING object.pass_id, object.due_at, object.attempts`.execute(db);
  return rows;
}

/** Sends what is due now; answers how many objects it settled or put off. */
export async function patchDue(
  db: Kysely<Database>,
  google: GoogleWallet,
  publicUrl: string,
  logger: Logger,
  signingKeys: SigningKeys,
) {
  const due = await claimDue(db, new Date());
  for (const object of due) {
    const claimed = () =>
      db
        .updateTable('google_wallet_objects')
        .where('pass_id', '=', object.pass_id)
        .where('due_at', '=', object.due_at);
    let error: string | undefined;
    try {
      const pass = await db
        .selectFrom('passes')
        .selectAll()
        .where('id', '=', object.pass_id)
        .executeTakeFirstOrThrow();
      const copy = await walletCopyOf(db, pass, signingKeys);
      await putGoogleObject(google, googleObject(google.issuerId, copy, publicUrl));
    } catch (caught) {
      error = (caught as Error).message;
    }
    if (error === undefined) {
      await claimed().set({ due_at: null, attempts: 0, last_error: null }).execute();
    } else if (object.attempts >= MAX_ATTEMPTS) {
      logger.warn({ passId: object.pass_id, error }, 'Google Wallet update given up');
      await claimed().set({ due_at: null, attempts: 0, last_error: error }).execute();
    } else {
      await claimed()
        .set({ due_at: new Date(Date.now() + backoffMs(object.attempts)), last_error: error })
        .execute();
    }
  }
  return due.length;
}

import http2 from 'node:http2';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import type { AppleWallet } from './apple-wallet';

// Drains the outbox of Apple Wallet pushes (`wallet_pushes`): each due push goes to APNs over
// HTTP/2, with the pass certificate as the TLS client certificate and the pass type id as the
// topic. A push is leased while it is sent, so an instance that dies mid-send leaves it to be
// sent again; it leaves the outbox only once APNs took it, or said the phone is gone (410, and
// the registration goes too), or after `MAX_ATTEMPTS`.

const BATCH = 50;
const LEASE_MS = 30_000;
export const MAX_ATTEMPTS = 12;
const REQUEST_TIMEOUT_MS = 10_000;
/** Milliseconds before the n-th retry: 5 s doubling, at most an hour. */
export const backoffMs = (attempts: number) => Math.min(5_000 * 2 ** (attempts - 1), 3_600_000);

interface DuePush {
  pass_id: string;
  device_library_id: string;
  push_token: string;
  due_at: Date;
  attempts: number;
}

/** Takes the due pushes under a lease (`due_at` moved on), each once across instances. */
async function claimDue(db: Kysely<Database>, now: Date): Promise<DuePush[]> {
  const { rows } = await sql<DuePush>`
    UPDATE wallet_pushes AS push
       SET due_at = ${new Date(now.getTime() + LEASE_MS)}, attempts = push.attempts + 1
      FROM (SELECT pass_id, device_library_id FROM wallet_pushes
             WHERE due_at <= ${now} ORDER BY due_at LIMIT ${BATCH}
               FOR UPDATE SKIP LOCKED) AS due
     WHERE push.pass_id = due.pass_id AND push.device_library_id = due.device_library_id
    RETURNING push.pass_id, push.device_library_id, push.push_token, push.due_at, push.attempts`.execute(
    db,
  );
  return rows;
}

/** One push to APNs: its HTTP status, or the error that kept it from an answer. */
function send(
  session: http2.ClientHttp2Session,
  wallet: AppleWallet,
  token: string,
): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const request = session.request({
      ':method': 'POST',
      ':path': `/3/device/${encodeURIComponent(token)}`,
      'apns-topic': wallet.passTypeId,
      'content-type': 'application/json',
    });
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.close(http2.constants.NGHTTP2_CANCEL));
    let status = 0;
    request.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    request.on('error', (error) => resolve({ error: error.message }));
    request.on('close', () => resolve(status ? { status } : { error: 'no answer' }));
    request.resume();
    request.end('{"aps":{}}');
  });
}

/**
 * Sends what is due now, and answers how many pushes it settled. Every outcome is written with
 * the lease it was claimed under, so a change that re-armed a push meanwhile (its `due_at` set
 * back to now) is pushed again.
 */
export async function pushDue(db: Kysely<Database>, wallet: AppleWallet, logger: Logger) {
  const now = new Date();
  const due = await claimDue(db, now);
  if (due.length === 0) return 0;
  const session = http2.connect(wallet.apnsUrl, {
    cert: wallet.certificates.signerCert,
    key: wallet.certificates.signerKey,
    ...(wallet.certificates.signerKeyPassphrase
      ? { passphrase: wallet.certificates.signerKeyPassphrase }
      : {}),
  });
  session.on('error', (error) => logger.warn({ err: error }, 'APNs connection failed'));
  try {
    for (const push of due) {
      const outcome = await send(session, wallet, push.push_token);
      // This push as claimed: gone, or re-armed by a change since, it is left alone.
      const settle = () =>
        db
          .deleteFrom('wallet_pushes')
          .where('pass_id', '=', push.pass_id)
          .where('device_library_id', '=', push.device_library_id)
          .where('due_at', '=', push.due_at);
      if ('status' in outcome && outcome.status === 200) {
        await settle().execute();
      } else if ('status' in outcome && outcome.status === 410) {
        // The phone no longer has the pass: its registration (and this push) go.
        await db
          .deleteFrom('wallet_registrations')
          .where('pass_id', '=', push.pass_id)
          .where('device_library_id', '=', push.device_library_id)
          .execute();
      } else if (push.attempts >= MAX_ATTEMPTS) {
        logger.warn({ passId: push.pass_id, outcome }, 'Wallet push given up');
        await settle().execute();
      } else {
        await db
          .updateTable('wallet_pushes')
          .set({
            due_at: new Date(Date.now() + backoffMs(push.attempts)),
            last_error: 'status' in outcome ? `APNs answered ${outcome.status}` : outcome.error,
          })
          .where('pass_id', '=', push.pass_id)
          .where('device_library_id', '=', push.device_library_id)
          .where('due_at', '=', push.due_at)
          .execute();
      }
    }
  } finally {
    session.close();
  }
  return due.length;
}

import { Webhook } from 'standardwebhooks';

/** An event as Passgate delivers it (`POST targetUrl`) and as `GET /triggers` describes it. */
export interface Delivered {
  id: string;
  event: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/** A trigger's item: the event's object, with an `id` Zapier de-duplicates on. */
export type Item = Record<string, unknown> & { id: string };

/**
 * The item of a delivered event, the same as `GET /triggers` lists for it (the server's
 * `presentTrigger`): the object itself, keyed by its own id; or, for an event that happens to one
 * object many times (a status change, a wallet, a merge, a location's change), keyed by the
 * event, with the object's id beside it.
 */
export function itemOf(delivered: Delivered): Item {
  const { data } = delivered;
  switch (delivered.event) {
    case 'pass.status_changed':
    case 'pass.wallet_added':
    case 'pass.wallet_removed':
      return { ...data, id: delivered.id, passId: data.id };
    case 'client.merged':
      return { ...data, id: delivered.id, clientId: data.id };
    case 'location.updated':
    case 'location.capacity_reached':
      return { ...data, id: delivered.id, locationId: data.id };
    default:
      return { ...data, id: String(data.id) };
  }
}

/**
 * Zapier hands a hook's headers over as `Http-Webhook-Id` and so on; Standard Webhooks reads
 * `webhook-id`. Both spellings are taken.
 */
function standardHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase().replace(/^http-/, '')] = value;
  }
  return out;
}

/**
 * The event of a delivery whose Standard Webhooks signature the subscription's secret confirms
 * (within five minutes of its timestamp), read from the very bytes that were signed; otherwise
 * why it is not to be trusted.
 */
export function verifiedEvent(
  secret: string,
  raw: { headers?: Record<string, string>; content?: string } | undefined,
): { event: Delivered } | { refused: string } {
  if (!raw?.content || !raw.headers) return { refused: 'the request has no body or headers' };
  try {
    const event = new Webhook(secret).verify(raw.content, standardHeaders(raw.headers));
    return { event: event as Delivered };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

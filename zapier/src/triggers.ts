import type { Bundle, ZObject } from 'zapier-platform-core';
import { type Delivered, type Item, itemOf, verifiedEvent } from './deliveries';
import { api } from './http';
import { SAMPLES } from './samples';

/** Each Passgate event a Zap can start from: its trigger's key and how the editor names it. */
export const HOOK_TRIGGERS = [
  ['new_pass', 'pass.created', 'Pass', 'New Pass', 'a pass is created'],
  [
    'pass_scanned',
    'pass.scanned',
    'Scan',
    'Pass Scanned',
    'a pass is scanned at a door, admitted or refused',
  ],
  [
    'pass_status_changed',
    'pass.status_changed',
    'Pass',
    'Pass Status Changed',
    'a pass is revoked or activated',
  ],
  [
    'scan_annulled',
    'pass.scan_annulled',
    'Scan',
    'Scan Undone',
    "a door undoes an admit, giving the pass's use back",
  ],
  [
    'scan_conflict',
    'scan.conflict',
    'Scan',
    'Offline Scan Conflict',
    "a door that was offline admitted a pass the server's rule refuses",
  ],
  ['new_client', 'client.created', 'Client', 'New Client', 'a client is created'],
  [
    'clients_merged',
    'client.merged',
    'Client',
    'Clients Merged',
    'two clients are merged into one',
  ],
  ['new_location', 'location.created', 'Location', 'New Location', 'a location is created'],
  ['location_updated', 'location.updated', 'Location', 'Location Updated', 'a location is changed'],
  [
    'location_full',
    'location.capacity_reached',
    'Location',
    'Location Full',
    'a location reaches its capacity',
  ],
  [
    'pass_added_to_wallet',
    'pass.wallet_added',
    'Pass',
    'Pass Added to Wallet',
    'a holder adds a pass to Apple Wallet',
  ],
  [
    'pass_removed_from_wallet',
    'pass.wallet_removed',
    'Pass',
    'Pass Removed from Wallet',
    'a holder removes a pass from Apple Wallet',
  ],
] as const;

/** What a subscription keeps for its Zap: the webhook to delete, the secret to check with. */
interface Subscription {
  id: string;
  secret: string;
}

function hookTrigger([key, event, noun, label, when]: (typeof HOOK_TRIGGERS)[number]) {
  return {
    key,
    noun,
    display: {
      label,
      description: `Triggers instantly when ${when}.`,
    },
    operation: {
      type: 'hook' as const,
      /** A webhook on the server for this Zap's URL. */
      performSubscribe: async (z: ZObject, bundle: Bundle): Promise<Subscription> => {
        const response = await api<Subscription>(z, bundle, '/webhooks', {
          method: 'POST',
          body: { event, targetUrl: bundle.targetUrl },
        });
        return { id: response.data.id, secret: response.data.secret };
      },
      performUnsubscribe: async (z: ZObject, bundle: Bundle) => {
        const { id } = bundle.subscribeData as unknown as Subscription;
        const response = await api(z, bundle, `/webhooks/${encodeURIComponent(id)}`, {
          method: 'DELETE',
        });
        return response.data;
      },
      /**
       * A delivery, checked against the subscription's secret: one signed by someone else, or
       * changed on the way, is ignored (and why, logged).
       */
      perform: (z: ZObject, bundle: Bundle): Item[] => {
        const { secret } = bundle.subscribeData as unknown as Subscription;
        const checked = verifiedEvent(secret, bundle.rawRequest);
        if ('refused' in checked) {
          z.console.log(
            `Ignored a delivery to "${key}" that Passgate did not sign: ${checked.refused}`,
          );
          return [];
        }
        if (checked.event.event !== event) {
          z.console.log(
            `Ignored a "${checked.event.event}" delivery to "${key}", which takes ${event}`,
          );
          return [];
        }
        return [itemOf(checked.event as Delivered)];
      },
      /** The latest items (the editor's samples, and Zapier's polling fallback), newest first. */
      performList: async (z: ZObject, bundle: Bundle): Promise<Item[]> => {
        const response = await api<Item[]>(z, bundle, '/triggers', {
          params: { event, limit: 100 },
        });
        return response.data;
      },
      sample: SAMPLES[event],
    },
  };
}

export const hookTriggers = Object.fromEntries(
  HOOK_TRIGGERS.map((row) => [row[0], hookTrigger(row)]),
);

/** A hidden trigger that fills a dropdown with the tenant's `path` items, newest first, by name. */
function listTrigger(key: string, path: string, noun: string, plural: string, sampleId: string) {
  return {
    key,
    noun,
    display: { label: plural, description: `Lists the ${plural.toLowerCase()}.`, hidden: true },
    operation: {
      perform: async (z: ZObject, bundle: Bundle) => {
        const response = await api<{ id: string; name: string }[]>(z, bundle, path, {
          params: { limit: 100, page: (bundle.meta?.page ?? 0) + 1 },
        });
        return response.data;
      },
      canPaginate: true,
      sample: { id: sampleId, name: `Example ${noun.toLowerCase()}` },
    },
  };
}

export const listTriggers = {
  passes_list: listTrigger('passes_list', '/passes', 'Pass', 'Passes', 'pass_Example0000000'),
  templates_list: listTrigger(
    'templates_list',
    '/templates',
    'Template',
    'Templates',
    'tpl_Example0000000',
  ),
  locations_list: listTrigger(
    'locations_list',
    '/locations',
    'Location',
    'Locations',
    'loc_Example0000000',
  ),
};

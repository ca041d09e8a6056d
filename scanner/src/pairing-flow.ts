import { createDoorApi, type DoorApi } from './api';
import type { Door } from './door';
import { isApiKey, keyFromFragment, pairingTokenFromFragment, saveKey, storedKey } from './pairing';
import { $, show } from './screen';
import type { Settings } from './settings';
import type { DoorStore } from './store';
import type { TallyView } from './tally-view';

const PAIRING_CHECK_MS = 4000;

/**
 * Pairing: by a door link, a key link or a pasted key; and, at each start, asking the server
 * whom the scanner is paired with.
 */
export function createPairing(options: {
  store: DoorStore;
  door: Door;
  settings: Settings;
  tally: TallyView;
  /** Connects the scanner's API client with this key (none: not paired). */
  connect(key: string | undefined): void;
  client(): DoorApi | undefined;
  /** The server refused the credential: the scanner forgets it. */
  removed(): void;
  /** Sent with the pairing request: the phone's time and queue. */
  headers(): Record<string, string>;
  /** Paired from the settings screen: scanning starts. */
  onPaired(): void;
}) {
  const { store, door, settings, tally } = options;

  /** Whom a key belongs to, in words, or undefined when the server cannot say right now. */
  async function describeKey(key: string): Promise<string | undefined> {
    const me = await createDoorApi({ baseUrl: location.origin, apiKey: key })
      .me({ signal: AbortSignal.timeout(PAIRING_CHECK_MS) })
      .catch(() => undefined);
    if (!me?.ok) return undefined;
    const { tenant, device, key: keyInfo } = me.data;
    return `${tenant.name} (${device ? `door ${device.name}` : `key ${keyInfo?.prefix}…`})`;
  }

  /** Whom a pairing link is for, in words, without using it up; undefined when unknown. */
  async function describePairing(token: string): Promise<string | undefined> {
    const preview = await createDoorApi({ baseUrl: location.origin })
      .previewPairing(token, { signal: AbortSignal.timeout(PAIRING_CHECK_MS) })
      .catch(() => undefined);
    return preview?.ok
      ? `${preview.data.tenant.name} (door ${preview.data.device.name})`
      : undefined;
  }

  /** Pairs with a new credential: what the scanner held for the old one goes. */
  async function takeKey(key: string) {
    if (key === storedKey()) return;
    door.stop();
    await store.clear();
    await tally.reopen();
    settings.setTenant(undefined);
    settings.setLocation(undefined);
    saveKey(key);
  }

  /**
   * Connects with the stored key and asks the server whom it belongs to; false when the scanner
   * is not paired (the settings screen then shows how to pair it).
   */
  async function refresh(): Promise<boolean> {
    options.connect(storedKey());
    void tally.load(storedKey());
    const client = options.client();
    if (!client) {
      if (!$('paired-with').textContent?.startsWith('This scanner was removed')) {
        $('paired-with').textContent =
          "Not paired: open this door's pairing link (an admin makes one on the dashboard's Doors page), or paste a scan key.";
      }
      show('settings');
      return false;
    }
    // On Wi-Fi that answers nothing, do not wait to show whom the scanner is paired with: scan.
    $('paired-with').textContent = 'Paired; asking the server which door this is…';
    const me = await client
      .me({ signal: AbortSignal.timeout(PAIRING_CHECK_MS) })
      .catch(() => undefined);
    if (me?.ok) settings.setTenant(me.data.tenant.name);
    $('paired-with').textContent = me?.ok
      ? `Paired with ${me.data.tenant.name} · ${me.data.device ? `door ${me.data.device.name}` : `key ${me.data.key?.prefix}… (${me.data.key?.scope})`}`
      : 'Paired; the server is not reachable right now';
    if (me?.ok && me.data.device) settings.setDevice(me.data.device.name);
    if (me?.ok) settings.setLocation(me.data.device?.location);
    if (me && !me.ok && me.status === 401) {
      options.removed();
      return false;
    }
    return true;
  }

  /**
   * Pairs through a door link (`#pair=TOKEN`, exchanged once for the device's credential) or a
   * key link (`#key=2pk_…`). A scanner that is paired already asks first, naming its tenant
   * (and, for a key link, the new one): a link for another tenant (or a mistaken one) would
   * otherwise take the door's scanner away without anyone noticing.
   */
  async function fromLink(): Promise<boolean> {
    const token = pairingTokenFromFragment();
    const key = token ? undefined : keyFromFragment();
    if (!token && !key) return false;
    const current = storedKey();
    if (current && current !== key) {
      const [now, next] = await Promise.all([
        describeKey(current),
        key ? describeKey(key) : describePairing(token as string),
      ]);
      const question =
        `This scanner is paired with ${now ?? settings.tenant() ?? 'a key'}. ` +
        `Pair it with ${next ?? 'a link the server cannot confirm right now'} instead? ` +
        'What it holds (its pass list, its counters and last scans) starts afresh.';
      if (!window.confirm(question)) return false;
    }
    if (key) {
      await takeKey(key);
      return true;
    }
    const paired = await createDoorApi({ baseUrl: location.origin, headers: options.headers })
      .pairDevice(token as string, { signal: AbortSignal.timeout(PAIRING_CHECK_MS * 2) })
      .catch(() => undefined);
    if (!paired?.ok) {
      $('pair-error').textContent = paired
        ? paired.error
        : 'No connection: open the pairing link again once this phone is online.';
      $('pair-error').hidden = false;
      show('settings');
      return false;
    }
    await takeKey(paired.data.apiKey);
    settings.setDevice(paired.data.device.name);
    return true;
  }

  $('pair').addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = $<HTMLInputElement>('key-input').value.trim();
    const error = $('pair-error');
    if (!isApiKey(key)) {
      error.textContent = 'That is not an API key: it starts with 2pk_ and has 36 characters.';
      error.hidden = false;
      return;
    }
    if (key !== storedKey()) await store.clear();
    saveKey(key);
    $<HTMLInputElement>('key-input').value = '';
    error.hidden = true;
    if (await refresh()) options.onPaired();
  });

  return { refresh, fromLink };
}

import type { ScanDirection } from '@passgate/shared/core';
import { customAlphabet } from 'nanoid';
import { DEFAULT_ANSWER_TIMEOUT_MS, type Door } from './door';
import type { DoorPlace } from './door-place';
import { storedKey } from './pairing';
import { $, show } from './screen';
import { emptyTally } from './tally';
import type { TallyView } from './tally-view';

/** Eight lowercase hex digits: easy to read out at a door. */
const randomLabel = customAlphabet('0123456789abcdef', 8);

/**
 * What staff set on this phone, kept in localStorage: the label each scan records (a random one
 * until they name the scanner, or a door's name once paired by its link), and how long to wait
 * for the server before deciding on the phone.
 */
export function createSettings() {
  let device = localStorage.getItem('passgate.device') ?? `scanner-${randomLabel()}`;
  localStorage.setItem('passgate.device', device);
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  return {
    device: () => device,
    setDevice(name: string) {
      device = name.slice(0, 100);
      localStorage.setItem('passgate.device', device);
      changed();
    },
    /** The tenant this scanner is paired with, as the server last named it (kept for offline). */
    tenant: () => localStorage.getItem('passgate.tenant') ?? undefined,
    setTenant(name: string | undefined) {
      if (name === undefined) localStorage.removeItem('passgate.tenant');
      else localStorage.setItem('passgate.tenant', name);
      changed();
    },
    /** The location this door stands at, as the server last said (kept for offline). */
    location(): { id: string; name: string; reentry: boolean } | undefined {
      const kept = localStorage.getItem('passgate.location');
      return kept ? JSON.parse(kept) : undefined;
    },
    setLocation(location: { id: string; name: string; reentry: boolean } | null | undefined) {
      if (location) localStorage.setItem('passgate.location', JSON.stringify(location));
      else localStorage.removeItem('passgate.location');
      changed();
    },
    /** Which way this door lets passes through: entry unless staff switched it to exit. */
    direction: (): ScanDirection =>
      localStorage.getItem('passgate.direction') === 'exit' ? 'exit' : 'entry',
    setDirection(direction: ScanDirection) {
      localStorage.setItem('passgate.direction', direction);
      changed();
    },
    /** Where and which way the door scans, as the door decides with it. */
    place(): DoorPlace {
      const location = this.location();
      return {
        locationId: location?.id ?? null,
        reentry: location?.reentry ?? false,
        direction: this.direction(),
      };
    },
    /** Called whenever the scanner's name, its tenant, its location or its direction changes. */
    onChange(listener: () => void) {
      listeners.add(listener);
    },
    answerTimeoutMs: () =>
      Number(localStorage.getItem('passgate.answerTimeoutMs')) || DEFAULT_ANSWER_TIMEOUT_MS,
    setAnswerTimeoutMs(ms: number) {
      localStorage.setItem('passgate.answerTimeoutMs', String(Math.round(ms)));
    },
  };
}
export type Settings = ReturnType<typeof createSettings>;

/**
 * The settings screen: the scanner's name, the wait for the server, "Update the pass list now",
 * resetting the counters and unpairing (each of those two asks first: both are a tap away from
 * each other and from "Back to scanning").
 */
export function wireSettingsScreen(options: {
  door: Door;
  settings: Settings;
  tally: TallyView;
  /** Whether the scanner is paired: only then may staff go back to scanning. */
  paired(): boolean;
  unpair(): void;
}) {
  const { door, settings, tally } = options;
  const backToScanning = () => {
    if (options.paired()) show('scan');
  };
  $('open-settings').addEventListener('click', () => {
    $<HTMLInputElement>('device-input').value = settings.device();
    $<HTMLInputElement>('timeout-input').value = String(settings.answerTimeoutMs() / 1000);
    show('settings');
  });
  $('timeout-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const seconds = Number($<HTMLInputElement>('timeout-input').value);
    if (!(seconds >= 0.5 && seconds <= 30)) return;
    settings.setAnswerTimeoutMs(seconds * 1000);
    backToScanning();
  });
  $('device-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $<HTMLInputElement>('device-input').value.trim();
    if (!name) return;
    settings.setDevice(name);
    backToScanning();
  });
  $('close-settings').addEventListener('click', backToScanning);
  $('sync-now').addEventListener('click', () => void door.sync());
  $('reset-tally').addEventListener('click', () => {
    if (!window.confirm('Reset the counters and the last scans to zero?')) return;
    void tally.update(() => emptyTally(storedKey()));
    show('scan');
  });
  $('unpair').addEventListener('click', () => {
    const question =
      'Unpair this scanner? It cannot scan again until it is paired with a key or pairing link.';
    if (window.confirm(question)) options.unpair();
  });
}

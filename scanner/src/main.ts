import { createPassgateClient, type PassgateClient } from '@passgate/shared/client';
import { customAlphabet } from 'nanoid';
import { type Camera, decodeFrames, openCamera } from './camera';
import type { Tone, Verdict } from './describe';
import { keepScreenOn, letScreenSleep, signal, unlockAudio } from './feedback';
import { forgetKey, isApiKey, keyFromFragment, saveKey, storedKey } from './pairing';
import { createScanFlow } from './scan-flow';
import { count, emptyTally, loadTally, saveTally, type Tally } from './tally';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const VERDICT_MS = { admit: 2500, reject: 4000 } as const;
const ICON: Record<Tone, string> = { admit: '✓', reject: '✗', trouble: '⟳', pending: '…' };
const PAIRING_CHECK_MS = 4000;

/** Eight lowercase hex digits: easy to read out at a door. */
const randomLabel = customAlphabet('0123456789abcdef', 8);

/** The label each scan records: a random one until staff name the scanner in the settings. */
let device = localStorage.getItem('passgate.device') ?? `scanner-${randomLabel()}`;
localStorage.setItem('passgate.device', device);

let client: PassgateClient | undefined;
let camera: Camera | undefined;
let stopDecoding: (() => void) | undefined;
let facing: 'environment' | 'user' = 'environment';
let verdictTimer: number | undefined;
let tally: Tally = emptyTally(undefined);
const worker = new Worker(new URL('./decoder.worker.ts', import.meta.url), { type: 'module' });

function connect(key: string | undefined) {
  client = key ? createPassgateClient({ baseUrl: location.origin, apiKey: key }) : undefined;
}

function show(screen: 'scan' | 'settings') {
  $('scan').hidden = screen !== 'scan';
  $('settings').hidden = screen !== 'settings';
}

function showVerdict(code: string, verdict: Verdict) {
  const panel = $('verdict');
  panel.className = `verdict ${verdict.tone}`;
  panel.dataset.tone = verdict.tone;
  $('verdict-icon').textContent = ICON[verdict.tone];
  $('verdict-title').textContent = verdict.title;
  $('verdict-detail').textContent = verdict.detail;
  panel.hidden = false;
  window.clearTimeout(verdictTimer);
  // Checking… and trouble stay until the answer comes.
  if (verdict.tone === 'trouble' || verdict.tone === 'pending') return;
  signal(verdict.tone);
  const time = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  setTally(count(tally, verdict.tone, `${time} ${verdict.title} · ${verdict.detail || code}`));
  verdictTimer = window.setTimeout(() => (panel.hidden = true), VERDICT_MS[verdict.tone]);
}

/** Shows the counters and last scans, and keeps them in the phone's storage. */
function setTally(next: Tally) {
  tally = next;
  saveTally(localStorage, tally);
  $('admitted').textContent = String(tally.admit);
  $('rejected').textContent = String(tally.reject);
  $('history').replaceChildren(
    ...tally.history.map(({ tone, text }) => {
      const item = document.createElement('li');
      item.className = tone;
      item.textContent = text;
      return item;
    }),
  );
}

const flow = createScanFlow(
  () => client,
  () => device,
  { onVerdict: showVerdict },
);

function stopCamera() {
  stopDecoding?.();
  stopDecoding = undefined;
  camera?.stop();
  camera = undefined;
}

async function startCamera() {
  stopCamera();
  const problem = $('camera-problem');
  if (!window.isSecureContext) {
    // Browsers give a page its camera only at an https:// address (or on localhost).
    problem.textContent =
      'The camera works only at an https:// address, and this one is not. Ask whoever runs Passgate for its https:// link. Type codes below meanwhile.';
    problem.hidden = false;
    return;
  }
  try {
    camera = await openCamera($<HTMLVideoElement>('video'), facing);
    problem.hidden = true;
    stopDecoding = decodeFrames(
      $<HTMLVideoElement>('video'),
      worker,
      (text) => void flow.submit(text),
    );
    const capabilities = camera.track.getCapabilities?.() as MediaTrackCapabilities & {
      torch?: boolean;
    };
    $('torch').hidden = !capabilities?.torch;
  } catch (error) {
    const denied = error instanceof DOMException && error.name === 'NotAllowedError';
    problem.textContent = denied
      ? 'Camera access was refused. Allow the camera in the browser settings, or type codes below.'
      : 'No camera could be opened. Type codes below.';
    problem.hidden = false;
  }
}

async function refreshPairing() {
  connect(storedKey());
  setTally(loadTally(localStorage, storedKey()));
  if (!client) {
    $('paired-with').textContent =
      'Not paired: paste a scan key, or open the pairing link from `pnpm admin key create --scope scan --qr`.';
    show('settings');
    return false;
  }
  // On Wi-Fi that answers nothing, do not wait to show whom the scanner is paired with: scan.
  const me = await client
    .me({ signal: AbortSignal.timeout(PAIRING_CHECK_MS) })
    .catch(() => undefined);
  $('tenant').textContent = me?.ok ? me.data.tenant.name : 'Passgate';
  $('paired-with').textContent = me?.ok
    ? `Paired with ${me.data.tenant.name} · key ${me.data.key.prefix}… (${me.data.key.scope})`
    : 'Paired; the server is not reachable right now';
  if (me && !me.ok && me.status === 401) {
    $('paired-with').textContent = 'This key is not valid any more: pair again.';
    show('settings');
    return false;
  }
  return true;
}

$('verdict').addEventListener('click', () => {
  $('verdict').hidden = true;
});
document.addEventListener('pointerdown', unlockAudio, { once: true });
$('manual').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('manual-code');
  if (input.value.trim()) void flow.submit(input.value, { typed: true });
  input.value = '';
});
$('switch-camera').addEventListener('click', () => {
  facing = facing === 'environment' ? 'user' : 'environment';
  void startCamera();
});
let torchOn = false;
$('torch').addEventListener('click', () => {
  torchOn = !torchOn;
  void camera?.track.applyConstraints({
    advanced: [{ torch: torchOn } as MediaTrackConstraintSet],
  });
});
$('open-settings').addEventListener('click', () => {
  $<HTMLInputElement>('device-input').value = device;
  show('settings');
});
$('device-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $<HTMLInputElement>('device-input').value.trim();
  if (!name) return;
  device = name.slice(0, 100);
  localStorage.setItem('passgate.device', device);
  if (client) show('scan');
});
$('close-settings').addEventListener('click', () => {
  if (client) show('scan');
});
// Both are a tap away from each other and from "Back to scanning": each asks first.
$('reset-tally').addEventListener('click', () => {
  if (!window.confirm('Reset the counters and the last scans to zero?')) return;
  setTally(emptyTally(storedKey()));
  show('scan');
});
$('unpair').addEventListener('click', () => {
  if (
    !window.confirm(
      'Unpair this scanner? It cannot scan again until it is paired with a key or pairing link.',
    )
  )
    return;
  forgetKey();
  void refreshPairing();
});
$('pair').addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = $<HTMLInputElement>('key-input').value.trim();
  const error = $('pair-error');
  if (!isApiKey(key)) {
    error.textContent = 'That is not an API key: it starts with 2pk_ and has 36 characters.';
    error.hidden = false;
    return;
  }
  saveKey(key);
  $<HTMLInputElement>('key-input').value = '';
  error.hidden = true;
  if (await refreshPairing()) start();
});

function start() {
  show('scan');
  void startCamera();
  void keepScreenOn();
}

/**
 * Staff switched to another app or the screen locked: let go of the camera and the screen (a
 * phone may end a hidden page's camera anyway, leaving a black viewfinder), and take both again
 * when the scanner is back in front.
 */
document.addEventListener('visibilitychange', () => {
  if (!client || $('scan').hidden) return;
  if (document.visibilityState === 'hidden') {
    stopCamera();
    void letScreenSleep();
  } else {
    start();
  }
});

/** Whom a key belongs to, in words, or undefined when the server cannot say right now. */
async function describeKey(key: string): Promise<string | undefined> {
  const me = await createPassgateClient({ baseUrl: location.origin, apiKey: key })
    .me({ signal: AbortSignal.timeout(PAIRING_CHECK_MS) })
    .catch(() => undefined);
  return me?.ok ? `${me.data.tenant.name} (key ${me.data.key.prefix}…)` : undefined;
}

/**
 * Pairs with the key of a pairing link. A scanner that is paired already asks first, naming both
 * tenants: a link for another tenant (or a mistaken one) would otherwise take the door's scanner
 * away without anyone noticing.
 */
async function pairFromLink(): Promise<boolean> {
  const key = keyFromFragment();
  if (!key) return false;
  const current = storedKey();
  if (current && current !== key) {
    const [now, next] = await Promise.all([describeKey(current), describeKey(key)]);
    const question =
      `This scanner is paired with ${now ?? 'a key'}. ` +
      `Pair it with ${next ?? 'a key the server cannot confirm right now'} instead? ` +
      'Its counters and last scans start afresh.';
    if (!window.confirm(question)) return false;
  }
  saveKey(key);
  return true;
}

await pairFromLink();
// A pairing link opened in this very tab changes only the fragment: no page load follows.
window.addEventListener('hashchange', async () => {
  if ((await pairFromLink()) && (await refreshPairing())) start();
});
if ('serviceWorker' in navigator)
  void navigator.serviceWorker.register('/scanner/sw.js', { scope: '/scanner/' });
if (await refreshPairing()) start();

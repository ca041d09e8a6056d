import { customAlphabet } from 'nanoid';
import { createDoorApi, type DoorApi } from './api';
import { type Camera, decodeFrames, openCamera } from './camera';
import { describeState, type Tone, undone, type Verdict } from './describe';
import { createDoor, DEFAULT_ANSWER_TIMEOUT_MS, type Decision, type DoorState } from './door';
import { keepScreenOn, letScreenSleep, signal, unlockAudio } from './feedback';
import {
  forgetKey,
  isApiKey,
  keyFromFragment,
  pairingTokenFromFragment,
  saveKey,
  storedKey,
} from './pairing';
import { createScanFlow } from './scan-flow';
import { DoorStore } from './store';
import { count, emptyTally, loadTally, note, saveTally, type Tally, uncount } from './tally';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const VERDICT_MS = { admit: 4000, reject: 4000 } as const;
const ICON: Record<Tone, string> = { admit: '✓', reject: '✗', trouble: '⟳', pending: '…' };
const PAIRING_CHECK_MS = 4000;

/** Eight lowercase hex digits: easy to read out at a door. */
const randomLabel = customAlphabet('0123456789abcdef', 8);

/** The label each scan records: a random one until staff name the scanner in the settings. */
let device = localStorage.getItem('passgate.device') ?? `scanner-${randomLabel()}`;
localStorage.setItem('passgate.device', device);

/** How long to wait for the server before deciding on the phone: a setting, in milliseconds. */
const answerTimeoutMs = () =>
  Number(localStorage.getItem('passgate.answerTimeoutMs')) || DEFAULT_ANSWER_TIMEOUT_MS;

const store = await DoorStore.open();
let tallyStore = await store.textStore('tally');
let client: DoorApi | undefined;
let camera: Camera | undefined;
let stopDecoding: (() => void) | undefined;
let facing: 'environment' | 'user' = 'environment';
let verdictTimer: number | undefined;
let tally: Tally = emptyTally(undefined);
const worker = new Worker(new URL('./decoder.worker.ts', import.meta.url), { type: 'module' });

/** Scans decided here and not yet uploaded, as the door last said. */
let waiting = 0;
/**
 * Every request says the phone's time and how many scans wait to upload, so that the device list
 * can show a clock far off and a door with a backlog.
 */
const deviceTime = () => ({
  'x-device-time': new Date().toISOString(),
  'x-device-queue': String(waiting),
});

function connect(key: string | undefined) {
  client = key
    ? createDoorApi({ baseUrl: location.origin, apiKey: key, headers: deviceTime })
    : undefined;
}

function showState(state: DoorState) {
  waiting = state.waiting;
  const bar = $('door-status');
  bar.textContent = describeState(state);
  bar.dataset.online = String(state.online);
  bar.dataset.listFrom = state.listFrom ?? '';
}

/** The server refused this scanner's credential: it held nothing worth keeping after that. */
async function scannerRemoved() {
  door.stop();
  forgetKey();
  connect(undefined);
  tallyStore = await store.textStore('tally');
  setTally(emptyTally(undefined));
  stopCamera();
  $('paired-with').textContent = 'This scanner was removed. Pair it again.';
  show('settings');
}

const door = createDoor({
  store,
  api: () => client,
  answerTimeoutMs,
  events: {
    onState: showState,
    onRemoved: () => void scannerRemoved(),
    onRefusedUpload(code, error) {
      const time = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      setTally(note(tally, `${time} Upload refused · ${code} · ${error}`));
    },
  },
});
/** The last admit on screen, which "Undo" takes back. */
let undoable: Decision | undefined;

function show(screen: 'scan' | 'settings') {
  $('scan').hidden = screen !== 'scan';
  $('settings').hidden = screen !== 'settings';
}

function showVerdict(code: string, verdict: Verdict, decision?: Decision) {
  const panel = $('verdict');
  undoable = verdict.tone === 'admit' ? decision : undefined;
  $('undo').hidden = undoable === undefined;
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
  saveTally(tallyStore, tally);
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

const flow = createScanFlow(door, () => device, { onVerdict: showVerdict });

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
  setTally(loadTally(tallyStore, storedKey()));
  if (!client) {
    if (!$('paired-with').textContent?.startsWith('This scanner was removed')) {
      $('paired-with').textContent =
        'Not paired: open a door pairing link (`pnpm admin device create --qr`), or paste a scan key.';
    }
    show('settings');
    return false;
  }
  // On Wi-Fi that answers nothing, do not wait to show whom the scanner is paired with: scan.
  const me = await client
    .me({ signal: AbortSignal.timeout(PAIRING_CHECK_MS) })
    .catch(() => undefined);
  $('tenant').textContent = me?.ok ? me.data.tenant.name : 'Passgate';
  $('paired-with').textContent = me?.ok
    ? `Paired with ${me.data.tenant.name} · ${me.data.device ? `door ${me.data.device.name}` : `key ${me.data.key?.prefix}… (${me.data.key?.scope})`}`
    : 'Paired; the server is not reachable right now';
  if (me?.ok && me.data.device) device = me.data.device.name;
  if (me && !me.ok && me.status === 401) {
    await scannerRemoved();
    return false;
  }
  return true;
}

$('verdict').addEventListener('click', () => {
  $('verdict').hidden = true;
});
$('undo').addEventListener('click', async (event) => {
  event.stopPropagation();
  const decision = undoable;
  if (!decision) return;
  undoable = undefined;
  $('undo').hidden = true;
  await door.undo(decision);
  const time = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  setTally(uncount(tally, `${time} Undone`));
  showVerdict('', undone);
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
  $<HTMLInputElement>('timeout-input').value = String(answerTimeoutMs() / 1000);
  show('settings');
});
$('timeout-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const seconds = Number($<HTMLInputElement>('timeout-input').value);
  if (!(seconds >= 0.5 && seconds <= 30)) return;
  localStorage.setItem('passgate.answerTimeoutMs', String(Math.round(seconds * 1000)));
  if (client) show('scan');
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
$('sync-now').addEventListener('click', () => void door.sync());
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
  door.stop();
  forgetKey();
  void store.clear().then(refreshPairing);
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
  if (key !== storedKey()) await store.clear();
  saveKey(key);
  $<HTMLInputElement>('key-input').value = '';
  error.hidden = true;
  if (await refreshPairing()) start();
});

function start() {
  show('scan');
  door.start();
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
    void door.sync();
  }
});

/** Whom a key belongs to, in words, or undefined when the server cannot say right now. */
async function describeKey(key: string): Promise<string | undefined> {
  const me = await createDoorApi({ baseUrl: location.origin, apiKey: key })
    .me({ signal: AbortSignal.timeout(PAIRING_CHECK_MS) })
    .catch(() => undefined);
  return me?.ok ? `${me.data.tenant.name} (key ${me.data.key?.prefix}…)` : undefined;
}

/** Pairs with a new credential: what the scanner held for the old one goes. */
async function takeKey(key: string) {
  if (key === storedKey()) return;
  door.stop();
  await store.clear();
  tallyStore = await store.textStore('tally');
  saveKey(key);
}

/**
 * Pairs through a door link (`#pair=TOKEN`, exchanged once for the device's credential) or a key
 * link (`#key=2pk_…`). A scanner that is paired already asks first, naming its tenant (and, for
 * a key link, the new one): a link for another tenant (or a mistaken one) would otherwise take
 * the door's scanner away without anyone noticing.
 */
async function pairFromLink(): Promise<boolean> {
  const token = pairingTokenFromFragment();
  const key = token ? undefined : keyFromFragment();
  if (!token && !key) return false;
  const current = storedKey();
  if (current && current !== key) {
    const [now, next] = await Promise.all([
      describeKey(current),
      key ? describeKey(key) : Promise.resolve('a new door of this link'),
    ]);
    const question =
      `This scanner is paired with ${now ?? 'a key'}. ` +
      `Pair it with ${next ?? 'a key the server cannot confirm right now'} instead? ` +
      'What it holds (its pass list, its counters and last scans) starts afresh.';
    if (!window.confirm(question)) return false;
  }
  if (key) {
    await takeKey(key);
    return true;
  }
  const paired = await createDoorApi({ baseUrl: location.origin, headers: deviceTime })
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
  device = paired.data.device.name;
  localStorage.setItem('passgate.device', device);
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

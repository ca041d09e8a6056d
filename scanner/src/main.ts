// The scanner's page: the door, the camera and the screens put together. What each part does
// lives in its own module: the door (door.ts), pairing (pairing-flow.ts), the settings screen
// (settings.ts), the verdict panel (verdict-view.ts) and the counters (tally-view.ts).

import { registerSW } from 'virtual:pwa-register';
import { createDoorApi, type DoorApi } from './api';
import {
  askCameraEarly,
  type Camera,
  decodeFrames,
  openCamera,
  releaseEarlyCamera,
} from './camera';
import { describeState } from './describe';
import { createDoor, type DoorState } from './door';
import { keepScreenOn, letScreenSleep, unlockAudio } from './feedback';
import { forgetKey, storedKey } from './pairing';
import { createPairing } from './pairing-flow';
import { createScanFlow } from './scan-flow';
import { $, clockTime, show } from './screen';
import { createSettings, wireSettingsScreen } from './settings';
import { DoorStore } from './store';
import { emptyTally, note } from './tally';
import { createTallyView } from './tally-view';
import { createVerdictView } from './verdict-view';

/** Opened by a pairing link (`#pair=…` or `#key=…`). */
const linked = /(?:^#|&)(?:key|pair)=/.test(location.hash);
// A paired scanner (or one opened by its pairing link) asks for the camera first, so that the
// phone starts it while the page opens its store and asks the server whom it belongs to.
if (storedKey() || linked) askCameraEarly('environment');

const settings = createSettings();
const store = DoorStore.opening();
const tally = createTallyView(store);
let client: DoorApi | undefined;
let camera: Camera | undefined;
let stopDecoding: (() => void) | undefined;
let facing: 'environment' | 'user' = 'environment';
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
function scannerRemoved() {
  door.stop();
  forgetKey();
  connect(undefined);
  stopCamera();
  $('paired-with').textContent = 'This scanner was removed. Pair it again.';
  show('settings');
  // The counters start afresh once the cleared store is read; the screen need not wait for it.
  void tally.reopen();
  void tally.update(() => emptyTally(undefined));
}

const door = createDoor({
  store,
  api: () => client,
  answerTimeoutMs: settings.answerTimeoutMs,
  events: {
    onState: showState,
    onRemoved: scannerRemoved,
    onRefusedUpload(code, error) {
      const line = `${clockTime()} Upload refused · ${code} · ${error}`;
      void tally.update((current) => note(current, line));
    },
  },
});
const verdicts = createVerdictView({ tally, undo: (decision) => door.undo(decision) });
const flow = createScanFlow(door, settings, { onVerdict: verdicts.show });

/**
 * Whose door this is, which, where, and which way it lets passes through: on the scan screen at
 * all times, online or not. Exit mode turns the screen's frame and banner orange, so staff
 * cannot miss it.
 */
function showWhere() {
  $('tenant').textContent = settings.tenant() ?? 'Passgate';
  const location = settings.location();
  $('door-name').textContent = location
    ? `${settings.device()} · ${location.name}`
    : settings.device();
  const direction = settings.direction();
  document.body.dataset.direction = direction;
  $('direction').textContent = direction === 'exit' ? 'EXIT · letting guests out' : 'ENTRY';
  $('switch-direction').textContent = direction === 'exit' ? 'Switch to entry' : 'Switch to exit';
}
$('switch-direction').addEventListener('click', () => {
  settings.setDirection(settings.direction() === 'exit' ? 'entry' : 'exit');
});
settings.onChange(showWhere);
showWhere();
const pairing = createPairing({
  store,
  door,
  settings,
  tally,
  connect,
  client: () => client,
  removed: scannerRemoved,
  headers: deviceTime,
  onPaired: start,
});
wireSettingsScreen({
  door,
  settings,
  tally,
  paired: () => client !== undefined,
  unpair() {
    door.stop();
    forgetKey();
    void store.clear().then(pairing.refresh);
  },
});

/** Counts the camera's stops: a camera that opens after a stop asked meanwhile is let go. */
let cameraStops = 0;

function stopCamera() {
  cameraStops++;
  stopDecoding?.();
  stopDecoding = undefined;
  camera?.stop();
  camera = undefined;
}

async function startCamera() {
  stopCamera();
  const stops = cameraStops;
  const problem = $('camera-problem');
  if (!window.isSecureContext) {
    // Browsers give a page its camera only at an https:// address (or on localhost).
    problem.textContent =
      'The camera works only at an https:// address, and this one is not. Ask whoever runs Passgate for its https:// link. Type codes below meanwhile.';
    problem.hidden = false;
    return;
  }
  try {
    const opened = await openCamera($<HTMLVideoElement>('video'), facing);
    // Stopped while it opened: the server refused the key, or staff switched away.
    if (stops !== cameraStops) return opened.stop();
    camera = opened;
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

// The service worker vite-plugin-pwa made: a new build served installs on a visit, and this page
// then reloads into it.
registerSW({ immediate: true });
// Which build this is: the hash in the name of this script's built file.
$('build').textContent = /-([\w-]+)\.js$/.exec(import.meta.url)?.[1] ?? 'development';
// A pairing link opened in this very tab changes only the fragment: no page load follows.
window.addEventListener('hashchange', async () => {
  if ((await pairing.fromLink()) && (await pairing.refresh())) start();
});
if (storedKey() && !linked) {
  // A paired scanner scans at once: the camera and the first verdict wait neither for the phone's
  // storage to open nor for the server to say whom the scanner belongs to. `refresh` connects with
  // the stored key before it asks, and on a 401 it takes the scanner back to pairing.
  void pairing.refresh();
  start();
} else {
  await pairing.fromLink();
  if (await pairing.refresh()) start();
  else releaseEarlyCamera();
}

import type { Tone } from './describe';

let audio: AudioContext | undefined;

/** Browsers only play sound after a user gesture: call this from the first tap. */
export function unlockAudio() {
  audio ??= new AudioContext();
  void audio.resume();
}

function beep(frequency: number, start: number, length: number) {
  if (!audio) return;
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = frequency;
  oscillator.connect(gain).connect(audio.destination);
  gain.gain.setValueAtTime(0.3, audio.currentTime + start);
  oscillator.start(audio.currentTime + start);
  oscillator.stop(audio.currentTime + start + length);
}

/** One high beep and a short buzz to admit; two low beeps and a long buzz to reject. */
export function signal(tone: Tone) {
  if (tone === 'admit') {
    beep(1320, 0, 0.15);
    navigator.vibrate?.(80);
  } else if (tone === 'reject') {
    beep(220, 0, 0.2);
    beep(220, 0.3, 0.2);
    navigator.vibrate?.([200, 100, 200]);
  }
}

let screenLock: WakeLockSentinel | undefined;

/**
 * Keeps the screen on while scanning, where the browser allows it. The browser drops the lock
 * whenever the page is hidden (another app, the screen locked), so it is asked again each time
 * scanning resumes. `data-awake` on the body says whether it is held.
 */
export async function keepScreenOn() {
  if (screenLock && !screenLock.released) return;
  try {
    screenLock = await navigator.wakeLock?.request('screen');
    if (!screenLock) return;
    document.body.dataset.awake = 'true';
    screenLock.addEventListener('release', () => {
      document.body.dataset.awake = 'false';
    });
  } catch {
    // not allowed (battery saver, no user gesture yet): the screen may dim
  }
}

export async function letScreenSleep() {
  await screenLock?.release().catch(() => undefined);
  screenLock = undefined;
}

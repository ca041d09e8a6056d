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

/** Keeps the screen on while scanning, where the browser allows it. */
export async function keepScreenOn() {
  try {
    await navigator.wakeLock?.request('screen');
  } catch {
    // not allowed (battery saver, no user gesture yet): the screen may dim
  }
}

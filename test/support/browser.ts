import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run); browser tests are skipped where it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

type CameraOptions = { video?: string; camera?: 'allowed' | 'refused'; args?: string[] };

function chromiumArgs(options: CameraOptions) {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(options.camera === 'refused'
      ? ['--deny-permission-prompts']
      : ['--use-fake-ui-for-media-stream']),
    '--use-fake-device-for-media-stream',
    ...(options.video ? [`--use-file-for-fake-video-capture=${options.video}`] : []),
    ...(options.args ?? []),
  ];
}

/**
 * Headless Chromium with a fake camera: it shows `video` (a .y4m file) or Chromium's own test
 * pattern, and camera permission is granted, or refused with `camera: 'refused'`; `args` are
 * more of Chromium's switches.
 */
export function launchChromium(options: CameraOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(options) });
}

/**
 * The same Chromium with a phone's viewport, keeping what a phone keeps between launches (local
 * storage, IndexedDB, service workers) in the folder `profile`.
 */
export function launchChromiumProfile(
  profile: string,
  options: CameraOptions = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 390, height: 844 },
    args: chromiumArgs(options),
  });
}

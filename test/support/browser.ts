import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run); browser tests are skipped where it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

/**
 * Headless Chromium with a fake camera: it shows `video` (a .y4m file) or Chromium's own test
 * pattern, and camera permission is granted, or refused with `camera: 'refused'`; `args` are
 * more of Chromium's switches.
 */
export function launchChromium(
  options: { video?: string; camera?: 'allowed' | 'refused'; args?: string[] } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
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
    ],
  });
}

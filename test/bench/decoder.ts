import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { launchChromium, launchChromiumProfile } from '../support/browser';
import { REPO_ROOT } from '../support/server';
import { qrVideo } from '../support/y4m';

const RUNS = 60;

interface FrameTimes {
  ours: number[];
  full: number[];
  oursDecoded: number;
  fullDecoded: number;
}

/**
 * In Chromium, per 1280×720 frame holding a QR: the scanner's pipeline (centre square, scaled to
 * 400 px, grayscale, decoded in its worker) against decoding the whole frame in the same worker.
 * Times include drawing, the pixel copy, the hop to the worker and the decode.
 */
export async function benchDecoder(serverUrl: string) {
  const workerFile = readdirSync(path.join(REPO_ROOT, 'scanner/dist/assets')).find((f) =>
    f.startsWith('decoder.worker'),
  );
  if (!workerFile) throw new Error('scanner/dist has no decoder worker: build the scanner first');
  const qr = await QRCode.toDataURL('AbCd1234EfGh', {
    errorCorrectionLevel: 'M',
    margin: 4,
    width: 400,
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // tsx keeps function names by wrapping them in __name(); the page needs that helper too.
    await page.addInitScript('window.__name = (fn) => fn');
    await page.goto(`${serverUrl}/scanner/`);
    const times = await page.evaluate(
      async ({ qr, workerUrl, runs }): Promise<FrameTimes> => {
        const image = new Image();
        image.src = qr;
        await image.decode();
        const frame = new OffscreenCanvas(1280, 720);
        const frameContext = frame.getContext('2d')!;
        frameContext.fillStyle = '#fff';
        frameContext.fillRect(0, 0, 1280, 720);
        frameContext.drawImage(image, 440, 160, 400, 400);
        const worker = new Worker(workerUrl, { type: 'module' });
        const decode = (pixels: Uint8ClampedArray, width: number, height: number) =>
          new Promise<string | null>((resolve) => {
            worker.onmessage = (message) => resolve(message.data.text);
            worker.postMessage({ id: 0, pixels, width, height }, [pixels.buffer]);
          });
        const grayOf = (rgba: Uint8ClampedArray) => {
          const gray = new Uint8ClampedArray(rgba.length / 4);
          for (let i = 0, j = 0; i < gray.length; i++, j += 4)
            gray[i] = (rgba[j]! * 77 + rgba[j + 1]! * 150 + rgba[j + 2]! * 29) >> 8;
          return gray;
        };
        const run = async (sx: number, sw: number, sh: number, out: number, outH: number) => {
          const started = performance.now();
          const canvas = new OffscreenCanvas(out, outH);
          const context = canvas.getContext('2d', { willReadFrequently: true })!;
          context.drawImage(frame, sx, 0, sw, sh, 0, 0, out, outH);
          const text = await decode(grayOf(context.getImageData(0, 0, out, outH).data), out, outH);
          return { ms: performance.now() - started, decoded: text !== null };
        };
        const ours = () => run(280, 720, 720, 400, 400);
        const full = () => run(0, 1280, 720, 1280, 720);
        for (let i = 0; i < 5; i++) {
          await ours();
          await full();
        }
        const result: FrameTimes = { ours: [], full: [], oursDecoded: 0, fullDecoded: 0 };
        for (let i = 0; i < runs; i++) {
          const a = await ours();
          const b = await full();
          result.ours.push(a.ms);
          result.full.push(b.ms);
          result.oursDecoded += Number(a.decoded);
          result.fullDecoded += Number(b.decoded);
        }
        return result;
      },
      { qr, workerUrl: `/scanner/assets/${workerFile}`, runs: RUNS },
    );
    for (const list of [times.ours, times.full]) list.sort((a, b) => a - b);
    return { ...times, runs: RUNS };
  } finally {
    await browser.close();
  }
}

/**
 * From opening the paired scanner to the ADMIT screen, with a fresh pass's QR in front of the
 * fake camera; and the same run's floor: from opening a page that does nothing but start the
 * camera to its first frame. The scanner is paired first, in a browser profile of its own that
 * is then closed: it is reopened as a door's phone reopens it, holding its key, its pass list and
 * its service worker, with a camera not yet started. Both times end at a moment the page records
 * (the first frame; the frame that shows ADMIT), so no polling from here adds to them.
 */
export async function benchOpenToAdmit(
  serverUrl: string,
  apiKey: string,
  newCode: () => Promise<string>,
  runs = 3,
) {
  const durations: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    const video = qrVideo(await newCode());
    // Each in a browser of its own, started afresh: a camera started once starts faster again.
    const bare = await launchChromium({ video });
    try {
      const page = await bare.newPage({ viewport: { width: 390, height: 844 } });
      const opened = Date.now();
      await page.goto(`${serverUrl}/healthz`);
      floor.push((await page.evaluate<number>(FIRST_CAMERA_FRAME)) - opened);
    } finally {
      await bare.close();
    }
    const profile = mkdtempSync(path.join(tmpdir(), 'passgate-bench-door-'));
    try {
      // Paired, with Chromium's test pattern (no code) in front of the camera.
      const pairing = await launchChromiumProfile(profile);
      const paired = pairing.pages()[0] ?? (await pairing.newPage());
      await paired.goto(`${serverUrl}/scanner/#key=${apiKey}`);
      await paired.evaluate(() => navigator.serviceWorker.ready);
      await paired.waitForFunction(() => document.getElementById('door-status')?.dataset.listFrom);
      await pairing.close();

      const door = await launchChromiumProfile(profile, { video });
      try {
        const page = door.pages()[0] ?? (await door.newPage());
        await page.addInitScript(ADMIT_SHOWN);
        const opened = Date.now();
        await page.goto(`${serverUrl}/scanner/`);
        const shown = await page.waitForFunction(
          () => (window as { admitShownAt?: number }).admitShownAt,
          undefined,
          { timeout: 30_000 },
        );
        durations.push(((await shown.jsonValue()) as number) - opened);
      } finally {
        await door.close();
      }
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }
  return { durations: durations.sort((a, b) => a - b), floor: floor.sort((a, b) => a - b) };
}

/**
 * In a page, from its start: records (as `admitShownAt`, ms since the epoch) the frame in which
 * the verdict panel first shows ADMIT.
 */
const ADMIT_SHOWN = `new MutationObserver((_, observer) => {
  const verdict = document.getElementById('verdict');
  if (verdict?.dataset.tone !== 'admit' || verdict.hidden) return;
  observer.disconnect();
  requestAnimationFrame(() => { window.admitShownAt = performance.timeOrigin + performance.now(); });
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-tone', 'hidden'] });`;

/**
 * In a page: start the camera and give the time of its first frame, in ms since the epoch.
 * (Text: see FIRST_ROW_AT.)
 */
const FIRST_CAMERA_FRAME = `(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  document.body.append(video);
  await video.play();
  await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
  return performance.timeOrigin + performance.now();
})()`;

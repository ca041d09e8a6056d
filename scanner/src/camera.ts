/** Side of the square, in pixels, that the centre crop is scaled to before decoding. */
export const DECODE_SIZE = 400;
/**
 * At most ten decodes a second. A door's camera looks at nothing for most of a shift, and
 * decoding every frame the worker can take (19 a second in headless Chromium on a 2-core
 * machine) keeps half a core busy: with the cap, that Chromium takes 0.3 of a core instead of
 * 0.55 while the scanner is open. A code in view is still read within a tenth of a second of
 * its first sharp frame.
 */
const MIN_DECODE_INTERVAL_MS = 100;

export interface Camera {
  stop(): void;
  track: MediaStreamTrack;
}

const requestStream = (facingMode: 'environment' | 'user') =>
  navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: facingMode }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });

/** The camera asked for before the page was ready to show it (`askCameraEarly`). */
let early: { facingMode: 'environment' | 'user'; stream: Promise<MediaStream> } | undefined;

/**
 * Asks for the camera now, for `openCamera` to take when the page is ready: a phone takes most
 * of a second to start its camera, and it can do that while the page reads its store and asks
 * the server whom it is paired with.
 */
export function askCameraEarly(facingMode: 'environment' | 'user') {
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) return;
  const stream = requestStream(facingMode);
  // A refusal is met again when the page opens the camera; unheld, it is no unhandled error.
  stream.catch(() => {});
  early = { facingMode, stream };
}

/** Lets go of a camera asked for early that the page will not use (the scanner is not paired). */
export function releaseEarlyCamera() {
  void early?.stream.then((stream) => {
    for (const track of stream.getTracks()) track.stop();
  });
  early = undefined;
}

/** Opens the camera (rear by default) into the visible, muted, inline video element. */
export async function openCamera(
  video: HTMLVideoElement,
  facingMode: 'environment' | 'user',
): Promise<Camera> {
  const asked = early?.facingMode === facingMode ? early.stream : undefined;
  early = undefined;
  const stream = await (asked ?? requestStream(facingMode));
  video.srcObject = stream;
  await video.play();
  const [track] = stream.getVideoTracks();
  if (!track) {
    for (const t of stream.getTracks()) t.stop();
    throw new Error('The camera gave no video');
  }
  return {
    track,
    stop() {
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

/**
 * Feeds frames to the decoder: paced by requestVideoFrameCallback (requestAnimationFrame where
 * missing), one frame in flight at a time and at most one every MIN_DECODE_INTERVAL_MS, the
 * centre square cropped, scaled to DECODE_SIZE and turned to grayscale before it crosses to the
 * worker.
 */
export function decodeFrames(
  video: HTMLVideoElement,
  worker: Worker,
  onText: (text: string) => void,
) {
  const canvas = new OffscreenCanvas(DECODE_SIZE, DECODE_SIZE);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('This browser cannot read camera frames (no 2D canvas)');
  let stopped = false;
  let inFlight = false;
  let nextId = 0;
  let lastSent = -Infinity;

  worker.onmessage = (message: MessageEvent<{ text: string | null }>) => {
    inFlight = false;
    if (message.data.text) onText(message.data.text);
  };

  const frame = () => {
    if (stopped) return;
    schedule();
    if (inFlight || video.videoWidth === 0) return;
    const now = performance.now();
    if (now - lastSent < MIN_DECODE_INTERVAL_MS) return;
    lastSent = now;
    const side = Math.min(video.videoWidth, video.videoHeight);
    const x = (video.videoWidth - side) / 2;
    const y = (video.videoHeight - side) / 2;
    context.drawImage(video, x, y, side, side, 0, 0, DECODE_SIZE, DECODE_SIZE);
    const rgba = context.getImageData(0, 0, DECODE_SIZE, DECODE_SIZE).data;
    const gray = new Uint8ClampedArray(DECODE_SIZE * DECODE_SIZE);
    for (let i = 0, j = 0; i < gray.length; i++, j += 4) {
      // biome-ignore lint/style/noNonNullAssertion: j + 2 < rgba.length, 4 bytes a pixel
      gray[i] = (rgba[j]! * 77 + rgba[j + 1]! * 150 + rgba[j + 2]! * 29) >> 8;
    }
    inFlight = true;
    worker.postMessage({ id: nextId++, pixels: gray, width: DECODE_SIZE, height: DECODE_SIZE }, [
      gray.buffer,
    ]);
  };
  const schedule = () =>
    'requestVideoFrameCallback' in video
      ? video.requestVideoFrameCallback(frame)
      : requestAnimationFrame(frame);
  schedule();
  return () => {
    stopped = true;
  };
}

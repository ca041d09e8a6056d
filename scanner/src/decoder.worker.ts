import { createFrameDecoder, type Frame } from './decode';

// Decodes grayscale frames off the main thread so the UI never stalls.
const decodeFrame = createFrameDecoder();

self.onmessage = (message: MessageEvent<Frame & { id: number }>) => {
  const started = performance.now();
  const text = decodeFrame(message.data);
  self.postMessage({ id: message.data.id, text, ms: performance.now() - started });
};

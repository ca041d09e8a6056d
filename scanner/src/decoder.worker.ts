import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
} from '@zxing/library';

// Decodes grayscale frames off the main thread so the UI never stalls.
const reader = new QRCodeReader();
const hints = new Map<DecodeHintType, unknown>([
  [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.QR_CODE]],
  [DecodeHintType.TRY_HARDER, false],
]);

self.onmessage = (
  message: MessageEvent<{ id: number; pixels: Uint8ClampedArray; width: number; height: number }>,
) => {
  const { id, pixels, width, height } = message.data;
  const started = performance.now();
  let text: string | null = null;
  try {
    const bitmap = new BinaryBitmap(
      new HybridBinarizer(new RGBLuminanceSource(pixels, width, height)),
    );
    text = reader.decode(bitmap, hints).getText();
  } catch {
    text = null; // no QR in this frame
  } finally {
    reader.reset();
  }
  self.postMessage({ id, text, ms: performance.now() - started });
};

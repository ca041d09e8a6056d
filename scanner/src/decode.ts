import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
} from '@zxing/library';

const hints = new Map<DecodeHintType, unknown>([
  [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.QR_CODE]],
  [DecodeHintType.TRY_HARDER, false],
]);

/**
 * Reads QR codes from a camera's grayscale frames, one frame at a time.
 *
 * zxing's detector cannot read about one code in thirty in a given orientation and size, however
 * sharp: scanning from the top, it takes a finder-like run in the code's data for the third
 * corner and never reaches the real one. A door's camera sees a pass the same way up and at much
 * the same size frame after frame, so such a pass might never be read. After each frame it could
 * not read, the decoder therefore looks at the next one another way: turned a further quarter,
 * and after four turns at half the size. A code in view is read within eight decoded frames
 * (0.8 s at the scanner's ten a second), and no frame costs more than one decode.
 */
export function createFrameDecoder() {
  const reader = new QRCodeReader();
  let view = 0; // 0–3: quarter turns at full size; 4–7: the same at half size
  return function decodeFrame(frame: Frame): string | null {
    const { pixels, width, height } = turned(view < 4 ? frame : halved(frame), view % 4);
    try {
      const luminance = new RGBLuminanceSource(pixels, width, height);
      return reader.decode(new BinaryBitmap(new HybridBinarizer(luminance)), hints).getText();
    } catch {
      view = (view + 1) % 8;
      return null; // no QR in this frame, or not one zxing reads this way
    } finally {
      reader.reset();
    }
  };
}

/** A grayscale frame: one byte a pixel, row by row. */
export interface Frame {
  pixels: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The frame turned clockwise by `quarterTurns` quarters (0 to 3). */
export function turned(frame: Frame, quarterTurns: number): Frame {
  if (quarterTurns === 0) return frame;
  const { pixels, width, height } = frame;
  const out = new Uint8ClampedArray(pixels.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // biome-ignore lint/style/noNonNullAssertion: x < width and y < height
      const value = pixels[y * width + x]!;
      if (quarterTurns === 1) out[x * height + (height - 1 - y)] = value;
      else if (quarterTurns === 2) out[(height - 1 - y) * width + (width - 1 - x)] = value;
      else out[(width - 1 - x) * height + y] = value;
    }
  }
  return quarterTurns === 2
    ? { pixels: out, width, height }
    : { pixels: out, width: height, height: width };
}

/** The frame at half its width and height, each pixel the mean of four. */
export function halved({ pixels, width, height }: Frame): Frame {
  const halfWidth = width >> 1;
  const halfHeight = height >> 1;
  const out = new Uint8ClampedArray(halfWidth * halfHeight);
  for (let y = 0; y < halfHeight; y++) {
    const top = 2 * y * width;
    const bottom = top + width;
    for (let x = 0; x < halfWidth; x++) {
      const a = top + 2 * x;
      const b = bottom + 2 * x;
      // biome-ignore lint/style/noNonNullAssertion: 2x + 1 < width and 2y + 1 < height
      const sum = pixels[a]! + pixels[a + 1]! + pixels[b]! + pixels[b + 1]!;
      out[y * halfWidth + x] = sum >> 2;
    }
  }
  return { pixels: out, width: halfWidth, height: halfHeight };
}

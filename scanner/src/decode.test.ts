import { describe, expect, it } from 'vitest';
import { qrImage } from '../../test/support/qr-image';
import { createFrameDecoder, type Frame, halved, turned } from './decode';

/** A 400 px square frame showing `text` black on white, 7 pixels a module. */
function frameShowing(text: string): Frame {
  const side = 400;
  const image = qrImage(text, { width: side, height: side, scale: 7, dark: 0, light: 255 });
  return { pixels: new Uint8ClampedArray(image.buffer), width: side, height: side };
}

/** Pass codes (12 of [A-Za-z0-9], as the server makes them) from a fixed seed. */
function passCodes(count: number): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let seed = 20261123;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 12 }, () => alphabet[next() % alphabet.length]).join(''),
  );
}

// zxing reads none of these the right way up at 7 px a module (it takes a finder-like run in their
// data for a corner), the last in no quarter turn either; such codes failed the scanner's browser
// test now and then.
const UNREADABLE_UPRIGHT = ['rgFN19N9xFtI', 'y47RphoqOLDM', 'JQrQNUM6ek15'];

describe('the frame decoder', () => {
  it('turns frames a quarter at a time', () => {
    // 1 2 3        4 1
    // 4 5 6   →    5 2
    //              6 3
    const frame = { pixels: Uint8ClampedArray.from([1, 2, 3, 4, 5, 6]), width: 3, height: 2 };
    expect(turned(frame, 1)).toEqual({
      pixels: Uint8ClampedArray.from([4, 1, 5, 2, 6, 3]),
      width: 2,
      height: 3,
    });
    expect(turned(frame, 2).pixels).toEqual(Uint8ClampedArray.from([6, 5, 4, 3, 2, 1]));
    expect(turned(turned(frame, 1), 3)).toEqual(frame);
  });

  it('halves frames, each pixel the mean of four', () => {
    const frame = {
      pixels: Uint8ClampedArray.from([0, 4, 8, 8, 8, 12, 0, 0]),
      width: 4,
      height: 2,
    };
    expect(halved(frame)).toEqual({ pixels: Uint8ClampedArray.from([6, 4]), width: 2, height: 1 });
  });

  it('reads every pass code within eight frames of it coming into view, whichever way up', () => {
    for (const code of [...UNREADABLE_UPRIGHT, ...passCodes(40)]) {
      for (let held = 0; held < 4; held++) {
        const frame = turned(frameShowing(code), held);
        const decodeFrame = createFrameDecoder();
        const reads = Array.from({ length: 8 }, () => decodeFrame(frame));
        expect(reads, `${code} turned ${held} quarters`).toContain(code);
      }
    }
  });

  it('reads nothing, and throws nothing, in frames without a code', () => {
    const decodeFrame = createFrameDecoder();
    const blank = { pixels: new Uint8ClampedArray(400 * 400).fill(255), width: 400, height: 400 };
    for (let i = 0; i < 5; i++) expect(decodeFrame(blank)).toBeNull();
  });
});

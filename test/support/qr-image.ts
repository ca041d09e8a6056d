import QRCode from 'qrcode';

/**
 * A grayscale image, one byte a pixel, of `text` as a QR code (error correction M, as the pass
 * page draws it) centred in a `width`×`height` frame of `light`, `scale` pixels a module; by
 * default the code and its quiet zone of 4 modules fill 60% of the shorter side.
 */
export function qrImage(
  text: string,
  options: { width: number; height: number; scale?: number; dark: number; light: number },
): Uint8Array {
  const { width, height, dark, light } = options;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const scale = options.scale ?? Math.floor((Math.min(width, height) * 0.6) / (size + 8));
  const left = Math.floor((width - size * scale) / 2);
  const top = Math.floor((height - size * scale) / 2);
  const pixels = new Uint8Array(width * height).fill(light);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!qr.modules.get(row, col)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const start = (top + row * scale + dy) * width + left + col * scale;
        pixels.fill(dark, start, start + scale);
      }
    }
  }
  return pixels;
}

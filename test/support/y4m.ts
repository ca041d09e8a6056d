import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';

/**
 * Writes a Y4M video (I420, 4:2:0) showing `text` as a QR code in the middle of a white frame,
 * for Chromium's fake camera (`--use-file-for-fake-video-capture`), which plays it in a loop.
 */
export function qrVideo(
  text: string,
  options: { width?: number; height?: number; frames?: number } = {},
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const frames = options.frames ?? 10;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const modules = qr.modules.size + 8; // with the quiet zone
  const scale = Math.floor((Math.min(width, height) * 0.6) / modules);
  const left = Math.floor((width - modules * scale) / 2);
  const top = Math.floor((height - modules * scale) / 2);

  const luma = Buffer.alloc(width * height, 235); // white (video range)
  for (let row = 0; row < qr.modules.size; row++) {
    for (let col = 0; col < qr.modules.size; col++) {
      if (!qr.modules.get(row, col)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const y = top + (row + 4) * scale + dy;
        luma.fill(16, y * width + left + (col + 4) * scale, y * width + left + (col + 5) * scale); // black
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128); // no colour
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const file = path.join(
    tmpdir(),
    `passgate-qr-${Date.now()}-${Math.random().toString(36).slice(2)}.y4m`,
  );
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
  return file;
}

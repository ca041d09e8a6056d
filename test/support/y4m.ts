import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { qrImage } from './qr-image';

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
  const luma = qrImage(text, { width, height, dark: 16, light: 235 }); // video range's black, white
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

import { createHash } from 'node:crypto';
import { MAX_IMAGE_BYTES, TEMPLATE_IMAGES, type TemplateImage } from '@passgate/shared';
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import type { Database } from '../db/schema';
import { ApiError } from '../errors';

// Template images: checked to be real PNGs of a sensible size, fitted to the size the wallets
// draw them at (sharp, libvips: decoding and resizing are not ours to write), and kept once each
// by the hash of their bytes.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Smaller than this on a side, or larger, is no logo anyone meant. */
const MIN_SIDE = 16;
const MAX_SIDE = 4096;

export interface KeptImage {
  id: string;
  png: Buffer;
  width: number;
  height: number;
}

/** The bytes of an image sent as base64 or as a `data:image/png;base64,` URL. */
export function bytesOfBase64(kind: TemplateImage, text: string): Buffer {
  const body = text.replace(/^data:image\/png;base64,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new ApiError(400, `${kind}: not base64 (send the PNG's bytes as base64, or a data: URL)`);
  }
  return Buffer.from(body, 'base64');
}

/**
 * The image fitted for its place on the card, as a PNG; 400 naming `kind` when it is not a PNG,
 * is over 512 KB, or is smaller than 16 or larger than 4096 pixels on a side.
 */
export async function fitImage(kind: TemplateImage, bytes: Buffer): Promise<KeptImage> {
  if (bytes.length > MAX_IMAGE_BYTES) throw new ApiError(400, `${kind}: at most 512 KB`);
  if (bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new ApiError(400, `${kind}: not a PNG image`);
  }
  const image = sharp(bytes, { limitInputPixels: MAX_SIDE * MAX_SIDE });
  const meta = await image.metadata().catch(() => undefined);
  if (meta?.format !== 'png' || !meta.width || !meta.height) {
    throw new ApiError(400, `${kind}: not a PNG image that can be read`);
  }
  const { width, height } = meta;
  if (Math.min(width, height) < MIN_SIDE || Math.max(width, height) > MAX_SIDE) {
    throw new ApiError(
      400,
      `${kind}: ${width}×${height} pixels; each side must be from ${MIN_SIDE} to ${MAX_SIDE}`,
    );
  }
  const size = TEMPLATE_IMAGES[kind];
  const { data, info } = await image
    .resize({
      width: size.width,
      height: size.height,
      fit: size.fit,
      withoutEnlargement: size.fit === 'inside',
    })
    .png()
    .toBuffer({ resolveWithObject: true })
    .catch(() => {
      throw new ApiError(400, `${kind}: the PNG's pixels could not be read`);
    });
  return {
    id: createHash('sha256').update(data).digest('hex'),
    png: data,
    width: info.width,
    height: info.height,
  };
}

/** Keeps an image (once: the same bytes are one row), and answers its id. */
export async function keepImage(db: Kysely<Database>, image: KeptImage): Promise<string> {
  await db
    .insertInto('images')
    .values({ id: image.id, png: image.png, width: image.width, height: image.height })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return image.id;
}

/** The image at a scale of the kept @3x one (1, 2 or 3), for a wallet's `@1x`, `@2x` files. */
export async function scaledImage(png: Uint8Array, scale: 1 | 2 | 3) {
  if (scale === 3) return Buffer.from(png);
  const meta = await sharp(png).metadata();
  const width = Math.max(1, Math.round(((meta.width ?? 3) * scale) / 3));
  return sharp(png).resize({ width }).png().toBuffer();
}

/** The public address of a kept image. */
export const imageUrl = (publicUrl: string, id: string | null) =>
  id === null ? null : `${publicUrl}/images/${id}.png`;

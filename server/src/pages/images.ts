import { Hono } from 'hono';
import type { Services } from '../services';

/** A kept image's id: the SHA-256 of its bytes, in hex. */
const IMAGE_ID = /^[0-9a-f]{64}$/;

/**
 * Template images at public addresses (`/images/{sha256}.png`): a wallet (Google's fetches a
 * logo by URL) and the dashboard's preview read them. An address names the bytes themselves, so
 * what it answers never changes and may be cached for good.
 */
export function imageRoutes({ db }: Pick<Services, 'db'>) {
  return new Hono().get('/images/:file{[0-9a-f]{64}\\.png}', async (c) => {
    const id = c.req.param('file').slice(0, -'.png'.length);
    const image = IMAGE_ID.test(id)
      ? await db.selectFrom('images').select('png').where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!image) return c.json({ error: 'No such image' }, 404);
    return c.body(Buffer.from(image.png), 200, {
      'Content-Type': 'image/png',
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
  });
}

import { z } from '@hono/zod-openapi';
import { ForeignCursorError, parseCursor, type SweepCursor } from '../domain/sweep';
import { ApiError } from '../errors';

// The query and the errors of a list followed by cursor in transaction order (domain/sweep.ts):
// the door's sync and the revocation list.

/** `cursor` and `limit` (1 to `max`), as such a list takes them. */
export const sweepQuery = (max: number) =>
  z.object({
    cursor: z.string().max(200).optional().describe('From the last answer; opaque'),
    limit: z
      .string()
      .regex(/^\d{1,5}$/, `limit must be a whole number from 1 to ${max}`)
      .pipe(z.coerce.number<string>().min(1).max(max))
      .optional()
      .meta({ type: 'integer', minimum: 1, maximum: max, pattern: undefined }),
  });

/** The cursor asked with, or a 400 when it is not one this list gave. */
export function givenCursor(text: string | undefined, id?: RegExp): SweepCursor | undefined {
  if (text === undefined) return undefined;
  const cursor = parseCursor(text, id);
  if (!cursor)
    throw new ApiError(400, 'cursor: not a cursor this list gave; ask again without one');
  return cursor;
}

/** A page read with a cursor of another database (or a restored backup) answers 400. */
export const foreignCursor = (error: unknown): never => {
  if (error instanceof ForeignCursorError) {
    throw new ApiError(400, 'cursor: not from this database; ask again without one');
  }
  throw error;
};

import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorMessages } from './messages';

beforeAll(installErrorMessages);

/** The one message a schema gives for `input`. */
const messageOf = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a failure');
  return result.error.issues.map((issue) => issue.message).join('; ');
};

// The API's tests hold the messages of its own schemas; these hold the wording of the checks
// that no schema of the API uses yet, so a new one reads like the rest from its first day.
describe('the API’s wording of Zod’s checks', () => {
  it('names the field by its own key, and what was sent instead', () => {
    const body = z.object({ items: z.array(z.object({ count: z.number() })) });
    expect(messageOf(body, { items: [{ count: 'x' }] })).toBe(
      'count must be a number, not a string',
    );
    expect(messageOf(body, { items: [{}] })).toBe('count is required');
    expect(messageOf(body, { items: [{ count: [] }] })).toBe(
      'count must be a number, not an array',
    );
    expect(messageOf(z.object({ on: z.boolean() }), { on: null })).toBe(
      'on must be true or false, not null',
    );
  });

  it('words exclusive bounds, sets, multiples and literals', () => {
    const amount = z.object({ amount: z.number().gt(0).lt(10).multipleOf(0.5) });
    expect(messageOf(amount, { amount: 0 })).toBe('amount must be more than 0');
    expect(messageOf(amount, { amount: 10 })).toBe('amount must be less than 10');
    expect(messageOf(amount, { amount: 0.3 })).toBe('amount must be a multiple of 0.5');
    expect(messageOf(z.object({ tags: z.set(z.string()).min(2) }), { tags: new Set(['a']) })).toBe(
      'tags must have at least 2 items',
    );
    expect(messageOf(z.object({ v: z.literal(1) }), { v: 2 })).toBe('v must be one of 1');
    expect(messageOf(z.object({ site: z.url() }), { site: 'nope' })).toBe('site must be a URL');
  });

  it('leaves a message that a schema words itself alone', () => {
    expect(messageOf(z.object({ n: z.string().max(1, 'too long, sorry') }), { n: 'ab' })).toBe(
      'too long, sorry',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { nextAttemptAt, parseRetryAfter } from './schedule';

const STANDARD = [5, 300, 1800, 7200, 18000, 36000, 36000];
const NOW = new Date('2030-01-01T00:00:00Z');
const after = (date: Date | undefined) =>
  date ? (date.getTime() - NOW.getTime()) / 1000 : undefined;

describe('the retry schedule', () => {
  it('follows Standard Webhooks: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up', () => {
    const delays = Array.from({ length: 8 }, (_, i) => after(nextAttemptAt(i + 1, STANDARD, NOW)));
    expect(delays).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000, undefined]);
  });

  it('waits longer when the receiver asks for it, never shorter', () => {
    expect(after(nextAttemptAt(1, STANDARD, NOW, 120))).toBe(120);
    expect(after(nextAttemptAt(2, STANDARD, NOW, 1))).toBe(300);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', NOW)).toBe(60);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

/**
 * When to try a failed delivery again: after `retrySchedule[attempts - 1]` seconds, or later if
 * the receiver asked for more with Retry-After; undefined once the schedule is used up.
 */
export function nextAttemptAt(
  attempts: number,
  retrySchedule: readonly number[],
  now: Date,
  retryAfterSeconds?: number,
): Date | undefined {
  const delay = retrySchedule[attempts - 1];
  if (delay === undefined) return undefined;
  const seconds = Math.max(delay, retryAfterSeconds ?? 0);
  return new Date(now.getTime() + seconds * 1000);
}

/** Retry-After as delta-seconds or an HTTP date, in whole seconds from `now`. */
export function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

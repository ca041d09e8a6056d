import { z } from 'zod';

const DATE_PART = /^(\d{4})-(\d{2})-(\d{2})/;

function isRealCalendarDay(value: string): boolean {
  const match = DATE_PART.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth;
}

/**
 * An ISO 8601 date-time with a zone (`2025-06-01T00:00:00Z`) or a plain date (see `instantOf`), in
 * years 1 to 9999 once in UTC: PostgreSQL has no year 0, and an answer's `toISOString()` form has
 * four-digit years.
 */
const DateTimeWithZone = z.iso.datetime({ offset: true });
const PlainDate = z.iso.date();

function inPostgresYears(value: string): boolean {
  const year = new Date(value).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

export const IsoDate = z
  .string({ error: 'expected an ISO 8601 date string' })
  .refine(
    (value) =>
      (DateTimeWithZone.safeParse(value).success || PlainDate.safeParse(value).success) &&
      isRealCalendarDay(value) &&
      inPostgresYears(value),
    { message: 'expected an ISO 8601 date such as "2025-06-01T00:00:00Z"' },
  )
  .meta({ format: 'date-time', example: '2025-12-31T23:59:59Z' });

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The instant an `IsoDate` names. A plain date is a whole day in UTC: its first moment where it
 * starts a period (`validFrom`), its last where it ends one (`validUntil: "2026-12-31"` is valid
 * all of New Year's Eve, as the contract's own example, `2025-12-31T23:59:59`, is).
 */
export function instantOf(value: string, plainDate: 'start' | 'end'): Date {
  if (!PLAIN_DATE.test(value)) return new Date(value);
  return new Date(`${value}T${plainDate === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`);
}

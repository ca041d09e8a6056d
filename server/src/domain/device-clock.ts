/** A phone's clock within this of the server's is taken as it is. */
const CLOCK_TOLERANCE_MS = 60_000;

/**
 * When something a phone did while offline (a scan, an undo) happened, on the server's clock.
 * The phone says when by its own clock, and with `X-Device-Time` what its clock reads as it
 * sends: a clock more than a minute off is corrected by that skew. A time still ahead of the
 * server's is taken as now. Never refused for its clock: an admit that is not recorded could be
 * admitted again elsewhere. `correctedMs` says how far the time was moved (null: not at all).
 */
export function onServerClock(
  reported: Date,
  deviceNow: Date | null,
  now: Date,
): { at: Date; correctedMs: number | null } {
  const skew = deviceNow ? deviceNow.getTime() - now.getTime() : 0;
  let at = Math.abs(skew) > CLOCK_TOLERANCE_MS ? reported.getTime() - skew : reported.getTime();
  at = Math.min(at, now.getTime());
  const moved = at - reported.getTime();
  return { at: new Date(at), correctedMs: moved === 0 ? null : moved };
}

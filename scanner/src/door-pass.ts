import type { ScanAnswer } from '@passgate/shared';
import { decideScan, type ScannablePass, unadmit } from '@passgate/shared/core';
import { moved } from './door-place';
import type { DoorPass, Queued, QueuedScan } from './store';

// The door's copy of a pass: the scan rule's view of it, what an admit on the phone makes of it,
// what the server's answer makes of it; and the phone's clock against the server's.

/** The scan rule's view of a door's pass: the same fields, its validity as instants. */
export const rulePass = (pass: DoorPass): ScannablePass => ({
  type: pass.type,
  status: pass.status,
  usagesCount: pass.usagesCount,
  maxUsages: pass.maxUsages,
  validFrom: pass.validFrom ? new Date(pass.validFrom) : null,
  validUntil: pass.validUntil ? new Date(pass.validUntil) : null,
  locationId: pass.locationId ?? null,
});

/** A pass after one admit on this phone. */
export function admitted(pass: DoorPass, at: string): DoorPass {
  const { pass: after } = decideScan(rulePass(pass), new Date(at));
  return { ...pass, usagesCount: after.usagesCount, status: after.status, lastAdmittedAt: at };
}

/** A pass after an admit on this phone is undone, by the rule the server's annul follows. */
export function undone(pass: DoorPass): DoorPass {
  const after = unadmit(rulePass(pass));
  return { ...pass, usagesCount: after.usagesCount, status: after.status };
}

/**
 * The pass as the server's answer left it, for the door's copy: a successful scan that counted
 * somewhere took it in or out there.
 */
export function fromAnswer(answer: ScanAnswer, previous: DoorPass | undefined): DoorPass {
  const { pass, scan } = answer;
  const stored =
    pass.status === 'expired'
      ? (previous?.status ?? 'active')
      : (pass.status as DoorPass['status']);
  return {
    code: pass.code,
    type: pass.type,
    status: stored,
    validFrom: pass.validFrom,
    validUntil: pass.validUntil,
    maxUsages: pass.maxUsages,
    usagesCount: pass.usagesCount,
    lastAdmittedAt: pass.lastAdmittedAt,
    name: pass.name,
    clientName: pass.clientName,
    locationId: pass.locationId,
    inside:
      answer.success && scan.locationId !== null
        ? scan.direction === 'entry'
        : (previous?.inside ?? null),
  };
}

/**
 * This phone's clock against the server's, from an answer's `Date` header (whole seconds): the
 * phone's time halfway through the request, less the server's. Undefined without the header.
 */
export function clockSkewOf(dateHeader: string | null, sentAt: number, receivedAt: number) {
  const server = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  if (Number.isNaN(server)) return undefined;
  return Math.round((sentAt + receivedAt) / 2 - server);
}

/**
 * The successful scans still queued for a pass, applied on top of the server's copy of it: the
 * uses they counted, and where they left it (in or out).
 */
export function withQueuedScans(queued: readonly Queued[]) {
  const pending = queued.filter(
    (entry): entry is QueuedScan => entry.kind === 'scan' && entry.localResult === 'success',
  );
  return (pass: DoorPass) =>
    pending
      .filter((entry) => entry.code === pass.code)
      .reduce((copy, entry) => {
        const counted = entry.counted !== false ? admitted(copy, entry.scannedAt) : copy;
        return entry.countsAt === undefined
          ? counted
          : moved(counted, entry.countsAt, entry.direction ?? 'entry');
      }, pass);
}

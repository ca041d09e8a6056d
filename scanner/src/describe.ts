import type { ScanAnswer } from '@passgate/shared';
import { PASS_CODE_PATTERN, reportedStatus, type SignatureProblem } from '@passgate/shared/core';
import type { Decision } from './door';
import { rulePass } from './door-pass';

export type Tone = 'admit' | 'reject' | 'trouble' | 'pending';

export interface Verdict {
  tone: Tone;
  title: string;
  detail: string;
}

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const dateTime = (iso: string) =>
  new Date(iso).toLocaleString([], {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });

/**
 * When an already used pass was admitted: the time alone if that was on the day of this scan
 * (on the phone's clock), else the date too, so a ticket used yesterday does not read as if
 * it had been let in at that hour today.
 */
const admittedAt = (admitted: string, scanned: string) =>
  new Date(admitted).toDateString() === new Date(scanned).toDateString()
    ? `Admitted at ${time(admitted)}`
    : `Admitted on ${dateTime(admitted)}`;

/** What door staff read: ADMIT with who, or the reason in plain words. */
export function describeAnswer(answer: ScanAnswer): Verdict {
  const { pass } = answer;
  const who = [pass.clientName, pass.name].filter(Boolean).join(' · ') || pass.code;
  switch (answer.result) {
    case 'success':
      return { tone: 'admit', title: 'ADMIT', detail: who };
    case 'already_used':
      return {
        tone: 'reject',
        title: 'Already used',
        detail: pass.lastAdmittedAt
          ? `${admittedAt(pass.lastAdmittedAt, answer.scan.scannedAt)} · ${who}`
          : who,
      };
    case 'revoked':
      return { tone: 'reject', title: 'Revoked', detail: who };
    case 'wrong_location':
      return {
        tone: 'reject',
        title: 'Not for this place',
        detail: `Good at another location · ${who}`,
      };
    case 'not_yet_valid':
      return {
        tone: 'reject',
        title: 'Not valid yet',
        detail: pass.validFrom ? `Valid from ${dateTime(pass.validFrom)} · ${who}` : who,
      };
    case 'expired':
      return {
        tone: 'reject',
        title: 'Expired',
        detail: pass.validUntil ? `Expired ${dateTime(pass.validUntil)} · ${who}` : who,
      };
    case 'max_usages_reached':
      return {
        tone: 'reject',
        title: 'No uses left',
        detail: `${pass.usagesCount} of ${pass.maxUsages} used · ${who}`,
      };
    case 'invalid_signature':
      return signatureVerdict(answer.signature ?? 'forged', who);
  }
}

/** A signed code refused: which way it failed, in words door staff can act on. */
export function signatureVerdict(problem: SignatureProblem, who: string): Verdict {
  const detail = {
    forged: 'The code is forged or was edited: do not let in',
    unknown_key: 'Signed with a key this organiser never had: do not let in',
    retired_key: 'Signed with a retired key: ask the holder to open the pass again',
    replaced: 'A newer code replaced this one: ask the holder to open the pass again',
  }[problem];
  return { tone: 'reject', title: 'Invalid code', detail: `${detail} · ${who}` };
}

export const unknownPass: Verdict = {
  tone: 'reject',
  title: 'Unknown pass',
  detail: 'This code is not one of our passes',
};

/**
 * A code the server does not know. One shaped like a pass code is most likely a pass of another
 * organiser, and then the phone may be paired with the wrong one: say whose passes it checks.
 */
function unknownToServer(at: { code?: string; tenant?: string | undefined }): Verdict {
  if (!at.tenant || !at.code || !PASS_CODE_PATTERN.test(at.code)) return unknownPass;
  return {
    ...unknownPass,
    detail: `Not a pass of ${at.tenant}: is this phone paired to the right organiser?`,
  };
}
/** A code was read and sent, and the answer is slow to come: staff know to keep it in view. */
export const checking: Verdict = {
  tone: 'pending',
  title: 'Checking…',
  detail: 'The code was read; waiting for the server',
};
/**
 * The verdict of a decision on `at.code`, by the server or on this phone, at a door of
 * `at.tenant`. A phone's says so ("ADMIT · offline"); its unknown code says the list may be old.
 */
export function describeDecision(
  decision: Decision,
  at: { code?: string; tenant?: string | undefined } = {},
): Verdict {
  if (decision.by === 'server')
    return 'answer' in decision ? describeAnswer(decision.answer) : unknownToServer(at);
  if ('unknown' in decision) {
    const list = decision.listFrom
      ? `Not in this phone's list from ${time(decision.listFrom)}, which may be old`
      : 'This phone has no pass list yet, so it cannot check passes offline';
    return {
      tone: 'reject',
      title: 'Unknown pass · offline',
      detail: decision.recorded ? `Let out, and recorded · ${list}` : list,
    };
  }
  if ('invalid' in decision) {
    const verdict = signatureVerdict(decision.invalid, decision.code);
    return { ...verdict, title: `${verdict.title} · offline` };
  }
  const { pass, result, scannedAt } = decision;
  const verdict = describeAnswer({
    success: result === 'success',
    result,
    conflict: null,
    pass: {
      id: '',
      code: pass.code,
      name: pass.name,
      type: pass.type,
      status: reportedStatus(rulePass(pass), new Date(scannedAt)),
      usagesCount: pass.usagesCount,
      maxUsages: pass.maxUsages,
      validFrom: pass.validFrom,
      validUntil: pass.validUntil,
      clientName: pass.clientName,
      lastAdmittedAt: pass.lastAdmittedAt,
      locationId: pass.locationId,
    },
    scan: {
      id: '',
      scannedAt,
      offline: true,
      receivedAt: scannedAt,
      direction: 'entry',
      locationId: pass.locationId,
    },
  });
  // A pass the list lacks, admitted by its signed code: staff know why the phone trusts it.
  const unlisted = decision.unlisted ? " · not in this phone's list" : '';
  return { ...verdict, title: `${verdict.title} · offline${unlisted}` };
}

export const undone: Verdict = {
  tone: 'reject',
  title: 'Undone',
  detail: 'The admit was taken back: the pass may be used again',
};

/** A phone's clock this far off is worth telling door staff about. */
const CLOCK_OFF_MS = 60_000;

/**
 * The bar under the header: "Offline · 12 waiting · list from 21:04", and "· clock 7 min fast:
 * set the time to automatic" when the phone's clock is off.
 */
export function describeState(state: {
  online: boolean;
  waiting: number;
  listFrom: string | undefined;
  clockSkewMs?: number | undefined;
}): string {
  const parts = [
    state.online ? 'Online' : 'Offline',
    `${state.waiting} waiting`,
    state.listFrom ? `list from ${time(state.listFrom)}` : 'no list yet',
  ];
  const skew = state.clockSkewMs ?? 0;
  if (Math.abs(skew) > CLOCK_OFF_MS) {
    const minutes = Math.round(Math.abs(skew) / 60_000);
    parts.push(`clock ${minutes} min ${skew > 0 ? 'fast' : 'slow'}: set the time to automatic`);
  }
  return parts.join(' · ');
}

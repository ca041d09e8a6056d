import type { ScanAnswer } from '@passgate/shared';

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
  }
}

export const unknownPass: Verdict = {
  tone: 'reject',
  title: 'Unknown pass',
  detail: 'This code is not one of our passes',
};
/** A code was read and sent, and the answer is slow to come: staff know to keep it in view. */
export const checking: Verdict = {
  tone: 'pending',
  title: 'Checking…',
  detail: 'The code was read; waiting for the server',
};
export const networkTrouble = (attempt: number): Verdict => ({
  tone: 'trouble',
  title: 'No connection',
  detail: `Retrying… (attempt ${attempt + 1})`,
});
/** The server answered, with a 5xx: the phone's network is fine, so staff need not fiddle with it. */
export const serverTrouble = (attempt: number): Verdict => ({
  tone: 'trouble',
  title: 'Server trouble',
  detail: `The server cannot check passes right now (not this phone); retrying… (attempt ${attempt + 1})`,
});
export const rateLimited = (seconds: number): Verdict => ({
  tone: 'trouble',
  title: 'Too many scans',
  detail: `This scanner's key has used its scans for this minute; trying again in ${seconds} s`,
});

import type { ScanAnswer } from '@passgate/shared';
import { describe, expect, it } from 'vitest';
import { describeAnswer, describeDecision, describeState } from './describe';
import { clockSkewOf } from './door-pass';

const answer = (
  result: ScanAnswer['result'],
  pass: Partial<ScanAnswer['pass']> = {},
): ScanAnswer => ({
  success: result === 'success',
  result,
  pass: {
    id: 'pass_1',
    locationId: null,
    code: 'AbCd1234EfGh',
    name: 'Gala',
    type: 'multi',
    status: 'active',
    usagesCount: 3,
    maxUsages: 3,
    validFrom: '2030-06-01T18:00:00Z',
    validUntil: '2030-06-01T23:00:00Z',
    clientName: 'Ada',
    lastAdmittedAt: '2030-06-01T19:14:00Z',
    ...pass,
  },
  conflict: null,
  scan: {
    id: 'scan_1',
    scannedAt: '2030-06-01T19:20:00Z',
    offline: false,
    receivedAt: '2030-06-01T19:20:00Z',
    direction: 'entry',
    locationId: null,
  },
});

describe('describeAnswer', () => {
  it('says every result in plain words, with colour to match', () => {
    expect(describeAnswer(answer('success'))).toEqual({
      tone: 'admit',
      title: 'ADMIT',
      detail: 'Ada · Gala',
    });
    expect(describeAnswer(answer('revoked'))).toMatchObject({ tone: 'reject', title: 'Revoked' });
    expect(describeAnswer(answer('already_used')).detail).toMatch(/^Admitted at .+ · Ada · Gala$/);
    expect(describeAnswer(answer('not_yet_valid'))).toMatchObject({
      title: 'Not valid yet',
      detail: expect.stringMatching(/^Valid from .+ · Ada · Gala$/),
    });
    expect(describeAnswer(answer('expired'))).toMatchObject({
      title: 'Expired',
      detail: expect.stringMatching(/^Expired .+ · Ada · Gala$/),
    });
    expect(describeAnswer(answer('max_usages_reached'))).toMatchObject({
      title: 'No uses left',
      detail: '3 of 3 used · Ada · Gala',
    });
  });

  it('dates an admission from another day, and gives only the time for one from today', () => {
    const earlier = answer('already_used', { lastAdmittedAt: '2030-05-30T19:14:00Z' });
    const detail = describeAnswer(earlier).detail;
    expect(detail).toMatch(/^Admitted on .+ · Ada · Gala$/);
    expect(detail).toContain(
      new Date('2030-05-30T19:14:00Z').toLocaleString([], { day: 'numeric', month: 'short' }),
    );
    const today = describeAnswer(answer('already_used')).detail;
    expect(today).toBe(
      `Admitted at ${new Date('2030-06-01T19:14:00Z').toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} · Ada · Gala`,
    );
  });

  it('falls back to the code when the pass has no name or holder', () => {
    expect(describeAnswer(answer('success', { name: null, clientName: null })).detail).toBe(
      'AbCd1234EfGh',
    );
  });
});

describe('describeDecision', () => {
  const pass = {
    code: 'ABCDEFGHJKLM',
    type: 'single' as const,
    status: 'active' as const,
    validFrom: null,
    validUntil: null,
    maxUsages: null,
    usagesCount: 1,
    lastAdmittedAt: '2030-06-01T19:14:00Z',
    name: 'Gala',
    clientName: 'Ada',
    locationId: null,
  };

  it('says a verdict made on the phone was made offline', () => {
    expect(
      describeDecision({
        by: 'phone',
        result: 'success',
        pass,
        key: 'k',
        scannedAt: '2030-06-01T19:14:00Z',
      }),
    ).toEqual({ tone: 'admit', title: 'ADMIT · offline', detail: 'Ada · Gala' });
    const used = describeDecision({
      by: 'phone',
      result: 'already_used',
      pass: { ...pass, status: 'used' },
      key: 'k',
      scannedAt: '2030-06-01T19:20:00Z',
    });
    expect(used.title).toBe('Already used · offline');
    expect(used.detail).toMatch(/^Admitted at .+ · Ada · Gala$/);
  });

  it('asks whether the phone is paired right when the server knows a well-formed code not', () => {
    const unknown = { by: 'server', unknown: true, key: 'k' } as const;
    expect(describeDecision(unknown, { code: 'ospeXZ3ppsrC', tenant: 'Acme Events' })).toEqual({
      tone: 'reject',
      title: 'Unknown pass',
      detail: 'Not a pass of Acme Events: is this phone paired to the right organiser?',
    });
    // Not shaped like a pass code (a link, a vCard), or no tenant known yet: no such guess.
    for (const at of [
      { code: 'https://example.com/menu', tenant: 'Acme Events' },
      { code: 'ospeXZ3ppsrC' },
    ]) {
      expect(describeDecision(unknown, at).detail, JSON.stringify(at)).toBe(
        'This code is not one of our passes',
      );
    }
  });

  it('says an unknown code offline may be missing from an old list', () => {
    const verdict = describeDecision({
      by: 'phone',
      unknown: true,
      key: 'k',
      listFrom: '2030-06-01T21:04:00Z',
      recorded: false,
    });
    expect(verdict.title).toBe('Unknown pass · offline');
    expect(verdict.detail).toMatch(/^Not in this phone's list from .+, which may be old$/);
    expect(
      describeDecision({
        by: 'phone',
        unknown: true,
        key: 'k',
        listFrom: undefined,
        recorded: false,
      }).detail,
    ).toBe('This phone has no pass list yet, so it cannot check passes offline');
  });

  it('says an unknown code going out offline is let out and recorded', () => {
    const verdict = describeDecision({
      by: 'phone',
      unknown: true,
      key: 'k',
      listFrom: '2030-06-01T21:04:00Z',
      recorded: true,
    });
    expect(verdict.title).toBe('Unknown pass · offline');
    expect(verdict.detail).toMatch(/^Let out, and recorded · Not in this phone's list from /);
  });
});

describe('describeState', () => {
  it('shows the connection, the uploads waiting and the age of the list', () => {
    expect(describeState({ online: false, waiting: 12, listFrom: '2030-06-01T21:04:00Z' })).toMatch(
      /^Offline · 12 waiting · list from .+$/,
    );
    expect(describeState({ online: true, waiting: 0, listFrom: undefined })).toBe(
      'Online · 0 waiting · no list yet',
    );
  });

  it("tells door staff when the phone's clock is off by more than a minute", () => {
    const state = { online: true, waiting: 0, listFrom: undefined };
    expect(describeState({ ...state, clockSkewMs: 7 * 60_000 })).toBe(
      'Online · 0 waiting · no list yet · clock 7 min fast: set the time to automatic',
    );
    expect(describeState({ ...state, clockSkewMs: -3 * 60_000 })).toMatch(/clock 3 min slow/);
    expect(describeState({ ...state, clockSkewMs: 40_000 })).toBe(
      'Online · 0 waiting · no list yet',
    );
  });
});

describe('clockSkewOf', () => {
  it("reads the phone's clock against the server's Date header, halfway through the request", () => {
    const server = Date.parse('Sat, 05 Dec 2026 20:00:00 GMT');
    const sent = server + 7 * 60_000 - 100;
    expect(clockSkewOf('Sat, 05 Dec 2026 20:00:00 GMT', sent, sent + 200)).toBe(7 * 60_000);
    expect(clockSkewOf(null, sent, sent)).toBeUndefined();
    expect(clockSkewOf('not a date', sent, sent)).toBeUndefined();
  });
});

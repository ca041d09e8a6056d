import { describe, expect, it } from 'vitest';
import { extractPassCode, PASS_CODE_PATTERN } from './pass-code';

describe('extractPassCode', () => {
  it('takes the code out of a typed one, in groups with spaces or dashes, or of a pass link', () => {
    expect(extractPassCode(' ABCD EFGH JKMN ')).toBe('ABCDEFGHJKMN');
    expect(extractPassCode('abcd-efgh-jkmn')).toBe('abcdefghjkmn');
    expect(extractPassCode('ABCD – EFGH')).toBe('ABCD–EFGH');
    expect(extractPassCode('https://passes.example.com/p/ABCDEFGHJKMN?token=t')).toBe(
      'ABCDEFGHJKMN',
    );
    expect(PASS_CODE_PATTERN.test(extractPassCode('ABCD-EFGH-JKMN'))).toBe(true);
  });
});

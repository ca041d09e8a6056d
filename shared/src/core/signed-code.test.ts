import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractPassCode } from './pass-code';
import {
  encodeStatement,
  formatSignedCode,
  MAX_STATED_USAGES,
  parseSignedCode,
  SIGNED_CODE_MAX_LENGTH,
  type SignablePass,
  signedMessage,
  statementKey,
  statementOf,
} from './signed-code';

// The signed code's text: every pass round-trips through it, any bit flipped fails the
// signature, and the largest statement stays within 120 characters.

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signed = (pass: SignablePass, slot = 3) => {
  const statement = statementOf(pass);
  if (!statement) throw new Error('not signable');
  const bytes = encodeStatement(statement, slot);
  return formatSignedCode(bytes, sign(null, signedMessage(bytes), privateKey));
};
const verifies = (text: string) => {
  const parsed = parseSignedCode(text);
  return (
    parsed !== undefined &&
    verify(null, signedMessage(parsed.statementBytes), publicKey, parsed.signature)
  );
};

const anyDate = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2106-02-07T06:28:15Z'),
  noInvalidDate: true,
});
const anyPass: fc.Arbitrary<SignablePass> = fc.record({
  code: fc.stringMatching(/^[0-9A-Za-z]{12}$/),
  type: fc.constantFrom('single' as const, 'multi' as const),
  maxUsages: fc.option(fc.integer({ min: 1, max: 1_000_000_000 })),
  validFrom: fc.option(anyDate),
  validUntil: fc.option(anyDate),
  locationId: fc.option(fc.string({ minLength: 1, maxLength: 40 })),
});

describe('signed pass codes', () => {
  it('state every pass and read back as stated, with the slot of the key', () => {
    fc.assert(
      fc.property(anyPass, fc.integer({ min: 0, max: 7 }), (pass, slot) => {
        const text = signed(pass, slot);
        const parsed = parseSignedCode(text);
        expect(parsed?.slot).toBe(slot);
        expect(parsed?.statement).toEqual(statementOf(pass));
        expect(text.length).toBeLessThanOrEqual(SIGNED_CODE_MAX_LENGTH);
        expect(extractPassCode(` ${text} `)).toBe(text);
        expect(verifies(text)).toBe(true);
      }),
    );
  });

  it('fail verification with any one bit flipped, anywhere', () => {
    const text = signed({
      code: 'ABCDEFGHJKMN',
      type: 'multi',
      maxUsages: 10,
      validFrom: new Date('2030-01-01T00:00:00Z'),
      validUntil: new Date('2030-12-31T00:00:00Z'),
      locationId: 'loc_hall',
    });
    const bytes = Buffer.from(text.slice(4), 'base64url');
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(verifies(`PG1.${flipped.toString('base64url')}`), `bit ${bit}`).toBe(false);
    }
  });

  it('stay within 120 characters at the largest values, and state no more than a door needs', () => {
    const largest = signed({
      code: 'zzzzzzzzzzzz',
      type: 'multi',
      maxUsages: MAX_STATED_USAGES,
      validFrom: new Date('2106-02-07T06:28:15Z'),
      validUntil: new Date('2106-02-07T06:28:15Z'),
      locationId: 'loc_a-very-long-location-id-indeed',
    });
    expect(largest.length).toBe(120);
    const over = statementOf({
      code: 'ABCDEFGHJKMN',
      type: 'multi',
      maxUsages: MAX_STATED_USAGES + 1,
      validFrom: new Date('2030-01-01T00:00:00.400Z'),
      validUntil: new Date('2030-01-02T00:00:00.900Z'),
      locationId: null,
    });
    // A limit past any offline count is stated as none; validity is never widened.
    expect(over).toMatchObject({
      maxUsages: null,
      validFrom: new Date('2030-01-01T00:00:01Z'),
      validUntil: new Date('2030-01-02T00:00:00Z'),
    });
    expect(statementOf({ ...over!, code: 'not-a-code!!', locationId: null })).toBeUndefined();
  });

  it('name a statement the same under every key, and another when a fact changes', () => {
    const pass: SignablePass = {
      code: 'ABCDEFGHJKMN',
      type: 'single',
      maxUsages: null,
      validFrom: null,
      validUntil: new Date('2030-12-31T00:00:00Z'),
      locationId: null,
    };
    const key = statementKey(statementOf(pass)!);
    expect(statementKey(parseSignedCode(signed(pass, 5))!.statement)).toBe(key);
    expect(statementKey(statementOf({ ...pass, validUntil: new Date('2031-01-01') })!)).not.toBe(
      key,
    );
    expect(parseSignedCode('PG1.not-base64!')).toBeUndefined();
    expect(parseSignedCode('PG1.AAAA')).toBeUndefined();
  });
});

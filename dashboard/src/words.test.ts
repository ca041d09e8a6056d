import { describe, expect, it } from 'vitest';
import { fieldOf, inFormWords } from './words';

const PASS_FORM = {
  name: "Holder's name",
  maxUsages: 'Uses allowed',
  validFrom: 'Valid from',
  validUntil: 'Valid until',
};

describe("the API's messages in a form's words", () => {
  it('names fields by their labels, and says each once', () => {
    expect(inFormWords('validFrom must not be after validUntil', PASS_FORM)).toBe(
      'Valid from must not be after Valid until',
    );
    expect(inFormWords('maxUsages: maxUsages must be at least 1', PASS_FORM)).toBe(
      'Uses allowed must be at least 1',
    );
    expect(inFormWords('validUntil: expected an ISO 8601 date', PASS_FORM)).toBe(
      'Valid until: expected an ISO 8601 date',
    );
    expect(
      inFormWords('targetUrl must use https://', { targetUrl: 'Target URL', event: 'Event' }),
    ).toBe('Target URL must use https://');
  });

  it('leaves ordinary words alone but where they name the subject', () => {
    const users = { email: 'Email', name: 'Name' };
    expect(inFormWords('email must be an email address', users)).toBe(
      'Email must be an email address',
    );
    expect(inFormWords('name: too long, a name has at most 200 characters', PASS_FORM)).toBe(
      "Holder's name: too long, a name has at most 200 characters",
    );
    expect(inFormWords('Wrong email or password', users)).toBe('Wrong email or password');
  });

  it('finds the field a message is about, if the form has it', () => {
    expect(fieldOf('validFrom must not be after validUntil', PASS_FORM)).toBe('validFrom');
    expect(fieldOf('maxUsages: maxUsages must be at least 1', PASS_FORM)).toBe('maxUsages');
    expect(fieldOf('Pass limit reached', PASS_FORM)).toBeUndefined();
  });
});

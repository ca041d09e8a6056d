import { createHash, timingSafeEqual } from 'node:crypto';
import { customAlphabet, nanoid } from 'nanoid';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomId = customAlphabet(ALPHANUMERIC, 20);

/**
 * Resource ids carry a readable prefix, as Stripe's do: `pass_…`, `cli_…`, `wh_…`. A resource
 * names its own, in two to four lowercase letters.
 */
export const newId = (kind: Lowercase<string>) => `${kind}_${randomId()}`;

/**
 * The letters and digits of a new pass code: capitals and digits without those read for one
 * another (0 O, 1 I L; no lower case, so o and l neither). 31 of them: 12 give 59 bits.
 */
export const PASS_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * The 12-character code the QR holds. Codes issued before with the whole alphanumeric alphabet
 * keep working exactly as they are.
 */
export const newPassCode = customAlphabet(PASS_CODE_ALPHABET, 12);
export { PASS_CODE_PATTERN } from '@passgate/shared/core';

/** The unguessable token that opens a pass's public page. */
export const newPublicToken = () => nanoid(24);

export const API_KEY_PATTERN = /^2pk_[A-Za-z0-9_-]{32}$/;
export const newApiKey = () => `2pk_${nanoid(32)}`;
export const apiKeyPrefix = (key: string) => key.slice(0, 12);
/** A door pairing token: single-use, in the `#pair=` fragment of a link; only its hash is kept. */
export const newPairingToken = () => nanoid(32);
export const PAIRING_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;
/** An invitation's or a session's token: the same shape, only its hash is kept. */
export const newSecretToken = () => nanoid(32);
export const SECRET_TOKEN_PATTERN = PAIRING_TOKEN_PATTERN;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Compares two strings without leaking where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

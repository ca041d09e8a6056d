import type { PassType } from './codes';

// A signed pass code: what a door needs to decide on a pass it has never seen, in at most 120
// characters, signed by the tenant's Ed25519 key. The server signs and verifies with Node's
// crypto, the scanner verifies with @noble/ed25519; both read and write the text here.
//
//   PG1.<base64url of statement ‖ signature>
//
// The statement, big-endian:
//   10 bytes  the pass's 12-character code (base 62, 72 bits), then one bit each: multi, has
//             maxUsages, has validFrom, has validUntil, has location; then the key's slot (3 bits)
//   0–2       maxUsages as a LEB128 varint, when stated
//   4, 4      validFrom, validUntil: Unix seconds, when stated
//   3         a 24-bit tag of the location id, when stated
// The signature (64 bytes) covers `PG1` followed by the statement. No name, email or field.

export const SIGNED_CODE_PREFIX = 'PG1.';
export const SIGNED_CODE_MAX_LENGTH = 120;
/** Key slots: a tenant has at most this many keys that verify at once. */
export const SIGNING_KEY_SLOTS = 8;
/**
 * The largest `maxUsages` a code states; a larger one is stated as no limit, since no door
 * counts that many uses of one pass offline (the server still checks the real one).
 */
export const MAX_STATED_USAGES = 16_383;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODE = /^[0-9A-Za-z]{12}$/;
const SIGNATURE_BYTES = 64;
const DOMAIN = [0x50, 0x47, 0x31]; // "PG1"

/** What a signed code states of a pass. */
export interface SignedStatement {
  code: string;
  type: PassType;
  /** As stated: null for no limit, or one above `MAX_STATED_USAGES`. */
  maxUsages: number | null;
  /** Whole seconds: `validFrom` rounded up, `validUntil` down, so a door is never more lenient. */
  validFrom: Date | null;
  validUntil: Date | null;
  /** `locationTag` of the pass's location; null: every location. */
  locationTag: number | null;
}

/** The facts of a pass that a signed code states, as the API names them. */
export interface SignablePass {
  code: string;
  type: PassType;
  maxUsages: number | null;
  validFrom: Date | null;
  validUntil: Date | null;
  locationId: string | null;
}

/** A 24-bit tag of a location id (FNV-1a): a door compares it with its own location's. */
export function locationTag(locationId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < locationId.length; i++) {
    hash ^= locationId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0xffffff;
}

const MAX_SECONDS = 0xffffffff;
const seconds = (at: Date, round: 'up' | 'down') => {
  const value = (round === 'up' ? Math.ceil : Math.floor)(at.getTime() / 1000);
  return Math.min(Math.max(value, 0), MAX_SECONDS);
};

/** The statement a pass's signed code makes now; undefined when its code cannot be stated. */
export function statementOf(pass: SignablePass): SignedStatement | undefined {
  if (!CODE.test(pass.code)) return undefined;
  const stated = pass.maxUsages !== null && pass.maxUsages <= MAX_STATED_USAGES;
  return {
    code: pass.code,
    type: pass.type,
    maxUsages: pass.type === 'multi' && stated ? pass.maxUsages : null,
    validFrom: pass.validFrom ? new Date(seconds(pass.validFrom, 'up') * 1000) : null,
    validUntil: pass.validUntil ? new Date(seconds(pass.validUntil, 'down') * 1000) : null,
    locationTag: pass.locationId === null ? null : locationTag(pass.locationId),
  };
}

/** The statement's bytes, with the signing key's slot. */
export function encodeStatement(statement: SignedStatement, slot: number): Uint8Array {
  let code = 0n;
  for (const char of statement.code) code = code * 62n + BigInt(BASE62.indexOf(char));
  const flags =
    (statement.type === 'multi' ? 16 : 0) |
    (statement.maxUsages !== null ? 8 : 0) |
    (statement.validFrom ? 4 : 0) |
    (statement.validUntil ? 2 : 0) |
    (statement.locationTag !== null ? 1 : 0);
  let head = (code << 8n) | BigInt((flags << 3) | (slot & 7));
  const bytes: number[] = [];
  for (let i = 0; i < 10; i++) {
    bytes.unshift(Number(head & 0xffn));
    head >>= 8n;
  }
  if (statement.maxUsages !== null) {
    let value = statement.maxUsages;
    while (value >= 0x80) {
      bytes.push((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    bytes.push(value);
  }
  const uint32 = (value: number) =>
    bytes.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  if (statement.validFrom) uint32(statement.validFrom.getTime() / 1000);
  if (statement.validUntil) uint32(statement.validUntil.getTime() / 1000);
  if (statement.locationTag !== null) {
    const tag = statement.locationTag;
    bytes.push((tag >>> 16) & 0xff, (tag >>> 8) & 0xff, tag & 0xff);
  }
  return Uint8Array.from(bytes);
}

/** The statement in bytes, and the slot of the key said to sign it; undefined if malformed. */
export function decodeStatement(
  bytes: Uint8Array,
): { statement: SignedStatement; slot: number } | undefined {
  if (bytes.length < 10) return undefined;
  let head = 0n;
  for (let i = 0; i < 10; i++) head = (head << 8n) | BigInt(bytes[i] as number);
  const low = Number(head & 0xffn);
  const flags = low >> 3;
  let value = head >> 8n;
  let code = '';
  for (let i = 0; i < 12; i++) {
    code = BASE62[Number(value % 62n)] + code;
    value /= 62n;
  }
  if (value !== 0n) return undefined;
  let at = 10;
  const take = (count: number) => {
    if (at + count > bytes.length) throw new RangeError('short');
    let out = 0;
    for (let i = 0; i < count; i++) out = out * 256 + (bytes[at++] as number);
    return out;
  };
  try {
    let maxUsages: number | null = null;
    if (flags & 8) {
      maxUsages = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = take(1);
        maxUsages += (byte & 0x7f) * 2 ** shift;
        if (!(byte & 0x80)) break;
        if (shift >= 14) return undefined;
      }
    }
    const validFrom = flags & 4 ? new Date(take(4) * 1000) : null;
    const validUntil = flags & 2 ? new Date(take(4) * 1000) : null;
    const tag = flags & 1 ? take(3) : null;
    if (at !== bytes.length) return undefined;
    return {
      statement: {
        code,
        type: flags & 16 ? 'multi' : 'single',
        maxUsages,
        validFrom,
        validUntil,
        locationTag: tag,
      },
      slot: low & 7,
    };
  } catch {
    return undefined;
  }
}

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** What the signature covers: `PG1` and the statement. */
export const signedMessage = (statementBytes: Uint8Array) =>
  Uint8Array.from([...DOMAIN, ...statementBytes]);

/** The signed code's text. */
export const formatSignedCode = (statementBytes: Uint8Array, signature: Uint8Array) =>
  `${SIGNED_CODE_PREFIX}${toBase64Url(Uint8Array.from([...statementBytes, ...signature]))}`;

/** Whether a text is meant as a signed code (then it is checked as one, never as a plain code). */
export const isSignedCode = (text: string) => text.startsWith(SIGNED_CODE_PREFIX);

export interface ParsedSignedCode {
  statement: SignedStatement;
  slot: number;
  /** The statement's bytes as signed, and the signature over them. */
  statementBytes: Uint8Array;
  signature: Uint8Array;
}

/** A signed code taken apart; undefined when it is not one (its signature is not checked here). */
export function parseSignedCode(text: string): ParsedSignedCode | undefined {
  if (!isSignedCode(text) || text.length > SIGNED_CODE_MAX_LENGTH) return undefined;
  const bytes = fromBase64Url(text.slice(SIGNED_CODE_PREFIX.length));
  if (!bytes || bytes.length < 10 + SIGNATURE_BYTES) return undefined;
  const statementBytes = bytes.slice(0, bytes.length - SIGNATURE_BYTES);
  const decoded = decodeStatement(statementBytes);
  if (!decoded) return undefined;
  return { ...decoded, statementBytes, signature: bytes.slice(bytes.length - SIGNATURE_BYTES) };
}

/**
 * A statement as one text, whatever key signed it: what a revocation names, and what tells
 * whether a code states a pass as it stands now.
 */
export const statementKey = (statement: SignedStatement) =>
  toBase64Url(encodeStatement(statement, 0));

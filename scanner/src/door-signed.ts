import { verifyAsync } from '@noble/ed25519';
import type { Schemas } from '@passgate/client';
import {
  isSignedCode,
  locationTag,
  type ParsedSignedCode,
  parseSignedCode,
  type SignatureProblem,
  type SignedStatement,
  signedMessage,
  statementKey,
  statementOf,
} from '@passgate/shared/core';
import { rulePass } from './door-pass';
import type { DoorPlace } from './door-place';
import type { DoorPass, DoorStore } from './store';

// A signed code at a door with no server: its signature checked with the tenant's public keys
// from the last sync (@noble/ed25519, SHA-512 from WebCrypto), its statement against the pass
// list; a pass the list lacks is decided from what the code states.

export type SigningKey = Schemas['SigningKey'];

const fromBase64Url = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0));

/** Why the code does not verify with the keys this door holds; undefined when it does. */
export async function signatureProblem(
  code: ParsedSignedCode,
  keys: readonly SigningKey[],
): Promise<SignatureProblem | undefined> {
  const inSlot = keys.filter((key) => key.slot === code.slot);
  const message = signedMessage(code.statementBytes);
  for (const key of inSlot) {
    const good = await verifyAsync(code.signature, message, fromBase64Url(key.publicKey)).catch(
      () => false,
    );
    if (good) return key.retiredAt === null ? undefined : 'retired_key';
  }
  return inSlot.some((key) => key.retiredAt === null) ? 'forged' : 'unknown_key';
}

/** The statement a listed pass would be signed with now (or the code's it was made from). */
export function statementOfPass(pass: DoorPass): string | undefined {
  if (pass.statement) return pass.statement;
  const statement = statementOf({ code: pass.code, ...rulePass(pass) });
  return statement && statementKey(statement);
}

/**
 * A pass this door's list lacks, as its signed code states it: active, no use counted yet (the
 * phone's own admits of it are applied on top), good at this door's location when the code's
 * location tag is this location's, else at another.
 */
export function passOfStatement(statement: SignedStatement, at: DoorPlace): DoorPass {
  const here = at.locationId !== null && statement.locationTag === locationTag(at.locationId);
  return {
    code: statement.code,
    type: statement.type,
    status: 'active',
    usagesCount: 0,
    maxUsages: statement.maxUsages,
    validFrom: statement.validFrom?.toISOString() ?? null,
    validUntil: statement.validUntil?.toISOString() ?? null,
    lastAdmittedAt: null,
    name: null,
    clientName: null,
    locationId:
      statement.locationTag === null ? null : here ? at.locationId : `tag:${statement.locationTag}`,
    inside: null,
    statement: statementKey(statement),
  };
}

/**
 * What a scanned text names at this door: its plain code and the pass to decide (listed, or for
 * a signed code the list lacks, as the code states it; none for an unknown plain code), or why a
 * signed code is refused. A pass made from its code is stored with its first decision
 * (`recordLocal`), so the next scan of it finds it listed, this phone's admits counted.
 */
export async function passOfCode(
  store: DoorStore,
  text: string,
  at: DoorPlace,
  keys: () => Promise<readonly SigningKey[]>,
): Promise<{ code: string; invalid?: SignatureProblem; pass?: DoorPass; unlisted?: true }> {
  const signed = isSignedCode(text) ? parseSignedCode(text) : undefined;
  if (!signed) {
    const pass = (await store.pass(text)) ?? (await store.passTyped(text));
    return { code: text, ...(pass ? { pass } : {}) };
  }
  const code = signed.statement.code;
  const invalid = await signatureProblem(signed, await keys());
  if (invalid) return { code, invalid };
  const listed = await store.pass(code);
  if (!listed) return { code, pass: passOfStatement(signed.statement, at), unlisted: true };
  return statementOfPass(listed) === statementKey(signed.statement)
    ? { code, pass: listed }
    : { code, invalid: 'replaced' };
}

import { isSignedCode } from './signed-code';

/** What every pass code is: 12 letters and digits. */
export const PASS_CODE_PATTERN = /^[A-Za-z0-9]{12}$/;

/**
 * Take the pass code out of what a QR holds or staff typed: the code itself (spaces and dashes
 * anywhere are dropped, since a code has none and people type it in groups: `ABCD-EFGH-JKMN`),
 * or a pass page URL (`…/p/CODE?token=…`). A signed code (`PG1.…`) is returned whole. Anything
 * else is returned so, for the server to call unknown.
 */
export function extractPassCode(text: string): string {
  const trimmed = text.trim();
  if (isSignedCode(trimmed)) return trimmed;
  const match = /\/p\/([A-Za-z0-9]+)(?:[?#/]|$)/.exec(trimmed);
  return match?.[1] ?? trimmed.replace(/[\s-]+/g, '');
}

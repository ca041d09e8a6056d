import { z } from 'zod';

// Zod's messages for any check that a schema here does not word itself: every 400 of the API names
// the field and what was expected in the same words ("value must be at most 2000 characters"),
// not in Zod's own ("Too big: expected string to have <=2000 characters"). A message a schema
// gives (`.max(200, 'name must be …')`, `z.string({ error })`) still wins over these.

type Issue = z.core.$ZodRawIssue;

/** The field an issue is about, by its own name: `customFields.0.value` → `value`. */
function fieldOf(path: readonly PropertyKey[] | undefined): string {
  const key = [...(path ?? [])].reverse().find((part) => typeof part === 'string');
  return typeof key === 'string' ? key : 'value';
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** What was sent instead, as the message's tail: ", not a string", ", not 1.5"; none for NaN. */
function insteadOf(input: unknown): string {
  if (typeof input === 'number') return Number.isNaN(input) ? '' : `, not ${input}`;
  if (input === null) return ', not null';
  if (Array.isArray(input)) return ', not an array';
  if (typeof input === 'object') return ', not an object';
  if (typeof input === 'boolean') return `, not ${input}`;
  return `, not a ${typeof input}`;
}

const FORMATS: Record<string, string> = {
  email: 'a valid email address',
  url: 'a URL',
};

function limit(issue: Issue & { code: 'too_big' | 'too_small' }, field: string): string {
  const bound = issue.code === 'too_big' ? issue.maximum : issue.minimum;
  const most = issue.code === 'too_big';
  switch (issue.origin) {
    case 'string':
      if (!most && Number(bound) === 1) return `${field} must not be empty`;
      return `${field} must be at ${most ? 'most' : 'least'} ${bound} characters`;
    case 'array':
    case 'set':
      return `${field} must have at ${most ? 'most' : 'least'} ${bound} items`;
    default:
      if (issue.inclusive === false)
        return `${field} must be ${most ? 'less' : 'more'} than ${bound}`;
      return `${field} must be at ${most ? 'most' : 'least'} ${bound}`;
  }
}

/** The message for an issue whose schema did not word its own, or undefined for Zod's. */
export function issueMessage(issue: Issue): string | undefined {
  const field = fieldOf(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${field} is required`;
      return `${field} must be ${EXPECTED[issue.expected] ?? issue.expected}${insteadOf(issue.input)}`;
    case 'too_big':
    case 'too_small':
      return limit(issue, field);
    case 'invalid_format':
      return `${field} must be ${FORMATS[issue.format] ?? `in the ${issue.format} format`}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'not_multiple_of':
      return `${field} must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

/**
 * Makes every check's message the API's own wording (see `issueMessage`). Zod's configuration is
 * global: the server calls this once at start, before it reads its configuration; importing the
 * schemas changes nothing by itself.
 */
export function installErrorMessages(): void {
  z.config({ customError: issueMessage });
}

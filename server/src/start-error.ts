/**
 * A start (of the server or of the admin CLI) that cannot go on for a reason the operator can
 * put right: a bad variable, a port or a DATA_DIR taken, a database or Redis out of reach. It is
 * printed as its message alone, without a stack.
 */
export class StartError extends Error {}

/**
 * One line for a start that failed unexpectedly: the error's message (PGlite rejects with plain
 * objects too), with its code where it has one. The stack only at LOG_LEVEL=debug.
 */
export function describeStartFailure(error: unknown): string {
  const { message, code } = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
  };
  let text: string;
  if (typeof message === 'string' && message) text = message;
  else if (typeof error === 'string') text = error;
  else {
    try {
      text = JSON.stringify(error) ?? String(error);
    } catch {
      text = String(error);
    }
  }
  const firstLine = text.split('\n')[0]?.trim() || 'unknown error';
  return `Passgate failed to start: ${firstLine}${typeof code === 'string' ? ` (${code})` : ''}`;
}

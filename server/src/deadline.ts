/**
 * The promise's outcome, or a rejection with `late()` once `ms` have passed without one. The
 * promise itself runs on; `late` is where to stop it, if it can be stopped.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

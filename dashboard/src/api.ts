import { createPassgateClient, type Schemas } from '@passgate/client';

export type { Schemas };

/** The API on this origin; requests carry the session cookie. */
export const api = createPassgateClient({ baseUrl: location.origin });

/** An answer of the API that is not a success: its `{ error }`, and the field it names, if any. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** "validUntil: expected …" names `validUntil`. */
  get field(): string | undefined {
    return /^([A-Za-z]\w*)[\w.]*: /.exec(this.message)?.[1];
  }
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** Listeners told when the session has ended (any 401). */
const signedOutListeners = new Set<() => void>();
export const onSignedOut = (listener: () => void) => {
  signedOutListeners.add(listener);
  return () => {
    signedOutListeners.delete(listener);
  };
};

/** The data of a successful answer; else throws its `ApiFailure` (and a 401 signs out). */
export async function must<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    throw new ApiFailure(0, 'The server cannot be reached: check the connection and try again');
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const message =
    error && typeof error === 'object' && typeof (error as { error?: unknown }).error === 'string'
      ? (error as { error: string }).error
      : `The server answered ${response.status}`;
  if (response.status === 401) for (const listener of signedOutListeners) listener();
  throw new ApiFailure(response.status, message);
}

/** `X-Total-Count` of a list answer. */
export async function mustList<T>(call: Promise<Answer<T>>): Promise<{ rows: T; total: number }> {
  const answer = await call;
  const rows = await must(Promise.resolve(answer));
  return { rows, total: Number(answer.response.headers.get('X-Total-Count') ?? 0) };
}

import { createPassgateClient, type paths, type Schemas } from '@passgate/client';
import { MutationCache, QueryClient, useQuery } from '@tanstack/react-query';
import createQueryHooks from 'openapi-react-query';

export type { Schemas };

/** An answer of the API that is not a success: its status and its `{ error }`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Listeners told when the session has ended (any 401). */
const signedOutListeners = new Set<() => void>();
export const onSignedOut = (listener: () => void) => {
  signedOutListeners.add(listener);
  return () => {
    signedOutListeners.delete(listener);
  };
};

/**
 * The API on this origin; requests carry the session cookie. A call that does not succeed
 * rejects with its `ApiFailure` (status 0: the server could not be reached), and a 401 tells the
 * `onSignedOut` listeners; a call that resolves has its `data`.
 */
export const api = createPassgateClient({ baseUrl: location.origin });
api.use({
  async onResponse({ response }) {
    if (response.ok) return undefined;
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => undefined);
    const message =
      body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string'
        ? (body as { error: string }).error
        : `The server answered ${response.status}`;
    if (response.status === 401) for (const listener of signedOutListeners) listener();
    throw new ApiFailure(response.status, message);
  },
  onError() {
    return new ApiFailure(0, 'The server cannot be reached: check the connection and try again');
  },
});

/** The data of a call that succeeded (a failure has rejected already). */
export const must = async <T>(call: Promise<{ data?: T }>): Promise<T> => (await call).data as T;

/**
 * What the pages have read, kept while the tab is open (TanStack Query): a page opened again
 * shows it at once and reads it again behind. Every successful write marks all of it stale, and
 * what is on screen is read again before the write's promise settles, so no page shows what a
 * write changed. Only a failure to reach the server, or its 5xx, is tried again.
 */
export const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) =>
        count < 2 && error instanceof ApiFailure && (error.status === 0 || error.status >= 500),
    },
  },
  mutationCache: new MutationCache({
    onSuccess: (): Promise<void> => queryClient.invalidateQueries(),
  }),
});

/** Typed TanStack Query hooks over `api` (openapi-react-query): `$api.useQuery('get', '/keys')`. */
export const $api = createQueryHooks(api);

/** The list operations whose answer says how many there are in all (`X-Total-Count`). */
type CountedList = '/passes' | '/clients';
type ListQuery<P extends CountedList> = NonNullable<paths[P]['get']['parameters']['query']>;
type ListRow<P extends CountedList> = Schemas[P extends '/passes' ? 'PassListItem' : 'Client'];

/** A page of a list, and how many there are in all, under the same key `$api` would give it. */
export function useCountedList<P extends CountedList>(path: P, query: ListQuery<P>) {
  const { queryKey } = $api.queryOptions('get', path as '/passes', {
    params: { query: query as ListQuery<'/passes'> },
  });
  return useQuery({
    queryKey: [...queryKey, 'counted'],
    queryFn: async ({ signal }) => {
      const { data, response } = await api.GET(path as '/passes', {
        params: { query: query as ListQuery<'/passes'> },
        signal,
      });
      const rows = data as unknown as ListRow<P>[];
      const link = response.headers.get('Link') ?? '';
      return {
        rows,
        total: Number(response.headers.get('X-Total-Count') ?? 0),
        /** The total is PostgreSQL's estimate (a list past 10,000). */
        estimated: response.headers.get('X-Total-Count-Estimated') === 'true',
        /** The keyset place of the next page, where the list gives one. */
        next: /[?&]cursor=([^&>]+)[^>]*>; rel="next"/.exec(link)?.[1],
      };
    },
    placeholderData: (previous) => previous,
  });
}

import type { Context } from 'hono';
import type { DeclaredAccess } from '../access';
import type { Caller } from '../domain/callers';
import type { IdempotencyClaim } from './idempotency';

/**
 * The context variables of every /api/v1 request: its route, as `knownRoutesOnly` found it, and
 * who calls, as `authenticate` found it (on every route but those open to anyone).
 */
export type ApiEnv = {
  Variables: {
    route: DeclaredAccess;
    caller: Caller;
    idempotency: IdempotencyClaim | undefined;
  };
};

/** Whether the request's route is open to anyone: it then has no caller. */
export const isOpenRoute = (c: Context<ApiEnv>) => c.get('route').open;

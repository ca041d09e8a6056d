import type { PassgateClient } from '@passgate/shared/client';
import { expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { clientOperations } from './clients';
import type { meOperation } from './me';
import { passOperations } from './passes';
import type { scanOperation } from './scan';

/** What a route answers on success: the output of its response schema for that status. */
type Answer<Route, Status extends number> = Route extends {
  responses: Record<Status, { content: { 'application/json': { schema: infer S } } }>;
}
  ? S extends z.ZodType
    ? z.output<S>
    : never
  : never;

/** What a client method resolves to when the call succeeds. */
type Data<Method> = Method extends (...args: never[]) => Promise<infer R>
  ? Extract<R, { ok: true }> extends { data: infer D }
    ? D
    : never
  : never;

type Client = PassgateClient;

// Checked by `pnpm typecheck`: a client method whose type is not what its route answers does not
// compile. (At run time the test only has to exist.)
it('types every client method by the answer its route declares', () => {
  expectTypeOf<Data<Client['me']>>().toEqualTypeOf<Answer<typeof meOperation, 200>>();
  expectTypeOf<Data<Client['scan']>>().toEqualTypeOf<Answer<typeof scanOperation, 200>>();
  const passes = passOperations;
  expectTypeOf<Data<Client['passes']['list']>>().toEqualTypeOf<Answer<typeof passes.list, 200>>();
  expectTypeOf<Data<Client['passes']['create']>>().toEqualTypeOf<
    Answer<typeof passes.create, 201>
  >();
  expectTypeOf<Data<Client['passes']['get']>>().toEqualTypeOf<Answer<typeof passes.get, 200>>();
  expectTypeOf<Data<Client['passes']['update']>>().toEqualTypeOf<
    Answer<typeof passes.update, 200>
  >();
  expectTypeOf<Data<Client['passes']['activate']>>().toEqualTypeOf<
    Answer<typeof passes.activate, 200>
  >();
  expectTypeOf<Data<Client['passes']['revoke']>>().toEqualTypeOf<
    Answer<typeof passes.revoke, 200>
  >();
  const clients = clientOperations;
  expectTypeOf<Data<Client['clients']['list']>>().toEqualTypeOf<Answer<typeof clients.list, 200>>();
  expectTypeOf<Data<Client['clients']['create']>>().toEqualTypeOf<
    Answer<typeof clients.create, 201>
  >();
  expectTypeOf<Data<Client['clients']['get']>>().toEqualTypeOf<Answer<typeof clients.get, 200>>();
});

import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { ACCESS, defineRoute } from './access';
import { type Caller, callerKind } from './domain/callers';
import { routeTableOf } from './middleware/route-table';
import { createRouter } from './routes/support';

const answers = { 200: { description: 'OK' } };

describe('a route declares who may call it', () => {
  it('is read back from the registry with its rate group and body limit', () => {
    const api = createRouter().openapi(
      defineRoute({
        method: 'post',
        path: '/things/{thingId}',
        operationId: 'touchThing',
        tags: ['Passes'],
        access: ACCESS.admins,
        rateGroup: 'webhooks',
        maxBodyBytes: 2048,
        summary: 'Touch a thing',
        request: { params: z.object({ thingId: z.string() }) },
        responses: answers,
      }),
      (c) => c.body(null, 200),
    );
    const [route] = routeTableOf(api, '/api');
    expect(route?.declared).toEqual({
      operationId: 'touchThing',
      method: 'POST',
      path: '/things/{thingId}',
      summary: 'Touch a thing',
      access: ['full-key', 'admin'],
      open: false,
      rateGroup: 'webhooks',
      maxBodyBytes: 2048,
    });
    expect(route?.pattern.test('/api/things/t_1')).toBe(true);
  });

  it('puts a route before one with more path parameters that its path also matches', () => {
    const route = (path: string, operationId: string) =>
      defineRoute({
        method: 'get',
        path,
        operationId,
        tags: ['Passes'],
        access: ACCESS.team,
        responses: answers,
      });
    const api = createRouter()
      .openapi(route('/things/{thingId}', 'getThing'), (c) => c.body(null, 200))
      .openapi(route('/things/export', 'exportThings'), (c) => c.body(null, 200));
    const found = routeTableOf(api, '/api').find(({ pattern }) =>
      pattern.test('/api/things/export'),
    );
    expect(found?.declared.operationId).toBe('exportThings');
  });

  it('stops the API from starting when one route declares nothing, naming it', () => {
    const api = createRouter().openapi(
      createRoute({ method: 'get', path: '/undeclared', responses: answers }),
      (c) => c.body(null, 200),
    );
    expect(() => routeTableOf(api, '/api')).toThrow(
      'GET /undeclared declares no access: define it with defineRoute',
    );
  });

  it('is a type error to leave out access or operationId', () => {
    const base = { method: 'get', path: '/x', tags: ['Passes'], responses: answers } as const;
    // @ts-expect-error: no access
    expect(() => defineRoute({ ...base, operationId: 'getX' })).toThrow();
    // @ts-expect-error: no operationId
    defineRoute({ ...base, access: ACCESS.team });
  });

  it('tells keys and users apart by scope and role', () => {
    const kindOf = (who: object) => callerKind(who as Caller);
    expect(kindOf({ key: { scope: 'full' }, user: null })).toBe('full-key');
    expect(kindOf({ key: { scope: 'scan' }, user: null })).toBe('scan-key');
    expect(kindOf({ key: null, user: { role: 'admin' } })).toBe('admin');
    expect(kindOf({ key: null, user: { role: 'staff' } })).toBe('staff');
  });
});

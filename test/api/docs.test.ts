import { SCAN_RESULTS } from '@passgate/shared';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Document, type RulesetDefinition, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { describe, expect, inject, it } from 'vitest';
import { http } from '../support/tenant';

const { url } = inject('server');

/** The parts of an operation in the document that these tests read. */
interface Operation {
  operationId?: string;
  tags?: string[];
  description?: string;
  'x-access'?: string[];
  parameters?: unknown[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const res = await http(`${url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/account',
        '/clients',
        '/clients/{clientId}',
        '/clients/{clientId}/merge',
        '/devices',
        '/devices/pair',
        '/devices/pair/preview',
        '/devices/{deviceId}',
        '/devices/{deviceId}/pairing',
        '/devices/{deviceId}/revoke',
        '/invites/accept',
        '/keys',
        '/keys/{keyId}/revoke',
        '/locations',
        '/locations/{locationId}',
        '/locations/{locationId}/archive',
        '/locations/{locationId}/reset-presence',
        '/me',
        '/passes',
        '/passes/export',
        '/passes/import',
        '/passes/import/example',
        '/passes/{passId}',
        '/passes/{passId}/activate',
        '/passes/{passId}/revoke',
        '/passes/{passId}/wallets',
        '/scan',
        '/scanner/sync',
        '/scanner/uploads',
        '/scans',
        '/scans/{scanId}/annul',
        '/scans/stream',
        '/scans/summary',
        '/session',
        '/session/password-link',
        '/signing-keys',
        '/signing-keys/revocations',
        '/signing-keys/rotate',
        '/signing-keys/{signingKeyId}/retire',
        '/templates',
        '/templates/{templateId}',
        '/templates/{templateId}/archive',
        '/templates/{templateId}/images/{kind}',
        '/triggers',
        '/users',
        '/users/{userId}',
        '/users/{userId}/invite',
        '/webhooks',
        '/webhooks/{webhookId}',
        '/webhooks/{webhookId}/deliveries',
        '/webhooks/{webhookId}/deliveries/{eventId}/retry',
        '/webhooks/{webhookId}/test',
      ].sort(),
    );
    expect(Object.keys(doc.paths['/passes'])).toEqual(expect.arrayContaining(['get', 'post']));
    // The request schema is the same zod schema that validates: its enum and required fields show.
    const create = JSON.stringify(doc.paths['/passes'].post.requestBody);
    expect(create).toContain('CreatePass');
    expect(doc.components.schemas.CreatePass.required).toEqual(['type']);
    expect(doc.components.schemas.CreatePass.properties.type.enum).toEqual(['single', 'multi']);
    expect(doc.components.schemas.ScanAnswer.properties.result.enum).toEqual([
      ...SCAN_RESULTS,
      'invalid_signature',
    ]);
    expect(doc.components.securitySchemes.bearer.scheme).toBe('bearer');
  });

  it('is a valid OpenAPI 3.1 document, every $ref resolving, as client generators need', async () => {
    const doc = (await http(`${url}/api/v1/openapi.json`)).body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // Paging numbers arrive as strings but are documented as the integers they stand for.
    const limit = doc.paths['/passes'].get.parameters.find(
      (parameter: { name: string }) => parameter.name === 'limit',
    );
    expect(limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: 100, default: 25 });
  });

  it("passes Redocly's recommended rules and Spectral's spectral:oas without a warning", async () => {
    // As a deployment serves it: its PUBLIC_URL is not localhost, which Redocly warns of.
    const served = (await http(`${url}/api/v1/openapi.json`)).text;
    const publicOrigin = new URL(JSON.parse(served).servers[0].url).origin;
    const source = served.replaceAll(publicOrigin, 'https://passgate.acme.test');
    expect(source).not.toBe(served);
    const redocly = await lintFromString({
      source,
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    expect(redocly.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([]);
    const spectral = new Spectral();
    // The ruleset's own type is narrower than what `extends` takes.
    spectral.setRuleset({ extends: [[oas as RulesetDefinition, 'recommended']] });
    const found = await spectral.run(new Document(source, Json, 'openapi.json'));
    expect(
      found.map(({ code, message, path }) => `${code}: ${message} (${path.join('.')})`),
    ).toEqual([]);
  });

  it('names each operation (operationId), groups it under a defined tag and says who may call it', async () => {
    const doc = (await http(`${url}/api/v1/openapi.json`)).body;
    const tags = (doc.tags as { name: string }[]).map(({ name }) => name);
    const operations = Object.values(doc.paths).flatMap((item) =>
      Object.values(item as Record<string, Operation>),
    );
    expect(operations.length).toBeGreaterThan(40);
    const ids = operations.map(({ operationId }) => operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const operation of operations) {
      expect(operation.operationId, JSON.stringify(operation.tags)).toMatch(/^[a-z][A-Za-z]+$/);
      expect(tags, operation.operationId).toEqual(expect.arrayContaining(operation.tags ?? ['-']));
      const access = operation['x-access'] ?? [];
      expect(access.length, operation.operationId).toBeGreaterThan(0);
      for (const kind of access) {
        expect(['anyone', 'scan-key', 'full-key', 'staff', 'admin']).toContain(kind);
      }
      // Swagger UI at /docs shows it in words in the description, and as the extension.
      expect(operation.description, operation.operationId).toMatch(/\*\*Who may call:\*\* /);
    }
    expect(doc.paths['/keys'].get['x-access']).toEqual(['full-key', 'admin']);
    expect(doc.paths['/scan'].post['x-access']).toEqual(['scan-key', 'full-key', 'staff', 'admin']);
    expect(doc.paths['/session'].post['x-access']).toEqual(['anyone']);
    expect(doc.paths['/session'].post.security).toEqual([]);
    expect(doc.paths['/passes/import'].post['x-max-body-bytes']).toBe(10 * 1024 * 1024);
    expect(doc.paths['/webhooks'].get['x-rate-limit-group']).toBe('webhooks');
    const init = await http(`${url}/docs/assets/init.js`);
    expect(init.text).toContain('showExtensions: true');
  });

  it('documents what the middleware adds to every route: Idempotency-Key and answer headers', async () => {
    const doc = (await http(`${url}/api/v1/openapi.json`)).body;
    const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>).map(([method, operation]) => ({
        name: `${method.toUpperCase()} ${path}`,
        method,
        operation,
      })),
    );
    for (const { name, method, operation } of operations) {
      const takesKey = (operation.parameters ?? []).some(
        (parameter) => JSON.stringify(parameter) === JSON.stringify(idempotencyKey),
      );
      // The routes open to anyone have no caller: no budget counted, no answer kept to replay.
      const open = operation['x-access']?.includes('anyone');
      expect(takesKey, name).toBe(method === 'post' && !open);
      if (open) continue;
      const success = Object.keys(operation.responses).find((status) => status.startsWith('2'))!;
      const headers = Object.keys(operation.responses[success]?.headers ?? {});
      expect(headers, name).toEqual(
        expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'RateLimit']),
      );
      if (operation.responses['429']) {
        expect(Object.keys(operation.responses['429'].headers ?? {}), name).toContain(
          'Retry-After',
        );
      }
    }
    expect(Object.keys(doc.paths['/passes'].get.responses['200'].headers)).toEqual(
      expect.arrayContaining(['X-Total-Count', 'Link']),
    );
    expect(Object.keys(doc.paths['/scan'].post.responses['200'].headers)).toContain(
      'Idempotent-Replayed',
    );
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({
      name: 'Idempotency-Key',
      in: 'header',
    });
    // Every header documented is one a browser may read (CORS exposes it).
    const answer = await fetch(`${url}/api/v1/passes`, {
      headers: { origin: 'https://app.example' },
    });
    const exposed = (answer.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const name of Object.keys(doc.components.headers)) {
      expect(exposed, name).toContain(name.toLowerCase());
    }
  });

  it('serves /docs with every asset from this server, so it works offline', async () => {
    const page = await http(`${url}/docs`);
    expect(page.status).toBe(200);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/'), asset).toBe(true);
      const res = await fetch(`${url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10);
    }
    // With a trailing slash, as people type it: the same page.
    const slash = await fetch(`${url}/docs/`, { redirect: 'manual' });
    expect(slash.status).toBe(301);
    expect(new URL(slash.headers.get('location') ?? '', url).pathname).toBe('/docs');
  });
});

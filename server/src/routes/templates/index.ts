import { z } from '@hono/zod-openapi';
import {
  CreateTemplateBody,
  Pagination,
  TEMPLATE_IMAGE_KINDS,
  Template,
  UpdateTemplateBody,
} from '@passgate/shared';
import type { HonoRequest } from 'hono';
import { ACCESS, defineRoute } from '../../access';
import { ApiError, notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { presentTemplate } from './present';
import { findTemplate, insertTemplate, listTemplates, updateTemplate } from './queries';

const TemplateParams = z.object({ templateId: z.string().max(100) });
/** Three images of 512 KB, as base64, and the rest. */
const MAX_TEMPLATE_BODY_BYTES = 3 * 1024 * 1024;

const list = defineRoute({
  method: 'get',
  path: '/templates',
  operationId: 'listTemplates',
  access: ACCESS.team,
  tags: ['Templates'],
  summary: 'List templates',
  request: {
    query: z.object({
      archived: z
        .enum(['true', 'false'])
        .optional()
        .describe('Only archived templates, or only those in use; all when left out'),
      ...Pagination,
    }),
  },
  responses: {
    200: json(z.array(Template), 'Newest first'),
    ...errorResponses(400, 401, 403, 429),
  },
});

const create = defineRoute({
  method: 'post',
  path: '/templates',
  operationId: 'createTemplate',
  access: ACCESS.admins,
  maxBodyBytes: MAX_TEMPLATE_BODY_BYTES,
  tags: ['Templates'],
  summary: 'Create a template',
  description:
    'Images come as base64 PNGs (or upload each with `PUT /templates/{id}/images/{kind}`): each ' +
    'at most 512 KB and 16 to 4096 pixels a side, fitted to the size wallets draw it at. ' +
    '`isDefault: true` makes it the one the tenant’s passes without a template wear.',
  request: { body: jsonBody(CreateTemplateBody) },
  responses: {
    201: json(Template, 'The new template'),
    ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429),
  },
});

const get = defineRoute({
  method: 'get',
  path: '/templates/{templateId}',
  operationId: 'getTemplate',
  access: ACCESS.team,
  tags: ['Templates'],
  summary: 'Get a template',
  request: { params: TemplateParams },
  responses: { 200: json(Template, 'The template'), ...errorResponses(401, 403, 404, 429) },
});

const update = defineRoute({
  method: 'patch',
  path: '/templates/{templateId}',
  operationId: 'updateTemplate',
  access: ACCESS.admins,
  maxBodyBytes: MAX_TEMPLATE_BODY_BYTES,
  tags: ['Templates'],
  summary: 'Change a template',
  description: 'Changes only what is sent; `null` clears the support details and the images.',
  request: { params: TemplateParams, body: jsonBody(UpdateTemplateBody) },
  responses: {
    200: json(Template, 'The template as changed'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
  },
});

const archive = defineRoute({
  method: 'post',
  path: '/templates/{templateId}/archive',
  operationId: 'archiveTemplate',
  access: ACCESS.admins,
  tags: ['Templates'],
  summary: 'Archive a template',
  description:
    'No pass may be given it any more; passes that wear it keep it. An archived template is ' +
    'no default. Archiving again changes nothing.',
  request: { params: TemplateParams },
  responses: {
    200: json(Template, 'The archived template'),
    ...errorResponses(401, 403, 404, 409, 422, 429),
  },
});

const putImage = defineRoute({
  method: 'put',
  path: '/templates/{templateId}/images/{kind}',
  operationId: 'putTemplateImage',
  access: ACCESS.admins,
  tags: ['Templates'],
  summary: "Upload one of a template's images",
  description:
    'The PNG as `multipart/form-data` (its `file` part), or as the body itself with ' +
    '`Content-Type: image/png`. Checked and fitted as in `POST /templates`.',
  request: {
    params: TemplateParams.extend({
      kind: z.enum(TEMPLATE_IMAGE_KINDS, {
        error: `kind must be one of ${TEMPLATE_IMAGE_KINDS.join(', ')}`,
      }),
    }),
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: z.object({
            // Optional here: the validator reads an `image/png` body as an empty form.
            file: z
              .custom<Blob>((value) => value instanceof Blob, 'send the PNG as the "file" part')
              .optional()
              .meta({ type: 'string', format: 'binary' }),
          }),
        },
        'image/png': { schema: z.string().meta({ format: 'binary' }) },
      },
    },
  },
  responses: {
    200: json(Template, 'The template with its new image'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
  },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const templateOperations = { list, create, get, update, archive, putImage };

export function templateRoutes({ db, publicUrl }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const { archived, ...query } = c.req.valid('query');
      const { rows, total, estimated } = await listTemplates(db, c.get('caller').tenant.id, {
        ...query,
        archived: archived === undefined ? undefined : archived === 'true',
      });
      setPaginationHeaders(c, publicUrl, {
        total,
        estimated,
        page: query.page,
        limit: query.limit,
      });
      return c.json(
        rows.map((row) => presentTemplate(row, publicUrl)),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const { tenant } = c.get('caller');
      const answer = await commitChange(c, db, async (trx) => ({
        status: 201 as const,
        body: presentTemplate(await insertTemplate(trx, tenant, body), publicUrl),
      }));
      return c.json(answer.body, answer.status);
    })
    .openapi(get, async (c) => {
      const { templateId } = c.req.valid('param');
      const template = await findTemplate(db, c.get('caller').tenant.id, templateId);
      if (!template) throw notFound('Template');
      return c.json(presentTemplate(template, publicUrl), 200);
    })
    .openapi(update, async (c) => {
      const { templateId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const template = await updateTemplate(trx, tenantId, templateId, c.req.valid('json'));
        if (!template) throw notFound('Template');
        return { status: 200 as const, body: presentTemplate(template, publicUrl) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(archive, async (c) => {
      const { templateId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const template = await updateTemplate(trx, tenantId, templateId, {
          archivedAt: new Date(),
        });
        if (!template) throw notFound('Template');
        return { status: 200 as const, body: presentTemplate(template, publicUrl) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(putImage, async (c) => {
      const { templateId, kind } = c.req.param() as { templateId: string; kind: string };
      if (!(TEMPLATE_IMAGE_KINDS as string[]).includes(kind)) {
        throw new ApiError(400, `kind must be one of ${TEMPLATE_IMAGE_KINDS.join(', ')}`);
      }
      const tenantId = c.get('caller').tenant.id;
      if (!(await findTemplate(db, tenantId, templateId))) throw notFound('Template');
      const bytes = await uploadedImage(c.req);
      const answer = await commitChange(c, db, async (trx) => {
        const template = await updateTemplate(trx, tenantId, templateId, { [kind]: bytes });
        if (!template) throw notFound('Template');
        return { status: 200 as const, body: presentTemplate(template, publicUrl) };
      });
      return c.json(answer.body, answer.status);
    });
}

/** The bytes of an uploaded image: a multipart form's `file`, or an `image/png` body. */
async function uploadedImage(request: HonoRequest): Promise<Buffer> {
  const type = request.header('content-type') ?? '';
  if (/^image\/png\b/i.test(type)) return Buffer.from(await request.arrayBuffer());
  if (/^multipart\/form-data\b/i.test(type)) {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      throw new ApiError(400, 'The multipart body could not be read');
    }
    const file = form.get('file');
    if (!(file instanceof Blob)) throw new ApiError(400, 'file: send the PNG as the "file" part');
    return Buffer.from(await file.arrayBuffer());
  }
  throw new ApiError(415, 'Send the PNG as multipart/form-data (its "file" part) or as image/png');
}

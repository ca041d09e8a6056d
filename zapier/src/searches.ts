import type { Bundle, HttpResponse, ZObject } from 'zapier-platform-core';
import { api } from './http';
import { clientSample, passSample } from './samples';

type Row = Record<string, unknown>;

/** Two names alike whatever their case and accents, as Passgate compares client names. */
const sameName = (a: unknown, b: unknown) =>
  typeof a === 'string' &&
  typeof b === 'string' &&
  a.trim().localeCompare(b.trim(), 'en', { sensitivity: 'base' }) === 0;

/** A phone number's digits (and a leading +), however it was spaced. */
const dialled = (phone: unknown) => String(phone ?? '').replace(/[^\d+]/g, '');

/** Pages of a search read before giving up: 2,000 near matches. */
const SEARCH_PAGES = 20;
const SEARCH_PAGE_SIZE = 100;

/**
 * The query of the `Link` header's `next` page (a keyset `cursor` for passes, a page number for
 * clients), or undefined on the last page. Only its query is taken: the link is written with the
 * server's public URL, which need not be the address this connection uses.
 */
function nextPage(link: string | undefined): Record<string, string> | undefined {
  const next = link?.split(',').find((part) => /;\s*rel="next"/.test(part));
  const url = next && /<([^>]+)>/.exec(next)?.[1];
  return url ? Object.fromEntries(new URL(url).searchParams) : undefined;
}

/**
 * The tenant's `path` items that `search` (`?search=`, a part of a name, code, email or phone)
 * finds and `exact` keeps, from the newest page that has any. Pages are followed by the server's
 * own `next` link, so that a match older than a hundred near matches is found, not made again by
 * a find-or-create, and passes made meanwhile shift nothing; past SEARCH_PAGES, the search is
 * refused rather than said empty.
 */
async function found(
  z: ZObject,
  bundle: Bundle,
  path: string,
  search: string,
  exact: (item: Row) => boolean,
): Promise<Row[]> {
  let params: Record<string, string | number> | undefined = { search, limit: SEARCH_PAGE_SIZE };
  for (let read = 0; read < SEARCH_PAGES && params; read++) {
    const response: HttpResponse<Row[]> = await api<Row[]>(z, bundle, path, { params });
    const matches = response.data.filter(exact);
    if (matches.length > 0) return matches;
    params = nextPage(response.getHeader('link'));
  }
  if (!params) return [];
  throw new z.errors.Error(
    `More than ${SEARCH_PAGES * SEARCH_PAGE_SIZE} items contain "${search}"; search by something rarer`,
    'SearchTooWide',
    400,
  );
}

export const searches = {
  find_pass: {
    key: 'find_pass',
    noun: 'Pass',
    display: {
      label: 'Find Pass',
      description: 'Finds a pass by its code, or by its name (the newest of that name first).',
    },
    operation: {
      inputFields: [
        { key: 'code', label: 'Code', helpText: 'The 12-character code on the pass.' },
        { key: 'name', label: 'Name', helpText: 'The whole name, whatever its case and accents.' },
      ],
      perform: async (z: ZObject, bundle: Bundle) => {
        const { code, name } = bundle.inputData as { code?: string; name?: string };
        if (code) {
          const wanted = code.trim().toLowerCase();
          return found(
            z,
            bundle,
            '/passes',
            wanted,
            (pass) => String(pass.code).toLowerCase() === wanted,
          );
        }
        if (name) {
          return found(z, bundle, '/passes', name.trim(), (pass) => sameName(pass.name, name));
        }
        throw new z.errors.Error(
          'Give the code or the name of the pass to find',
          'MissingInput',
          400,
        );
      },
      sample: passSample,
    },
  },
  find_client: {
    key: 'find_client',
    noun: 'Client',
    display: {
      label: 'Find Client',
      description: 'Finds a client by name (whatever its case and accents), email or phone.',
    },
    operation: {
      inputFields: [
        { key: 'name', label: 'Name' },
        { key: 'email', label: 'Email' },
        { key: 'phone', label: 'Phone' },
      ],
      perform: async (z: ZObject, bundle: Bundle) => {
        const { name, email, phone } = bundle.inputData as Record<string, string | undefined>;
        if (name) {
          return found(z, bundle, '/clients', name.trim(), (client) => sameName(client.name, name));
        }
        if (email) {
          const wanted = email.trim().toLowerCase();
          return found(
            z,
            bundle,
            '/clients',
            wanted,
            (client) => String(client.email ?? '').toLowerCase() === wanted,
          );
        }
        if (phone) {
          const wanted = dialled(phone);
          return found(
            z,
            bundle,
            '/clients',
            phone.trim(),
            (client) => dialled(client.phone) === wanted,
          );
        }
        throw new z.errors.Error(
          'Give the name, email or phone of the client to find',
          'MissingInput',
          400,
        );
      },
      sample: clientSample,
    },
  },
};

/** A Zap step that finds the pass or client, and makes it when there is none. */
export const searchOrCreates = {
  find_pass: {
    key: 'find_pass',
    display: { label: 'Find or Create Pass', description: 'Finds a pass, or creates it.' },
    search: 'find_pass',
    create: 'create_pass',
  },
  find_client: {
    key: 'find_client',
    display: { label: 'Find or Create Client', description: 'Finds a client, or creates it.' },
    search: 'find_client',
    create: 'create_client',
  },
};

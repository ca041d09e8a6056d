import type { Bundle, ZObject } from 'zapier-platform-core';
import { api } from './http';

interface Me {
  tenant: { id: string; name: string; plan: string };
  role: string;
  key: { id: string; prefix: string; scope: string } | null;
}

/** A connection: which Passgate server, and a full-scope API key of the tenant. */
export const authentication = {
  type: 'custom' as const,
  fields: [
    {
      key: 'baseUrl',
      label: 'Server URL',
      required: true,
      type: 'string' as const,
      helpText: 'Your Passgate server, such as `https://passes.example.com`.',
    },
    {
      key: 'apiKey',
      label: 'API Key',
      required: true,
      type: 'password' as const,
      helpText:
        "A full-scope key, made on your Passgate dashboard's **Keys** page (or `pnpm admin key create`).",
    },
  ],
  /** `GET /api/v1/me`: the key works, is a full-scope key, and names its tenant. */
  test: async (z: ZObject, bundle: Bundle) => {
    const response = await api<Me>(z, bundle, '/me');
    const me = response.data;
    if (!me?.tenant?.name) {
      throw new z.errors.Error(
        `${String(bundle.authData.baseUrl)} answered, but not as a Passgate server would. Check the server URL.`,
        'NotPassgate',
        400,
      );
    }
    if (me.key?.scope !== 'full') {
      throw new z.errors.Error(
        'This key may only scan: give a full-scope key, which may make passes and subscribe to events.',
        'ScanKey',
        403,
      );
    }
    return me;
  },
  /** The connection is named after the tenant. */
  connectionLabel: (_z: ZObject, bundle: Bundle) =>
    (bundle.inputData as unknown as Me).tenant?.name ?? '',
};

import { useState } from 'react';
import { $api, api, must, type Schemas } from '../api';
import { ErrorMessage, ShownOnce, TableWrap, useAction, useSubmit, when } from '../ui';
import type { FieldWords } from '../words';

/** The API's fields as this form names them, for its errors. */
const WORDS: FieldWords = { scope: 'Scope' };

export function KeysPage() {
  const keys = $api.useQuery('get', '/keys', { params: { query: { limit: 100 } } });
  const [scope, setScope] = useState<'full' | 'scan'>('full');
  const [created, setCreated] = useState<Schemas['CreatedKey']>();
  const action = useAction();
  const create = useSubmit(async () => {
    setCreated(await must(api.POST('/keys', { body: { scope } })));
  }, WORDS);
  const revoke = (keyId: string) =>
    action.act(() => must(api.POST('/keys/{keyId}/revoke', { params: { path: { keyId } } })));
  return (
    <>
      <h1>API keys</h1>
      <p>
        Keys let integrations call the API: send one as <code>Authorization: Bearer 2pk_…</code>.
      </p>
      <form onSubmit={create.onSubmit} className="inline-form">
        <ErrorMessage error={create.failure} />
        <fieldset>
          <legend>Scope</legend>
          <label className="inline">
            <input
              type="radio"
              name="scope"
              checked={scope === 'full'}
              onChange={() => setScope('full')}
            />{' '}
            Full: the whole API
          </label>
          <label className="inline">
            <input
              type="radio"
              name="scope"
              checked={scope === 'scan'}
              onChange={() => setScope('scan')}
            />{' '}
            Scan: only what a door does
          </label>
        </fieldset>
        <button type="submit" disabled={create.busy}>
          Create key
        </button>
      </form>
      {created && <ShownOnce label={`New ${created.key.scope} key`} value={created.apiKey} />}
      <ErrorMessage error={keys.error ?? action.error} />
      <TableWrap label="API keys">
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Scope</th>
              <th scope="col">Requests a minute</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data?.map((key) => (
              <tr key={key.id}>
                <th scope="row">
                  <code>{key.prefix}…</code>
                  {key.deviceId && <span className="mark">door</span>}
                </th>
                <td>{key.scope}</td>
                <td>{key.rateLimit}</td>
                <td>{when(key.createdAt)}</td>
                <td>{key.revokedAt ? `revoked ${when(key.revokedAt)}` : 'active'}</td>
                <td>
                  {!key.revokedAt && (
                    <button type="button" className="danger" onClick={() => void revoke(key.id)}>
                      Revoke {key.prefix}…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

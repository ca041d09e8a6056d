import { useState } from 'react';
import { Link } from 'wouter';
import { navigate } from 'wouter/use-hash-location';
import { $api, api, must, type Schemas, useCountedList } from '../api';
import {
  counted,
  ErrorMessage,
  Field,
  Pager,
  Status,
  TableWrap,
  useAction,
  useAddressFilters,
  useSubmit,
  when,
} from '../ui';
import type { FieldWords } from '../words';

const PAGE_SIZE = 25;

/** The API's fields as the client form names them, for its errors. */
const WORDS: FieldWords = { name: 'Name', email: 'Email', phone: 'Phone', notes: 'Notes' };

type ClientDraft = { name: string; email: string; phone: string; notes: string };

/** A client's name, email, phone and notes: to add one, or to change one. */
function ClientForm(props: {
  initial: ClientDraft;
  submitLabel: string;
  onSubmit: (draft: ClientDraft) => Promise<void>;
}) {
  const [draft, setDraft] = useState(props.initial);
  const set = (key: keyof ClientDraft) => (e: { target: { value: string } }) =>
    setDraft((previous) => ({ ...previous, [key]: e.target.value }));
  const { onSubmit, busy, failure, fieldError } = useSubmit(() => props.onSubmit(draft), WORDS);
  return (
    <form onSubmit={onSubmit} className="inline-form">
      <ErrorMessage error={failure} />
      <Field id="client-name" label="Name" error={fieldError('name')}>
        {(aria) => <input {...aria} required value={draft.name} onChange={set('name')} />}
      </Field>
      <Field id="client-email" label="Email" error={fieldError('email')}>
        {(aria) => <input {...aria} type="email" value={draft.email} onChange={set('email')} />}
      </Field>
      <Field id="client-phone" label="Phone" error={fieldError('phone')}>
        {(aria) => <input {...aria} type="tel" value={draft.phone} onChange={set('phone')} />}
      </Field>
      <Field id="client-notes" label="Notes" error={fieldError('notes')}>
        {(aria) => <input {...aria} value={draft.notes} onChange={set('notes')} />}
      </Field>
      <button type="submit" disabled={busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}

/**
 * Merging this client into another (two clients that are one person): find the one to keep by
 * name, email or phone; this one goes and its passes move there.
 */
function MergeClient({ client }: { client: Schemas['Client'] }) {
  const [search, setSearch] = useState('');
  const found = $api.useQuery(
    'get',
    '/clients',
    { params: { query: { search: search.trim(), limit: 10 } } },
    { enabled: search.trim().length >= 2 },
  );
  const { act, error, busy } = useAction();
  const merge = (into: Schemas['Client']) =>
    act(async () => {
      await must(
        api.POST('/clients/{clientId}/merge', {
          params: { path: { clientId: client.id } },
          body: { into: into.id },
        }),
      );
      navigate(`/clients/${into.id}`, { replace: true });
    });
  const others = found.data?.filter((other) => other.id !== client.id) ?? [];
  return (
    <details className="merge">
      <summary>Merge into another client</summary>
      <p className="hint">
        For two clients that are one person: {client.name} goes, and its passes move to the one you
        keep, which takes whatever email, phone and notes it lacks.
      </p>
      <label>
        The client to keep (name, email or phone)
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <ErrorMessage error={error} />
      <ul className="plain">
        {others.map((other) => (
          <li key={other.id}>
            {other.name} {other.email ? `· ${other.email}` : ''}{' '}
            <button type="button" disabled={busy} onClick={() => void merge(other)}>
              Merge {client.name} into {other.name}
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

const draftOf = (client?: Schemas['Client']): ClientDraft => ({
  name: client?.name ?? '',
  email: client?.email ?? '',
  phone: client?.phone ?? '',
  notes: client?.notes ?? '',
});

export function ClientsPage() {
  const address = useAddressFilters(['search'] as const);
  const { page, setPage } = address;
  const search = address.values.search;
  const list = useCountedList('/clients', {
    ...(search.trim() ? { search: search.trim() } : {}),
    page,
    limit: PAGE_SIZE,
  });
  return (
    <>
      <h1>Clients</h1>
      <details className="add">
        <summary>Add a client</summary>
        <ClientForm
          initial={draftOf()}
          submitLabel="Add client"
          onSubmit={async (draft) => {
            const created = await must(
              api.POST('/clients', {
                body: {
                  name: draft.name,
                  ...(draft.email.trim() ? { email: draft.email.trim() } : {}),
                  ...(draft.phone.trim() ? { phone: draft.phone.trim() } : {}),
                  ...(draft.notes.trim() ? { notes: draft.notes } : {}),
                },
              }),
            );
            navigate(`/clients/${created.id}`);
          }}
        />
      </details>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            placeholder="Name, email or phone"
            value={search}
            onChange={(e) => address.set('search', e.target.value)}
          />
        </label>
      </form>
      <ErrorMessage error={list.error} />
      <p aria-live="polite" className="count">
        {list.data ? counted(list.data.total, 'client', 'clients') : 'Loading…'}
      </p>
      {list.data?.total === 0 && (
        <p className="empty">
          {search.trim()
            ? 'No client matches.'
            : 'No clients yet. A client is added when a pass names one: "Client" on a new pass, or clientName through the API or in a CSV.'}
        </p>
      )}
      {list.data?.total !== 0 && (
        <TableWrap label="Clients">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Phone</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.rows.map((client) => (
                <tr key={client.id}>
                  <th scope="row">
                    <Link href={`/clients/${client.id}`}>{client.name}</Link>
                  </th>
                  <td>{client.email ?? '—'}</td>
                  <td>{client.phone ?? '—'}</td>
                  <td>{when(client.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {list.data && list.data.total > 0 && (
        <Pager page={page} limit={PAGE_SIZE} total={list.data.total} onPage={setPage} />
      )}
    </>
  );
}

export function ClientPage({ id }: { id: string }) {
  const client = $api.useQuery('get', '/clients/{clientId}', {
    params: { path: { clientId: id } },
  });
  const passes = $api.useQuery('get', '/passes', {
    params: { query: { clientId: id, limit: 100 } },
  });
  const [editing, setEditing] = useState(false);
  if (client.error) return <ErrorMessage error={client.error} />;
  if (!client.data) return <p>Loading…</p>;
  const c = client.data;
  return (
    <>
      <h1>{c.name}</h1>
      {editing ? (
        <ClientForm
          initial={draftOf(c)}
          submitLabel="Save"
          onSubmit={async (draft) => {
            await must(
              api.PATCH('/clients/{clientId}', {
                params: { path: { clientId: id } },
                body: {
                  name: draft.name,
                  email: draft.email.trim() || null,
                  phone: draft.phone.trim() || null,
                  notes: draft.notes.trim() ? draft.notes : null,
                },
              }),
            );
            setEditing(false);
          }}
        />
      ) : (
        <>
          <dl className="facts">
            <dt>Email</dt>
            <dd>{c.email ?? '—'}</dd>
            <dt>Phone</dt>
            <dd>{c.phone ?? '—'}</dd>
            <dt>Notes</dt>
            <dd>{c.notes ?? '—'}</dd>
          </dl>
          <button type="button" onClick={() => setEditing(true)}>
            Edit {c.name}
          </button>
          <MergeClient client={c} />
        </>
      )}
      <h2>Passes</h2>
      <ErrorMessage error={passes.error} />
      <ul className="plain">
        {passes.data?.map((pass) => (
          <li key={pass.id}>
            <Link href={`/passes/${pass.id}`}>
              <code>{pass.code}</code>
            </Link>{' '}
            {pass.name ?? ''} <Status status={pass.status} />
          </li>
        ))}
        {passes.data?.length === 0 && <li>No passes.</li>}
      </ul>
    </>
  );
}

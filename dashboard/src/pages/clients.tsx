import { Link } from 'wouter';
import { $api, useCountedList } from '../api';
import { counted, ErrorMessage, Pager, Status, TableWrap, useAddressFilters, when } from '../ui';

const PAGE_SIZE = 25;

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
  if (client.error) return <ErrorMessage error={client.error} />;
  if (!client.data) return <p>Loading…</p>;
  const c = client.data;
  return (
    <>
      <h1>{c.name}</h1>
      <dl className="facts">
        <dt>Email</dt>
        <dd>{c.email ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{c.phone ?? '—'}</dd>
        <dt>Notes</dt>
        <dd>{c.notes ?? '—'}</dd>
      </dl>
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

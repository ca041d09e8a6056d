import { useRef } from 'react';
import { Link } from 'wouter';
import { navigate } from 'wouter/use-hash-location';
import { api, must, useCountedList } from '../api';
import { counted, ErrorMessage, Pager, Status, TableWrap, useAddressFilters, when } from '../ui';
import { bodyOf, draftOf, PassForm } from './pass-form';
import { PassImport } from './pass-import';

const PAGE_SIZE = 25;
const STATUSES = ['active', 'used', 'expired', 'revoked'] as const;

export function PassesPage() {
  const address = useAddressFilters(['search', 'status', 'type'] as const);
  const { page, setPage } = address;
  const search = address.values.search;
  const status = (STATUSES as readonly string[]).includes(address.values.status)
    ? (address.values.status as (typeof STATUSES)[number])
    : '';
  const type: 'single' | 'multi' | '' =
    address.values.type === 'single' || address.values.type === 'multi' ? address.values.type : '';
  const filters = {
    ...(search.trim() ? { search: search.trim() } : {}),
    ...(status ? { status } : {}),
    ...(type ? { type } : {}),
  };
  // Each page's keyset place, from the page before it (`Link`'s next): going on page by page
  // costs what the first page does, however deep. A page reached otherwise goes by number.
  const places = useRef(new Map<string, string>());
  const placeKey = (n: number) => `${JSON.stringify(filters)} ${n}`;
  const cursor = page > 1 ? places.current.get(placeKey(page)) : undefined;
  const list = useCountedList('/passes', {
    ...filters,
    limit: PAGE_SIZE,
    ...(cursor ? { cursor } : { page }),
  });
  const next = list.isPlaceholderData ? undefined : list.data?.next;
  if (next) places.current.set(placeKey(page + 1), next);
  const exportUrl = `/api/v1/passes/export?${new URLSearchParams(filters)}`;
  return (
    <>
      <div className="page-head">
        <h1>Passes</h1>
        <Link href="/passes/new" className="button">
          New pass
        </Link>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            placeholder="Name or code"
            value={search}
            onChange={(e) => address.set('search', e.target.value)}
          />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => address.set('status', e.target.value)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => address.set('type', e.target.value)}>
            <option value="">Any</option>
            <option value="single">single</option>
            <option value="multi">multi</option>
          </select>
        </label>
        <a className="button secondary" href={exportUrl} download>
          Export CSV
        </a>
      </form>
      <ErrorMessage error={list.error} />
      <p aria-live="polite" className="count">
        {list.data ? counted(list.data.total, 'pass', 'passes', list.data.estimated) : 'Loading…'}
      </p>
      <TableWrap label="Passes">
        <table>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">Client</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Uses</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.rows.map((pass) => (
              <tr key={pass.id}>
                <td>
                  <Link href={`/passes/${pass.id}`}>
                    <code>{pass.code}</code>
                  </Link>
                </td>
                <td>{pass.name ?? '—'}</td>
                <td>{pass.client?.name ?? '—'}</td>
                <td>{pass.type}</td>
                <td>
                  <Status status={pass.status} />
                </td>
                <td>
                  {pass.usagesCount}
                  {pass.maxUsages !== null ? ` / ${pass.maxUsages}` : ''}
                </td>
                <td>{when(pass.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {list.data && (
        <Pager
          page={page}
          limit={PAGE_SIZE}
          total={list.data.total}
          estimated={list.data.estimated}
          full={list.data.rows.length === PAGE_SIZE}
          onPage={setPage}
        />
      )}
      <PassImport />
    </>
  );
}

export function NewPassPage() {
  return (
    <>
      <h1>New pass</h1>
      <PassForm
        initial={draftOf()}
        creating
        submitLabel="Create pass"
        onSubmit={async (draft) => {
          const created = await must(api.POST('/passes', { body: bodyOf(draft, true) as never }));
          navigate(`/passes/${created.id}`);
        }}
      />
    </>
  );
}

import { useState } from 'react';
import { $api, api, must, type Schemas } from '../api';
import { useRefetchOnScans } from '../live';
import { mayCall, useSession } from '../session';
import { ErrorMessage, Field, TableWrap, useAction, useSubmit } from '../ui';
import type { FieldWords } from '../words';

type Location = Schemas['Location'];

/** The API's fields as the location form names them, for its errors. */
const WORDS: FieldWords = {
  name: 'Name',
  address: 'Address',
  timezone: 'Time zone',
  capacity: 'Capacity',
};

type LocationDraft = {
  name: string;
  address: string;
  timezone: string;
  capacity: string;
  reentry: boolean;
};

const draftOf = (location?: Location): LocationDraft => ({
  name: location?.name ?? '',
  address: location?.address ?? '',
  timezone: location?.timezone ?? 'UTC',
  capacity: location?.capacity === null || !location ? '' : String(location.capacity),
  reentry: location?.reentry ?? false,
});

/** What the API takes of a draft: a capacity left empty is none. */
const bodyOf = (draft: LocationDraft) => ({
  name: draft.name,
  address: draft.address.trim() || null,
  timezone: draft.timezone.trim() || 'UTC',
  capacity: draft.capacity.trim() === '' ? null : Number(draft.capacity),
  reentry: draft.reentry,
});

/** A location's name, address, time zone, capacity and re-entry: to add one, or to change one. */
function LocationForm(props: {
  id: string;
  initial: LocationDraft;
  submitLabel: string;
  onSubmit: (draft: LocationDraft) => Promise<void>;
}) {
  const [draft, setDraft] = useState(props.initial);
  const set = (key: keyof LocationDraft) => (e: { target: { value: string } }) =>
    setDraft((previous) => ({ ...previous, [key]: e.target.value }));
  const { onSubmit, busy, failure, fieldError } = useSubmit(() => props.onSubmit(draft), WORDS);
  const id = (field: string) => `${props.id}-${field}`;
  return (
    <form onSubmit={onSubmit} className="inline-form">
      <ErrorMessage error={failure} />
      <Field id={id('name')} label="Name" error={fieldError('name')}>
        {(aria) => <input {...aria} required value={draft.name} onChange={set('name')} />}
      </Field>
      <Field id={id('address')} label="Address" error={fieldError('address')}>
        {(aria) => <input {...aria} value={draft.address} onChange={set('address')} />}
      </Field>
      <Field id={id('timezone')} label="Time zone" error={fieldError('timezone')}>
        {(aria) => (
          <input
            {...aria}
            value={draft.timezone}
            onChange={set('timezone')}
            placeholder="Europe/Lisbon"
          />
        )}
      </Field>
      <Field id={id('capacity')} label="Capacity" error={fieldError('capacity')}>
        {(aria) => (
          <input
            {...aria}
            type="number"
            min={1}
            inputMode="numeric"
            value={draft.capacity}
            onChange={set('capacity')}
          />
        )}
      </Field>
      <label className="inline">
        <input
          type="checkbox"
          checked={draft.reentry}
          onChange={(e) => setDraft((previous) => ({ ...previous, reentry: e.target.checked }))}
        />{' '}
        A guest who steps out may come back in
      </label>
      <button type="submit" disabled={busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}

/** Inside now, against the capacity when there is one. */
export const insideOf = (location: Location) =>
  location.capacity === null
    ? `${location.occupancy} inside`
    : `${location.occupancy} of ${location.capacity} inside`;

/** One location's row: what it is, who is inside, and (for admins) its changes. */
function LocationRow({ location, mayWrite }: { location: Location; mayWrite: boolean }) {
  const { act, error, busy } = useAction();
  const post = (
    path: '/locations/{locationId}/archive' | '/locations/{locationId}/reset-presence',
  ) => act(() => must(api.POST(path, { params: { path: { locationId: location.id } } })));
  return (
    <tr data-location={location.id}>
      <th scope="row">
        {location.name}
        {location.archivedAt && <span className="badge"> archived</span>}
      </th>
      <td>{location.address ?? '—'}</td>
      <td data-testid="occupancy">{insideOf(location)}</td>
      <td>{location.reentry ? 'Yes' : 'No'}</td>
      {mayWrite && (
        <td>
          <ErrorMessage error={error} />
          <details className="edit">
            <summary>Edit {location.name}</summary>
            <LocationForm
              id={`edit-${location.id}`}
              initial={draftOf(location)}
              submitLabel="Save"
              onSubmit={async (draft) => {
                await must(
                  api.PATCH('/locations/{locationId}', {
                    params: { path: { locationId: location.id } },
                    body: bodyOf(draft),
                  }),
                );
              }}
            />
          </details>
          <button
            type="button"
            disabled={busy || location.occupancy === 0}
            onClick={() => {
              if (confirm(`Set everyone inside ${location.name} outside?`)) {
                void post('/locations/{locationId}/reset-presence');
              }
            }}
          >
            Everyone out
          </button>{' '}
          {!location.archivedAt && (
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                if (confirm(`Archive ${location.name}? No new pass or door may name it.`)) {
                  void post('/locations/{locationId}/archive');
                }
              }}
            >
              Archive
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

/** The tenant's locations in use (the first hundred), for who is inside. */
export const useLocationsInUse = () =>
  $api.useQuery('get', '/locations', { params: { query: { archived: 'false', limit: 100 } } });

export function LocationsPage() {
  const { me } = useSession();
  const mayWrite = mayCall(me, 'createLocation');
  const locations = $api.useQuery('get', '/locations', { params: { query: { limit: 100 } } });
  // Who is inside follows the scans.
  useRefetchOnScans(() => void locations.refetch());
  const rows = locations.data ?? [];
  return (
    <>
      <h1>Locations</h1>
      {mayWrite && (
        <details className="add">
          <summary>Add a location</summary>
          <LocationForm
            id="new-location"
            initial={draftOf()}
            submitLabel="Add location"
            onSubmit={async (draft) => {
              const { address, capacity, ...rest } = bodyOf(draft);
              await must(
                api.POST('/locations', {
                  body: {
                    ...rest,
                    ...(address ? { address } : {}),
                    ...(capacity === null ? {} : { capacity }),
                  },
                }),
              );
            }}
          />
        </details>
      )}
      <ErrorMessage error={locations.error} />
      {locations.data && rows.length === 0 && (
        <p className="empty">
          No locations yet. Add one for each place a pass may be good at (a hall, a club, a VIP
          area); passes and doors without one are good everywhere.
        </p>
      )}
      {rows.length > 0 && (
        <TableWrap label="Locations">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">Inside now</th>
                <th scope="col">Re-entry</th>
                {mayWrite && <th scope="col">Changes</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((location) => (
                <LocationRow key={location.id} location={location} mayWrite={mayWrite} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}

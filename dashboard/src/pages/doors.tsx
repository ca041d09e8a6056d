import { phoneLinkProblem } from '@passgate/shared/core';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { $api, api, must, type Schemas } from '../api';
import { ErrorMessage, Field, ShownOnce, TableWrap, useAction, useSubmit, when } from '../ui';
import type { FieldWords } from '../words';
import { useLocationsInUse } from './locations';

/** The API's fields as this form names them, for its errors. */
const WORDS: FieldWords = { name: "The door's name", locationId: 'Where it stands' };

/** The pairing link as a QR code, for the door's phone camera to open. */
function PairingQr({ url }: { url: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    void QRCode.toDataURL(url, { margin: 2, width: 280 }).then(setSrc);
  }, [url]);
  return src ? (
    <img className="qr" src={src} alt="Pairing QR code: scan it with the door phone's camera" />
  ) : null;
}

function Pairing({ pairing }: { pairing: Schemas['DevicePairing'] }) {
  const forPhones = phoneLinkProblem(pairing.pairingUrl);
  return (
    <ShownOnce label={`Pairing link for ${pairing.device.name}`} value={pairing.pairingUrl}>
      {forPhones && (
        <p className="warning" role="alert">
          This link {forPhones.words}, then make a new link (docs: operations, "Phones").
        </p>
      )}
      <PairingQr url={pairing.pairingUrl} />
      <p className="hint">
        Open it on the door's phone (scan this QR with its camera). It works once, until{' '}
        {when(pairing.expiresAt)}.
      </p>
    </ShownOnce>
  );
}

const skew = (ms: number | null) =>
  ms === null
    ? '—'
    : Math.abs(ms) < 1000
      ? 'in step'
      : `${ms > 0 ? '+' : '−'}${Math.round(Math.abs(ms) / 1000)} s`;

export function DoorsPage() {
  const devices = $api.useQuery('get', '/devices', { params: { query: { limit: 100 } } });
  const locations = useLocationsInUse();
  const [name, setName] = useState('');
  const [locationId, setLocationId] = useState('');
  const [pairing, setPairing] = useState<Schemas['DevicePairing']>();
  const action = useAction();
  const add = useSubmit(async () => {
    setPairing(
      await must(api.POST('/devices', { body: { name, locationId: locationId || null } })),
    );
    setName('');
  }, WORDS);
  const move = (deviceId: string, to: string) =>
    action.act(() =>
      must(
        api.PATCH('/devices/{deviceId}', {
          params: { path: { deviceId } },
          body: { locationId: to || null },
        }),
      ),
    );
  /** Where a door stands: any location, or one of those in use. */
  const placeOptions = (
    <>
      <option value="">Any location</option>
      {locations.data?.map((location) => (
        <option key={location.id} value={location.id}>
          {location.name}
        </option>
      ))}
    </>
  );
  const act = (deviceId: string, what: 'revoke' | 'pairing') =>
    action.act(async () => {
      const path = what === 'revoke' ? '/devices/{deviceId}/revoke' : '/devices/{deviceId}/pairing';
      const answer = await must(api.POST(path, { params: { path: { deviceId } } }));
      if ('pairingUrl' in answer) setPairing(answer);
    });
  return (
    <>
      <h1>Doors</h1>
      <p>A door is a phone or tablet running the scanner. Pair one by opening its link on it.</p>
      <form onSubmit={add.onSubmit} className="inline-form">
        <ErrorMessage error={add.failure} />
        <Field id="door-name" label="New door's name" error={add.fieldError('name')}>
          {(aria) => (
            <input {...aria} required value={name} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field id="door-location" label="Where it stands" error={add.fieldError('locationId')}>
          {(aria) => (
            <select {...aria} value={locationId} onChange={(e) => setLocationId(e.target.value)}>
              {placeOptions}
            </select>
          )}
        </Field>
        <button type="submit" disabled={add.busy}>
          Add and pair
        </button>
      </form>
      {pairing && <Pairing pairing={pairing} />}
      <ErrorMessage error={devices.error ?? action.error} />
      <TableWrap label="Doors">
        <table>
          <thead>
            <tr>
              <th scope="col">Door</th>
              <th scope="col">Where</th>
              <th scope="col">Last seen</th>
              <th scope="col">Last sync</th>
              <th scope="col">Waiting uploads</th>
              <th scope="col">Clock</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {devices.data?.map((device) => (
              <tr key={device.id}>
                <th scope="row">
                  {device.name}
                  {device.revokedAt && <span className="mark">revoked</span>}
                </th>
                <td>
                  <select
                    aria-label={`Where ${device.name} stands`}
                    value={device.locationId ?? ''}
                    disabled={device.revokedAt !== null}
                    onChange={(e) => void move(device.id, e.target.value)}
                  >
                    {placeOptions}
                    {device.locationId &&
                      !locations.data?.some((location) => location.id === device.locationId) && (
                        <option value={device.locationId}>{device.locationId} (archived)</option>
                      )}
                  </select>
                </td>
                <td>{when(device.lastSeenAt)}</td>
                <td>{when(device.lastSyncAt)}</td>
                <td>{device.queueSize ?? '—'}</td>
                <td>{skew(device.clockSkewMs)}</td>
                <td className="row-actions">
                  {!device.revokedAt && (
                    <>
                      <button type="button" onClick={() => void act(device.id, 'pairing')}>
                        New link for {device.name}
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => void act(device.id, 'revoke')}
                      >
                        Revoke {device.name}
                      </button>
                    </>
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

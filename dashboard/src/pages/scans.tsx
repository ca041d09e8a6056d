import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { $api, type Schemas } from '../api';
import { useScanStream } from '../live';
import { ErrorMessage, Status, TableWrap, when } from '../ui';

type Scan = Schemas['ScanListItem'];

export function ScanTable({ scans, caption }: { scans: Scan[]; caption?: string }) {
  if (scans.length === 0) return <p>No scans yet.</p>;
  return (
    <TableWrap label="Scans">
      <table>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Pass</th>
            <th scope="col">Result</th>
            <th scope="col">Door</th>
            <th scope="col">Marks</th>
          </tr>
        </thead>
        <tbody>
          {scans.map((scan) => (
            <tr key={scan.id} className={scan.conflict ? 'conflict' : undefined}>
              <td>{when(scan.scannedAt)}</td>
              <td>
                {scan.passId === null ? (
                  <span title="An exit of a code that is no pass: let out, and recorded">
                    <code>{scan.code}</code>
                  </span>
                ) : (
                  <Link href={`/passes/${scan.passId}`}>
                    {scan.name ?? <code>{scan.code}</code>}
                  </Link>
                )}
                {scan.clientName && <span className="hint"> · {scan.clientName}</span>}
                {scan.name && (
                  <>
                    {' '}
                    <code className="hint">{scan.code}</code>
                  </>
                )}
              </td>
              <td>
                <Status status={scan.result} />
                {scan.direction === 'exit' && <span className="mark">exit</span>}
              </td>
              <td>{scan.deviceName ?? 'API'}</td>
              <td>
                {scan.conflict && (
                  <span className="mark mark-conflict">
                    conflict: {scan.conflict.replace(/_/g, ' ')}
                  </span>
                )}
                {scan.offline && <span className="mark">offline</span>}
                {scan.annulledAt && <span className="mark">undone</span>}
                {scan.clockCorrectedMs !== null && (
                  <span
                    className="mark"
                    title="The phone's clock was off: the time shown is corrected by the server"
                  >
                    phone clock off by {Math.round(Math.abs(scan.clockCorrectedMs) / 60_000)} min
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

type Filter = 'all' | 'admits' | 'refusals' | 'conflicts' | 'offline';

const matches = (filter: Filter, scan: Scan) =>
  filter === 'all' ||
  (filter === 'admits' && scan.success) ||
  (filter === 'refusals' && !scan.success) ||
  (filter === 'conflicts' && scan.conflict !== null) ||
  (filter === 'offline' && scan.offline);

/** The live feed: the latest scans, then each new one as the stream brings it. */
export function ScansPage() {
  const [filter, setFilter] = useState<Filter>('all');
  const [deviceId, setDeviceId] = useState('');
  const recent = $api.useQuery('get', '/scans', { params: { query: { limit: 100 } } });
  const devices = $api.useQuery('get', '/devices', { params: { query: { limit: 100 } } });
  const [live, setLive] = useState<Scan[]>([]);
  const stream = useScanStream((scan) => setLive((previous) => [scan, ...previous].slice(0, 500)));
  const all = useMemo(() => {
    const seen = new Set<string>();
    return [...live, ...(recent.data ?? [])].filter((scan) => {
      if (seen.has(scan.id)) return false;
      seen.add(scan.id);
      return true;
    });
  }, [live, recent.data]);
  const shown = all.filter(
    (scan) => matches(filter, scan) && (!deviceId || scan.deviceId === deviceId),
  );
  return (
    <>
      <div className="page-head">
        <h1>Scans</h1>
        <span className={`live live-${stream}`} role="status">
          {stream === 'open' ? 'Live' : stream === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Show
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            <option value="all">All scans</option>
            <option value="admits">Admits</option>
            <option value="refusals">Refusals</option>
            <option value="conflicts">Conflicts</option>
            <option value="offline">Decided offline</option>
          </select>
        </label>
        <label>
          Door
          <select value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
            <option value="">Every door</option>
            {devices.data?.map((device) => (
              <option key={device.id} value={device.id}>
                {device.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorMessage error={recent.error} />
      <div aria-live="polite" aria-relevant="additions">
        <ScanTable scans={shown} caption="Newest first" />
      </div>
    </>
  );
}

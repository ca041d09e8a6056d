import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { $api, type Schemas } from '../api';
import { useRefetchOnScans } from '../live';
import { ErrorMessage, TableWrap } from '../ui';
import { insideOf, useLocationsInUse } from './locations';

const FIVE_MINUTES = 5 * 60_000;

const startOfToday = () => {
  const day = new Date();
  day.setHours(0, 0, 0, 0);
  return day;
};

/** Admits per 5 minutes over the day so far, every bucket shown (empty ones as 0). */
function series(summary: Schemas['ScanSummary']): [number[], number[]] {
  const start = new Date(summary.since).getTime();
  const buckets = Math.max(1, Math.ceil((Date.now() - start) / FIVE_MINUTES));
  const counts = new Map(summary.admissions.map((b) => [new Date(b.at).getTime(), b.count]));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < buckets; i++) {
    const at = start + i * FIVE_MINUTES;
    xs.push(at / 1000);
    ys.push(counts.get(at) ?? 0);
  }
  return [xs, ys];
}

function AdmissionsChart({ summary }: { summary: Schemas['ScanSummary'] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    chart.current = new uPlot(
      {
        width: width(),
        height: 220,
        series: [
          {},
          {
            label: 'Admits',
            stroke: '#1d4ed8',
            fill: 'rgba(29, 78, 216, 0.15)',
            paths: uPlot.paths.stepped?.({ align: 1 }),
          },
        ],
        axes: [
          {},
          {
            label: 'per 5 min',
            // Admits are whole: ticks at whole numbers only, never 0.25 of one. The chart is
            // drawn on a canvas, so the ticks drawn are also written on it as `data-ticks`.
            incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
            values: (u, splits) => {
              u.root.dataset.ticks = splits.join(' ');
              return splits.map(String);
            },
          },
        ],
        legend: { show: false },
      },
      [[], []],
      element,
    );
    const resize = () => chart.current?.setSize({ width: width(), height: 220 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.current?.destroy();
    };
  }, []);
  useEffect(() => {
    chart.current?.setData(series(summary));
  }, [summary]);
  const total = summary.admissions.reduce((sum, b) => sum + b.count, 0);
  return (
    <figure>
      <div
        ref={box}
        className="chart"
        role="img"
        aria-label={`Admits per 5 minutes today: ${total} in all`}
      />
      <figcaption>Admits per 5 minutes since midnight ({total} in all)</figcaption>
    </figure>
  );
}

export function OverviewPage() {
  const since = useRef(startOfToday().toISOString()).current;
  const summary = $api.useQuery('get', '/scans/summary', { params: { query: { since } } });
  const locations = useLocationsInUse();
  // A burst of scans is counted by one read a second later.
  const stream = useRefetchOnScans(() => {
    void summary.refetch();
    void locations.refetch();
  });
  const doors = summary.data?.doors ?? [];
  const totals = doors.reduce(
    (sum, d) => ({
      admits: sum.admits + d.admits,
      refusals: sum.refusals + d.refusals,
      conflicts: sum.conflicts + d.conflicts,
    }),
    { admits: 0, refusals: 0, conflicts: 0 },
  );
  return (
    <>
      <div className="page-head">
        <h1>Today</h1>
        <span className={`live live-${stream}`} role="status">
          {stream === 'open' ? 'Live' : 'Reconnecting…'}
        </span>
      </div>
      <ErrorMessage error={summary.error} />
      <ul className="tiles" aria-label="Today's totals">
        <li>
          <strong data-testid="admits-total">{totals.admits}</strong> admits
        </li>
        <li>
          <strong>{totals.refusals}</strong> refusals
        </li>
        <li>
          <strong>{totals.conflicts}</strong> conflicts
        </li>
      </ul>
      {summary.data && <AdmissionsChart summary={summary.data} />}
      {(locations.data ?? []).length > 0 && (
        <>
          <h2>Inside now</h2>
          <ul className="tiles" aria-label="Inside now">
            {locations.data?.map((location) => (
              <li key={location.id} data-location={location.id}>
                <strong>{location.name}</strong> {insideOf(location)}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>By door</h2>
      <TableWrap label="By door">
        <table>
          <thead>
            <tr>
              <th scope="col">Door</th>
              <th scope="col">Admits</th>
              <th scope="col">Refusals</th>
              <th scope="col">Conflicts</th>
            </tr>
          </thead>
          <tbody>
            {doors.map((door) => (
              <tr key={door.deviceId ?? 'api'}>
                <th scope="row">{door.deviceName ?? 'API and dashboard'}</th>
                <td>{door.admits}</td>
                <td>{door.refusals}</td>
                <td>{door.conflicts}</td>
              </tr>
            ))}
            {doors.length === 0 && (
              <tr>
                <td colSpan={4}>No scans today yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

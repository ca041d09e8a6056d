import { useEffect, useRef, useState } from 'react';
import { api, must, type Schemas } from './api';

type Scan = Schemas['ScanListItem'];
export type StreamState = 'connecting' | 'open' | 'retrying';

const REOPEN_MS = 2_000;

/**
 * The tenant's scans as they happen (`GET /api/v1/scans/stream`). The browser's EventSource
 * reconnects by itself after a dropped connection, sending its last event's id as
 * `Last-Event-ID`. An answer other than the stream (a server still starting says 503) closes it
 * for good, so it is opened again here, from the same place (`?cursor=`), unless the session has
 * ended (then `/me` answers 401 and the person is sent to sign in). No scan is missed; one near
 * the place may come twice, and scan ids tell them apart.
 */
export function useScanStream(onScan: (scan: Scan) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onScan);
  handler.current = onScan;
  useEffect(() => {
    const seen = new Set<string>();
    let place: string | undefined;
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(
        place ? `/api/v1/scans/stream?cursor=${encodeURIComponent(place)}` : '/api/v1/scans/stream',
      );
      source.addEventListener('open', () => setState('open'));
      const note = (event: MessageEvent<string>) => {
        if (event.lastEventId) place = event.lastEventId;
      };
      source.addEventListener('ready', note);
      source.addEventListener('scan', (event) => {
        note(event);
        const scan = JSON.parse(event.data) as Scan;
        if (seen.has(scan.id)) return;
        seen.add(scan.id);
        handler.current(scan);
      });
      source.addEventListener('error', () => {
        setState('retrying');
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        timer = setTimeout(async () => {
          const signedIn = await must(api.GET('/me')).then(
            () => true,
            (error: { status?: number }) => error.status !== 401,
          );
          if (signedIn && !stopped) open();
        }, REOPEN_MS);
      });
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, []);
  return state;
}

/**
 * Reads again (`refetch`) a second after scans come, once for a burst of them, and each time the
 * stream opens: a scan made between the page's first read and the stream's start is in no
 * event. The stream's state, for a "Live" mark.
 */
export function useRefetchOnScans(refetch: () => void): StreamState {
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  const latest = useRef(refetch);
  latest.current = refetch;
  const stream = useScanStream(() => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      latest.current();
    }, 1_000);
  });
  useEffect(() => {
    if (stream === 'open') latest.current();
  }, [stream]);
  useEffect(() => () => clearTimeout(pending.current), []);
  return stream;
}

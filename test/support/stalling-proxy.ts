import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StallingProxy {
  url: string;
  /** While true, requests under `stallPaths` are held unanswered, as on Wi-Fi that has dropped out. */
  stalled: boolean;
  /**
   * While set, requests under `stallPaths` are answered with this status and an HTML page, as a
   * reverse proxy answers (502, 503, 504) while the server behind it is down or overloaded.
   */
  failWith: number | undefined;
  close(): Promise<void>;
}

/**
 * A stand-in for a bad network between a phone and the server: an HTTP proxy that forwards every
 * request to `target`, except that while `stalled` it holds requests under `stallPaths` without
 * an answer. The server and the browser stay real; only the wire between them misbehaves.
 */
export async function startStallingProxy(
  target: string,
  stallPaths: string[],
): Promise<StallingProxy> {
  const held = new Set<http.ServerResponse>();
  const proxy: StallingProxy = { url: '', stalled: false, failWith: undefined, close };
  const server = http.createServer((req, res) => {
    const affected = stallPaths.some((prefix) => req.url?.startsWith(prefix));
    if (affected && proxy.stalled) {
      held.add(res);
      return;
    }
    if (affected && proxy.failWith !== undefined) {
      req.resume();
      res.writeHead(proxy.failWith, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>${proxy.failWith}</h1></body></html>`);
      return;
    }
    const upstream = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function close() {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return proxy;
}

import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** The URL it was started for, pointing at the proxy instead. */
  url: string;
  /** Drops every open connection and refuses new ones, as a database that went down. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  /**
   * Holds every byte, both ways, on open and new connections alike, while keeping them open: a
   * database that stalls (a full disk, a frozen VM, a network that drops packets silently).
   */
  stall(): void;
  /** Forwards what was held, and everything after it. */
  resume(): void;
  close(): Promise<void>;
}

const DEFAULT_PORTS: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
};

/**
 * A stand-in for the network between a server and its database (or Redis): a TCP proxy to the
 * host of `targetUrl` that a test can cut, stall and restore. The server and the database stay
 * real; only the wire misbehaves. Give the server the proxy's `url`.
 */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const host = target.hostname;
  const port = Number(target.port || DEFAULT_PORTS[target.protocol]);
  const open = new Set<net.Socket>();
  let stalled = false;
  const held: (() => void)[] = [];
  /** Copies `from` to `to`, except that bytes arriving while stalled wait for `resume`. */
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (stalled) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  const listen = (at: number) =>
    new Promise<void>((resolve) => server.listen(at, '127.0.0.1', () => resolve()));
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of open) socket.destroy();
    });
  await listen(0);
  const proxyPort = (server.address() as net.AddressInfo).port;
  const viaProxy = new URL(targetUrl);
  viaProxy.host = `127.0.0.1:${proxyPort}`;
  return {
    port: proxyPort,
    url: viaProxy.toString(),
    cut: stop,
    restore: () => listen(proxyPort),
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const write of held.splice(0)) write();
    },
    close: () => {
      held.length = 0;
      return server.listening ? stop() : Promise.resolve();
    },
  };
}

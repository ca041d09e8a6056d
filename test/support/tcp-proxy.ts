import net from 'node:net';

export interface TcpProxy {
  port: number;
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

/**
 * A stand-in for the network between a server and its database: a TCP proxy to `host:port` that
 * a test can cut, stall and restore. The server and PostgreSQL stay real; only the wire misbehaves.
 */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
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
  return {
    port: proxyPort,
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

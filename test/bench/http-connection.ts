import net from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * The bench's HTTP client: one keep-alive HTTP/1.1 connection that sends one request at a time
 * as a single write and reads the answer's status and Content-Length, as `wrk` does. The load
 * generator shares the machine with the server and PostgreSQL, and Node's `http` client cost
 * about as much CPU per scan as a third of the server's own, so a lean client measures the
 * server rather than the client. It reconnects when the server has closed an idle connection,
 * and refuses any framing but Content-Length (which every answer of the API has).
 */
export class HttpConnection {
  #socket: net.Socket | undefined;
  #received: Buffer = Buffer.alloc(0);
  #pending: { resolve(status: number): void; reject(error: Error): void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends `POST path` with a JSON body and resolves with the answer's status code. */
  post(path: string, headers: Record<string, string>, body: string): Promise<number> {
    if (this.#pending) return Promise.reject(new Error('one request at a time'));
    const lines = [`POST ${path} HTTP/1.1`, `Host: ${this.host}:${this.port}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
    return new Promise<number>((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#connected().write(lines.join('\r\n'));
    });
  }

  close() {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #connected(): net.Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.#received = Buffer.alloc(0);
    socket.on('data', (chunk) => this.#onData(chunk));
    const lost = (error?: Error) => {
      if (this.#socket !== socket) return; // closed on purpose; its answer, if any, was read
      this.#socket = undefined;
      this.#settle(undefined, error ?? new Error('connection closed before the answer'));
    };
    socket.on('error', lost);
    socket.on('close', () => lost());
    this.#socket = socket;
    return socket;
  }

  #onData(chunk: Buffer) {
    this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    const headerEnd = this.#received.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.#received.toString('latin1', 0, headerEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      this.#settle(undefined, new Error(`unsupported answer framing:\n${head}`));
      this.close();
      return;
    }
    const end = headerEnd + HEADER_END.length + Number(length[1]);
    if (this.#received.length < end) return;
    this.#received = this.#received.subarray(end);
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    this.#settle(Number(head.slice(9, 12)));
  }

  #settle(status: number | undefined, error?: Error) {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return;
    if (status === undefined) pending.reject(error!);
    else pending.resolve(status);
  }
}

/**
 * `POST /api/v1/scan` for a load run's workers, one keep-alive connection each: worker `w`'s
 * `i`th scan is of the pass `codes[(w × 7919 + i) mod n]`. Throws unless answered 200.
 */
export function scanLoad(serverUrl: string, apiKey: string, codes: string[], workers: number) {
  const url = new URL(serverUrl);
  const connections = Array.from(
    { length: workers },
    () => new HttpConnection(url.hostname, Number(url.port)),
  );
  const headers = { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' };
  return {
    async scan(worker: number, i: number) {
      const status = await connections[worker]!.post(
        '/api/v1/scan',
        headers,
        JSON.stringify({
          code: codes[(worker * 7919 + i) % codes.length],
          device: `bench-${worker}`,
        }),
      );
      if (status !== 200) throw new Error(`HTTP ${status}`);
    },
    close() {
      for (const connection of connections) connection.close();
    },
  };
}

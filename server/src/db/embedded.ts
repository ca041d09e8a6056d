import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PGliteAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { StartError } from '../start-error';
import { isBackground } from './turns';

// The embedded database (PGlite) on a worker thread of its own (embedded-worker.ts), reached by
// messages, and a Kysely dialect over it. PGlite is one connection: the dialect lends it to one
// query or transaction at a time, requests in the order they asked, background work between them
// (turns.ts), and nothing else runs inside another's transaction (ADR 7).

export type ToWorker =
  | {
      kind: 'query';
      id: number;
      sql: string;
      params: readonly unknown[];
      /** A transaction's BEGIN, run first; the statement runs only if it succeeded. */
      begin?: string | undefined;
    }
  | { kind: 'listen' | 'unlisten'; id: number; channel: string }
  | { kind: 'ping'; id: number }
  | { kind: 'close' };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'failed'; error: PlainError }
  | { kind: 'broken' }
  | { kind: 'notify'; channel: string }
  | {
      kind: 'result';
      id: number;
      rows?: unknown[];
      affectedRows?: number | null;
      error?: PlainError;
    };

type PlainError = { message: string; name?: string } & Record<string, unknown>;

/** An error the worker sent, as the caller would have met it in this thread (code and all). */
function revive(plain: PlainError): Error {
  const error = new Error(plain.message);
  Object.assign(error, plain);
  return error;
}

/** The worker thread that runs PGlite, and its messages as promises. */
class EmbeddedLink {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(value: FromWorker): void }>();
  readonly #listeners = new Map<string, () => void>();
  #next = 0;
  #closing = false;

  constructor(pgdata: string) {
    const bundled = import.meta.url.endsWith('.js');
    // Built, the worker is dist/db/embedded-worker.js beside this chunk's dist/; from the
    // sources (tests), the TypeScript file through tsx.
    this.#worker = bundled
      ? new Worker(new URL('./db/embedded-worker.js', import.meta.url), { workerData: { pgdata } })
      : new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
            new URL('./embedded-worker.ts', import.meta.url).href,
          )}); })`,
          { eval: true, workerData: { pgdata } },
        );
  }

  /** Waits for the database to open; a StartError when it cannot. */
  ready(pgdata: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.kind === 'ready') resolve();
        if (message.kind === 'failed') {
          this.#closing = true;
          void this.#worker.terminate();
          reject(
            new StartError(
              `DATA_DIR: the embedded database in ${pgdata} could not be opened (${message.error.message || message.error.name}); it must be a directory that Passgate created, or absent`,
            ),
          );
        }
      };
      this.#worker.on('message', (message: FromWorker) => {
        onMessage(message);
        this.#receive(message);
      });
      this.#worker.once('error', reject);
      this.#worker.once('exit', (code) => {
        if (this.#closing) return;
        reject(new Error(`the embedded database's thread ended (${code})`));
        writeSync(2, `Passgate stopped: the embedded database's thread ended (${code})\n`);
        process.exit(1);
      });
    });
  }

  #receive(message: FromWorker) {
    if (message.kind === 'broken') process.exit(1);
    if (message.kind === 'notify') this.#listeners.get(message.channel)?.();
    if (message.kind !== 'result') return;
    this.#waiting.get(message.id)?.resolve(message);
    this.#waiting.delete(message.id);
  }

  #ask(message: ToWorker & { id: number }) {
    return new Promise<FromWorker & { kind: 'result' }>((resolve) => {
      this.#waiting.set(message.id, { resolve: resolve as (value: FromWorker) => void });
      this.#worker.postMessage(message);
    });
  }

  async query(
    sql: string,
    params: readonly unknown[],
    begin?: string,
  ): Promise<QueryResult<unknown>> {
    const answer = await this.#ask({ kind: 'query', id: this.#next++, sql, params, begin });
    if (answer.error) throw revive(answer.error);
    return {
      rows: answer.rows ?? [],
      numAffectedRows:
        answer.affectedRows === null || answer.affectedRows === undefined
          ? undefined
          : BigInt(answer.affectedRows),
    };
  }

  /** Answered by the worker between statements, whatever transaction holds the connection. */
  async ping() {
    await this.#ask({ kind: 'ping', id: this.#next++ });
  }

  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    this.#listeners.set(channel, onNotify);
    await this.#ask({ kind: 'listen', id: this.#next++, channel });
    return async () => {
      this.#listeners.delete(channel);
      await this.#ask({ kind: 'unlisten', id: this.#next++, channel });
    };
  }

  async close() {
    if (this.#closing) return;
    this.#closing = true;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.postMessage({ kind: 'close' } satisfies ToWorker);
    await exited;
  }
}

class EmbeddedConnection implements DatabaseConnection {
  /**
   * A transaction's BEGIN, sent with its first statement: a message less a transaction, and no
   * wait for this thread between them.
   */
  begin: string | undefined;

  constructor(readonly link: EmbeddedLink) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.run(query.sql, query.parameters) as Promise<QueryResult<R>>;
  }

  run(sql: string, params: readonly unknown[]) {
    const begin = this.begin;
    this.begin = undefined;
    return this.link.query(sql, params, begin);
  }

  // biome-ignore lint/correctness/useYield: PGlite streams nothing; Kysely asks only on demand
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('The embedded database does not stream rows');
  }
}

/**
 * Lends the one connection to one holder at a time. Requests are served first come first served;
 * background work (`inBackground`) takes turns with them: after each background turn, the
 * requests that queued during it go first, then the next background turn. A scan waits for at
 * most one part of an import or page of an export, however many are queued.
 */
class EmbeddedDriver implements Driver {
  readonly #connection: EmbeddedConnection;
  readonly #requests: (() => void)[] = [];
  readonly #background: (() => void)[] = [];
  #held = false;
  #heldByBackground = false;
  /** Requests to lend to before the next background turn. */
  #owed = 0;

  constructor(link: EmbeddedLink) {
    this.#connection = new EmbeddedConnection(link);
  }

  async init() {}

  acquireConnection(): Promise<DatabaseConnection> {
    const background = isBackground();
    if (!this.#held) {
      this.#held = true;
      this.#heldByBackground = background;
      return Promise.resolve(this.#connection);
    }
    return new Promise((resolve) =>
      (background ? this.#background : this.#requests).push(() => resolve(this.#connection)),
    );
  }

  async releaseConnection() {
    if (this.#heldByBackground) this.#owed = this.#requests.length;
    const request =
      this.#owed > 0 || this.#background.length === 0 ? this.#requests.shift() : undefined;
    const next = request ?? this.#background.shift();
    if (!next) {
      this.#held = false;
      return;
    }
    this.#heldByBackground = !request;
    if (request && this.#owed > 0) this.#owed--;
    next();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const level = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel}` : '';
    const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
    (connection as EmbeddedConnection).begin = `BEGIN${level}${mode}`;
  }

  async commitTransaction(connection: DatabaseConnection) {
    await (connection as EmbeddedConnection).run('COMMIT', []);
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    await (connection as EmbeddedConnection).run('ROLLBACK', []);
  }

  async destroy() {
    await this.#connection.link.close();
  }
}

/**
 * PGlite's adapter, but for one thing: Kysely would put every caller in one queue of its own
 * ahead of the driver, first come first served; the driver does the lending itself, in turns.
 */
class EmbeddedAdapter extends PGliteAdapter {
  override get supportsMultipleConnections() {
    return true;
  }
}

class EmbeddedDialect implements Dialect {
  constructor(readonly link: EmbeddedLink) {}
  createAdapter = () => new EmbeddedAdapter();
  createDriver = () => new EmbeddedDriver(this.link);
  createQueryCompiler = () => new PostgresQueryCompiler();
  createIntrospector = (db: Kysely<unknown>) => new PostgresIntrospector(db);
}

/** Opens PGlite in `pgdata` on its own thread: the dialect for Kysely, and its NOTIFYs. */
export async function openEmbedded(pgdata: string) {
  const link = new EmbeddedLink(pgdata);
  await link.ready(pgdata);
  return {
    dialect: new EmbeddedDialect(link),
    listen: (channel: string, onNotify: () => void) => link.listen(channel, onNotify),
    ping: () => link.ping(),
  };
}

import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, parse, protocol, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import parsePostgresDate from 'postgres-date';
import type { FromWorker, ToWorker } from './embedded';
import { statementNameOf } from './prepared';

// The embedded database's own thread: PGlite runs here, so that its work (a long import, an
// export, a claim) never holds the thread that answers HTTP. The server's thread sends each
// statement as a message and gets its rows back (embedded.ts); one statement runs at a time.

const port = parentPort;
if (!port) throw new Error('embedded-worker runs as a worker thread');
const send = (message: FromWorker) => port.postMessage(message);
const { pgdata } = workerData as { pgdata: string };

/** An error as plain data: its message, and the fields PostgreSQL's errors carry (code, …). */
function plain(error: unknown) {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) {
    return { message: String(error) };
  }
  const fields = Object.fromEntries(
    Object.entries(error).filter(([, value]) => ['string', 'number'].includes(typeof value)),
  );
  const { message, name } = error as { message?: string; name?: string };
  return { ...fields, message: message ?? '', name: name ?? 'Error' };
}

/**
 * Whether the embedded database failed in a way it cannot go on from: an abort of its
 * WebAssembly (PostgreSQL's PANIC), or a WAL file it could not write (a full disk). After such
 * a failure, the next statement spins the thread without end.
 */
function isBroken(error: unknown): boolean {
  if (error instanceof WebAssembly.RuntimeError) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'ExitStatus') return true;
  const code = (error as { code?: unknown }).code;
  return code === '53100' && /pg_wal|xlog/i.test(error.message);
}

/**
 * Ends the process (one line on stderr, exit code 1, for a supervisor to restart it) as soon as
 * the database fails beyond repair: every statement passes through `execProtocol` or
 * `execProtocolStream` while PGlite holds its lock, so no other statement starts after it.
 */
function exitWhenBroken(pglite: PGlite) {
  for (const name of ['execProtocol', 'execProtocolStream'] as const) {
    const original = pglite[name].bind(pglite) as (...args: unknown[]) => Promise<unknown>;
    Object.assign(pglite, {
      [name]: async (...args: unknown[]) => {
        try {
          return await original(...args);
        } catch (error) {
          if (isBroken(error)) {
            const message = error instanceof Error ? error.message : String(error);
            writeSync(
              2,
              `Passgate stopped: the embedded database cannot go on (${message}); free space in DATA_DIR, then start it again\n`,
            );
            // A worker's process.exit ends the thread alone: the server's thread ends the process.
            send({ kind: 'broken' });
            await new Promise(() => {});
          }
          throw error;
        }
      },
    });
  }
}

const { TIMESTAMPTZ, TIMESTAMP } = types;
let pglite: PGlite;
try {
  pglite = await PGlite.create(pgdata, {
    extensions: { pg_trgm },
    // PGlite's own parser is `new Date(text)`, which reads year 0080 as 1980. Parse timestamps
    // as node-postgres does, so that both databases give the same Date.
    parsers: { [TIMESTAMPTZ]: parsePostgresDate, [TIMESTAMP]: parsePostgresDate },
  });
} catch (error) {
  send({ kind: 'failed', error: plain(error) });
  await new Promise(() => {});
  throw error;
}
exitWhenBroken(pglite);
const unlisten = new Map<string, () => Promise<void>>();

/** The statements prepared by name on this connection, with their parameters' type ids. */
const prepared = new Map<string, number[]>();

/** Parses and describes a named statement: its parameters' type ids. */
async function prepare(name: string, text: string) {
  const { serialize } = protocol;
  await pglite.execProtocol(serialize.parse({ name, text }), { syncToFs: false });
  const described = await pglite.execProtocol(serialize.describe({ type: 'S', name }), {
    syncToFs: false,
  });
  const types = parse.parseDescribeStatementResults(described.messages);
  prepared.set(name, types);
  return types;
}

/**
 * Runs a named statement (`db/prepared.ts`; the scan is one) as PGlite's `query` runs any
 * other, through the extended protocol, but parsed and described once per connection and then
 * only bound and executed. PGlite's `query` parses and plans the text on every call: for the
 * scan, about 4 ms of the 5.5 its thread spent on a statement of one scan.
 */
function queryNamed(name: string, text: string, params: readonly unknown[]) {
  const { serialize } = protocol;
  return pglite.runExclusive(async () => {
    const messages: Awaited<ReturnType<PGlite['execProtocol']>>['messages'] = [];
    const exec = async (message: Uint8Array) => {
      const { messages: answer } = await pglite.execProtocol(message, { syncToFs: false });
      messages.push(...answer);
    };
    try {
      const types = prepared.get(name) ?? (await prepare(name, text));
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serializer = pglite.serializers[types[i] as number];
        return serializer ? serializer(value) : String(value);
      });
      await exec(serialize.bind({ statement: name, values }));
      await exec(serialize.describe({ type: 'P' }));
      await exec(serialize.execute({}));
    } finally {
      await exec(serialize.sync());
    }
    await pglite.syncToFs();
    const [result] = parse.parseResults(messages, pglite.parsers, { rowMode: 'object' });
    return { rows: result?.rows ?? [], affectedRows: result?.affectedRows };
  });
}

port.on('message', async (message: ToWorker) => {
  switch (message.kind) {
    case 'query':
      try {
        if (message.begin) await pglite.query(message.begin);
        const name = statementNameOf(message.sql);
        const { rows, affectedRows } = name
          ? await queryNamed(name, message.sql, message.params)
          : await pglite.query(message.sql, [...message.params], { rowMode: 'object' });
        send({ kind: 'result', id: message.id, rows, affectedRows: affectedRows ?? null });
      } catch (error) {
        send({ kind: 'result', id: message.id, error: plain(error) });
      }
      return;
    case 'listen':
      unlisten.set(
        message.channel,
        await pglite.listen(message.channel, () =>
          send({ kind: 'notify', channel: message.channel }),
        ),
      );
      send({ kind: 'result', id: message.id, rows: [], affectedRows: null });
      return;
    case 'unlisten':
      await unlisten.get(message.channel)?.();
      unlisten.delete(message.channel);
      send({ kind: 'result', id: message.id, rows: [], affectedRows: null });
      return;
    case 'ping':
      send({ kind: 'result', id: message.id, rows: [], affectedRows: null });
      return;
    case 'close':
      await pglite.close();
      port.close();
      return;
  }
});
send({ kind: 'ready' });

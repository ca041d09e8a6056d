import { installErrorMessages } from '@passgate/shared';
import { phoneLinkProblem } from '@passgate/shared/core';
import { loadConfig, publicUrlOf } from '../config';
import { StartError } from '../start-error';
import { runAdminCommand } from './commands';
import { AdminError, parseAdminCommand, USAGE } from './parse';
import { adminSocketPath, claimDataDir, sendToAdminSocket } from './socket';

/**
 * `pnpm admin …`: prints JSON on stdout (errors as `{ "error" }` on stderr, exit 1), and its usage
 * as text when run bare, as `help`, or with `--help` or `-h`. On the
 * embedded database, a running server is asked to run the command; otherwise the CLI opens the
 * database itself.
 */
async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    // Asked for, so not an error: readable text, exit 0, whatever the configuration says.
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // A mistake in the command is reported before any database is opened (which takes seconds),
  // in the API's words.
  installErrorMessages();
  const command = parseAdminCommand(argv);
  const config = loadConfig();
  const publicUrl = publicUrlOf(config);
  let result: unknown;
  const viaServer = config.databaseUrl
    ? undefined
    : await sendToAdminSocket(adminSocketPath(config.dataDir), argv);
  if (viaServer) {
    if (viaServer.status !== 200) {
      process.stderr.write(`${JSON.stringify(viaServer.body)}\n`);
      return 1;
    }
    result = viaServer.body;
  } else {
    // Loaded only here: a command that a running server runs needs no driver, which would be most
    // of the CLI's start.
    const { createDatabase } = await import('../db/create');
    // No server answered (or PostgreSQL): this process opens the database itself. On the
    // embedded one it holds DATA_DIR meanwhile, so that a server started now refuses to start
    // rather than open it too.
    const claim = config.databaseUrl
      ? undefined
      : await claimDataDir(config.dataDir, 'the admin CLI');
    try {
      const handle = await createDatabase(config);
      try {
        await handle.migrate();
        result = await runAdminCommand({ db: handle.db, publicUrl }, command);
      } finally {
        await handle.close();
      }
    } finally {
      await claim?.close();
    }
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const pairingUrl = (result as { pairingUrl?: string }).pairingUrl;
  if (argv.includes('--qr') && pairingUrl) {
    // On stderr, so stdout stays pure JSON for scripts.
    const { default: QRCode } = await import('qrcode');
    // Colour codes for a terminal; plain block characters when written to a file or a pipe.
    const qr = await QRCode.toString(
      pairingUrl,
      process.stderr.isTTY ? { type: 'terminal', small: true } : { type: 'utf8' },
    );
    process.stderr.write(
      `\nScan with the phone's camera to open the scanner already paired:\n${qr}\n${pairingUrl}\n`,
    );
  }
  const forPhones = pairingUrl ? phoneLinkProblem(pairingUrl) : undefined;
  if (forPhones) {
    process.stderr.write(`\nThis link ${forPhones.words}, then make a new link.\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof AdminError || error instanceof StartError;
    process.stderr.write(
      `${JSON.stringify({ error: known ? (error as Error).message : String(error) })}\n`,
    );
    process.exit(1);
  },
);

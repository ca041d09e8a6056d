// `pnpm start --lan`: Passgate on this machine's local network over HTTPS, for trying it with a
// phone. A phone's browser gives the scanner its camera only at an https:// address, so this
// makes a self-signed certificate for the machine's network address (kept in DATA_DIR and made
// again when the address changes), and points PUBLIC_URL, the address in every link and pairing
// QR, at it. The phone warns about the certificate once; docs/operations.md says what it shows.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';

const CERTIFICATE_DAYS = 365;

/** This machine's first IPv4 address on a network (not loopback), if it has one. */
export function lanAddress(interfaces = networkInterfaces()) {
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

/** The certificate for `address` in `dir`: the one made before if it names it, else a new one. */
async function certificateFor(address, dir) {
  const files = {
    cert: path.join(dir, 'cert.pem'),
    key: path.join(dir, 'key.pem'),
    about: path.join(dir, 'certificate.json'),
  };
  try {
    const about = JSON.parse(readFileSync(files.about, 'utf8'));
    if (about.address === address && Date.parse(about.notAfter) > Date.now() + 86_400_000) {
      return files;
    }
  } catch {
    // None yet, or unreadable: make one.
  }
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + CERTIFICATE_DAYS * 86_400_000);
  const made = await generate([{ name: 'commonName', value: `Passgate on ${address}` }], {
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: address },
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(files.cert, made.cert);
  writeFileSync(files.key, made.private, { mode: 0o600 });
  writeFileSync(files.about, JSON.stringify({ address, notAfter: notAfterDate.toISOString() }));
  return files;
}

/**
 * Sets the environment the server reads for serving on the local network: TLS_CERT_FILE,
 * TLS_KEY_FILE and, unless it is set, PUBLIC_URL. Returns the public address, or throws with
 * what to do when this machine is on no network.
 */
export async function serveOnLan(env = process.env) {
  const address = lanAddress();
  if (!address) {
    throw new Error(
      '--lan: this machine has no network address; connect it to the Wi-Fi the phones use',
    );
  }
  const port = env.PORT || '3000';
  if (Number(port) === 0) throw new Error('--lan: set PORT to a fixed port, which the links name');
  const files = await certificateFor(address, path.resolve(env.DATA_DIR || './data', 'lan-tls'));
  env.TLS_CERT_FILE = files.cert;
  env.TLS_KEY_FILE = files.key;
  env.PUBLIC_URL ||= `https://${address}:${port}`;
  return env.PUBLIC_URL;
}

/** What to tell the person at the laptop, before the server's own log. */
export const lanInstructions = (publicUrl) =>
  [
    `Serving on the local network at ${publicUrl} (a self-signed certificate).`,
    'On the phone, on the same Wi-Fi: open the dashboard there, or the pairing QR of a door.',
    'The phone warns once that the connection is not private, as it should for a certificate',
    'it cannot check: Chrome: "Advanced", then "Proceed to …"; Safari: "Show Details", then',
    '"visit this website". The camera then works; opening offline needs a trusted certificate',
    '(docs/operations.md, "Phones").',
    '',
  ].join('\n');

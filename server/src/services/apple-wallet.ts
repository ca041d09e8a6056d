import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config';
import { StartError } from '../start-error';

/** The pass certificate, its key and Apple's WWDR intermediate, read and checked at start. */
export interface AppleWallet {
  passTypeId: string;
  teamId: string;
  certificates: {
    signerCert: Buffer;
    signerKey: Buffer;
    signerKeyPassphrase?: string;
    wwdr: Buffer;
  };
  apnsUrl: string;
}

const read = (file: string, variable: string) => {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new StartError(`${variable} ${file}: ${(error as Error).message}`);
  }
};

/**
 * Apple Wallet as `APPLE_WALLET_*` configure it, or undefined when they do not. A file that
 * cannot be read, a certificate that is not one, or a key that is not the certificate's stops
 * the start with one line naming the variable.
 */
export function loadAppleWallet(config: Config['appleWallet']): AppleWallet | undefined {
  if (!config) return undefined;
  const signerCert = read(config.certFile, 'APPLE_WALLET_CERT');
  const signerKey = read(config.keyFile, 'APPLE_WALLET_KEY');
  const wwdr = read(config.wwdrFile, 'APPLE_WALLET_WWDR');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(signerCert);
    new X509Certificate(wwdr);
  } catch (error) {
    const which = (() => {
      try {
        new X509Certificate(signerCert);
        return 'APPLE_WALLET_WWDR';
      } catch {
        return 'APPLE_WALLET_CERT';
      }
    })();
    throw new StartError(`${which}: not a PEM certificate (${(error as Error).message})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: signerKey, passphrase: config.keyPassphrase });
  } catch (error) {
    throw new StartError(
      `APPLE_WALLET_KEY: not a private key that opens with APPLE_WALLET_KEY_PASSPHRASE (${(error as Error).message})`,
    );
  }
  const spki = (value: KeyObject) =>
    value.export({ type: 'spki', format: 'der' }).toString('base64');
  if (spki(createPublicKey(key)) !== spki(certificate.publicKey)) {
    throw new StartError('APPLE_WALLET_KEY is not the key of the certificate in APPLE_WALLET_CERT');
  }
  return {
    passTypeId: config.passTypeId,
    teamId: config.teamId,
    certificates: {
      signerCert,
      signerKey,
      ...(config.keyPassphrase ? { signerKeyPassphrase: config.keyPassphrase } : {}),
      wwdr,
    },
    apnsUrl: config.apnsUrl,
  };
}

/**
 * The `authenticationToken` of a pass's Wallet copy: derived from the holder's page token (a
 * secret of the pass that never leaves the server but in the holder's link), so it is the same in
 * every version of the pass, unique to it, and reveals nothing of the page token. Nothing more is
 * stored; it is checked by deriving it again.
 */
export const walletToken = (publicToken: string) =>
  createHmac('sha256', publicToken).update('apple-wallet').digest('base64url');

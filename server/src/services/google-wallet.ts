import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { Config } from '../config';
import { StartError } from '../start-error';

// Google Wallet through its REST API (walletobjects), as the operator's service account: an
// OAuth access token by the JWT-bearer grant, kept until a minute before it expires, and the
// "save to Google Wallet" links, JWTs signed RS256 with the same key. Every address is
// configurable, so tests run Google as a local fake.

const SCOPE = 'https://www.googleapis.com/auth/wallet_object.issuer';
const REQUEST_TIMEOUT_MS = 10_000;

const ServiceAccount = z.object({
  client_email: z.string().min(3),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
});

export interface GoogleAnswer {
  status: number;
  body: unknown;
}

export interface GoogleWallet {
  issuerId: string;
  clientEmail: string;
  /** The address a holder is sent to with a save link's JWT appended. */
  saveUrl: string;
  /** The signed JWT of a "save to Google Wallet" link for objects already inserted. */
  saveJwt(objectIds: readonly string[], origins: readonly string[]): Promise<string>;
  /** One call of the walletobjects API (`path` under `GOOGLE_WALLET_API_URL`). */
  call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<GoogleAnswer>;
}

/**
 * Google Wallet as `GOOGLE_WALLET_*` configure it, or undefined when they do not. A credentials
 * file that cannot be read, is not a service account's JSON, or holds no usable private key
 * stops the start with one line naming the variable.
 */
export function loadGoogleWallet(config: Config['googleWallet']): GoogleWallet | undefined {
  if (!config) return undefined;
  const variable = 'GOOGLE_WALLET_CREDENTIALS';
  let text: string;
  try {
    text = readFileSync(config.credentialsFile, 'utf8');
  } catch (error) {
    throw new StartError(`${variable} ${config.credentialsFile}: ${(error as Error).message}`);
  }
  let account: z.infer<typeof ServiceAccount>;
  try {
    account = ServiceAccount.parse(JSON.parse(text));
  } catch {
    throw new StartError(
      `${variable}: not a service account key (JSON with client_email and private_key)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(account.private_key);
  } catch (error) {
    throw new StartError(`${variable}: its private_key is not a key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new StartError(`${variable}: its private_key is not an RSA key`);
  }
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    ...(account.private_key_id ? { kid: account.private_key_id } : {}),
  };

  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async () => {
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader(header)
      .setIssuer(account.client_email)
      .setAudience(config.tokenUrl)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    const answer = await fetch(config.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await answer.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
    };
    if (!answer.ok || !body.access_token) {
      throw new Error(`Google's token endpoint answered ${answer.status}`);
    }
    cached = {
      token: body.access_token,
      until: Date.now() + ((body.expires_in ?? 3600) - 60) * 1000,
    };
    return body.access_token;
  };
  const accessToken = () => {
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.token);
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const once = async (method: string, path: string, body: unknown): Promise<GoogleAnswer> => {
    const answer = await fetch(`${config.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await accessToken()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: answer.status, body: await answer.json().catch(() => undefined) };
  };

  return {
    issuerId: config.issuerId,
    clientEmail: account.client_email,
    saveUrl: config.saveUrl,
    saveJwt: (objectIds, origins) =>
      new SignJWT({
        origins: [...origins],
        typ: 'savetowallet',
        payload: { genericObjects: objectIds.map((id) => ({ id })) },
      })
        .setProtectedHeader(header)
        .setIssuer(account.client_email)
        .setAudience('google')
        .setIssuedAt()
        .sign(key),
    async call(method, path, body) {
      const answer = await once(method, path, body);
      if (answer.status !== 401) return answer;
      // A token revoked or expired early: fetch another, once.
      cached = undefined;
      return once(method, path, body);
    },
  };
}

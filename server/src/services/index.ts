import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { ScanQueue } from '../domain/scans/queue';
import type { Logger } from '../logger';
import type { AppleWallet } from './apple-wallet';
import type { AttemptThrottle } from './attempt-throttle';
import type { CallerCache } from './callers';
import type { DevicePresence } from './device-presence';
import type { DiskSpace } from './disk-space';
import type { GoogleWallet } from './google-wallet';
import type { LiveStreams } from './live-streams';
import type { Mail } from './mail';
import type { PasswordHashing } from './password-hashing';
import type { RateLimits } from './rate-limits';
import type { ScanFeeds } from './scan-feeds';
import type { SigningKeys } from './signing-keys';

/** Everything a request handler may use, built once at start and passed in. */
export interface Services {
  db: Kysely<Database>;
  /**
   * Resolves when the database answers (`/healthz`): a query on PostgreSQL; on the embedded
   * database, its thread, which a long transaction holding the one connection does not stop.
   */
  databaseAnswers: () => Promise<unknown>;
  /** Base of every `publicUrl`: PUBLIC_URL, or localhost on the bound port. */
  publicUrl: string;
  logger: Logger;
  rateLimits: RateLimits;
  /** Each API key's caller, kept between requests until a key or tenant changes. */
  callers: CallerCache;
  /** When each door device was last seen, written at most every 30 seconds. */
  devicePresence: DevicePresence;
  /** The event streams open on this server, ended when it stops. */
  liveStreams: LiveStreams;
  /** The scan streams' one poller: a read a tenant an interval, however many streams. */
  scanFeeds: ScanFeeds;
  /** Where every scan goes to be decided, together with the scans that arrive beside it. */
  scans: ScanQueue;
  /** Sign-ins, invitations and pairings: counted per email and address, slowed past a few. */
  throttle: AttemptThrottle;
  /** Password hashes, a bounded number at once. */
  passwords: PasswordHashing;
  /** The client's address, through trusted proxies (`TRUST_PROXY`): what per-address limits count. */
  clientAddress: (c: Context) => string;
  /** Whether the database's disk is nearly full (then writes are refused). */
  disk: DiskSpace;
  /** Webhook settings: whether private targets are allowed, retry schedule, timeout. */
  webhooks: Config['webhooks'];
  /** Mail through the operator's SMTP server (`SMTP_URL`); undefined when none is set. */
  mail: Mail | undefined;
  /** Apple Wallet's certificates (`APPLE_WALLET_*`); undefined when not configured. */
  appleWallet: AppleWallet | undefined;
  /** The tenants' keys for signed pass codes. */
  signingKeys: SigningKeys;
  /** Google Wallet's issuer and service account (`GOOGLE_WALLET_*`); undefined when not configured. */
  googleWallet: GoogleWallet | undefined;
}

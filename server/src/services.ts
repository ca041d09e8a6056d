import type { Kysely } from 'kysely';
import type { Config } from './config';
import type { Database } from './db/schema';
import type { Logger } from './logger';
import type { RateLimits } from './middleware/rate-limit';

/** Everything a request handler may use, built once at start and passed in. */
export interface Services {
  db: Kysely<Database>;
  /** Base of every `publicUrl`: PUBLIC_URL, or localhost on the bound port. */
  publicUrl: string;
  logger: Logger;
  rateLimits: RateLimits;
  /** Webhook settings: whether private targets are allowed, retry schedule, timeout. */
  webhooks: Config['webhooks'];
}

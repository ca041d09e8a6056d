import path from 'node:path';
import { z } from 'zod';
import { parseTrustProxy } from './client-address';
import { StartError } from './start-error';

const flag = z
  .enum(['0', '1', 'true', 'false'], { error: 'expected 1, 0, true or false' })
  .transform((value) => value === '1' || value === 'true');

/** Standard Webhooks' retry delays after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
const STANDARD_RETRY_SCHEDULE = '5,300,1800,7200,18000,36000,36000';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  PUBLIC_URL: z
    .url({ error: 'must be an absolute URL such as https://passes.example.com' })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  SCAN_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(2),
  WEBHOOK_ALLOW_PRIVATE: flag.default(false),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated whole seconds, e.g. 5,300,1800')
    .default(STANDARD_RETRY_SCHEDULE),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseTrustProxy(value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message:
            'must be a number of proxies (1), or a comma-separated list of addresses and ranges (10.0.0.0/8, loopback)',
        });
        return z.NEVER;
      }
    }),
  DISK_FREE_MARGIN_MB: z.coerce.number().int().min(0).max(1_000_000).default(64),
  SCANNER_DIST: z.string().min(1).optional(),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  APPLE_WALLET_PASS_TYPE_ID: z
    .string()
    .regex(
      /^pass\.[A-Za-z0-9.-]+$/,
      'must be a pass type identifier such as pass.com.example.ticket',
    )
    .optional(),
  APPLE_WALLET_TEAM_ID: z
    .string()
    .regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Apple team id')
    .optional(),
  APPLE_WALLET_CERT: z.string().min(1).optional(),
  APPLE_WALLET_KEY: z.string().min(1).optional(),
  APPLE_WALLET_KEY_PASSPHRASE: z.string().optional(),
  APPLE_WALLET_WWDR: z.string().min(1).optional(),
  APPLE_WALLET_APNS_URL: z
    .url({ error: 'must be an absolute URL such as https://api.push.apple.com' })
    .default('https://api.push.apple.com'),
  SIGNING_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (openssl rand -base64 32)')
    .optional(),
  GOOGLE_WALLET_ISSUER_ID: z
    .string()
    .regex(/^\d{1,30}$/, 'must be the issuer id of your Google Wallet console (digits)')
    .optional(),
  GOOGLE_WALLET_CREDENTIALS: z.string().min(1).optional(),
  GOOGLE_WALLET_API_URL: z
    .url({ error: 'must be an absolute URL' })
    .default('https://walletobjects.googleapis.com/walletobjects/v1'),
  GOOGLE_WALLET_TOKEN_URL: z
    .url({ error: 'must be an absolute URL' })
    .default('https://oauth2.googleapis.com/token'),
  GOOGLE_WALLET_SAVE_URL: z
    .url({ error: 'must be an absolute URL' })
    .default('https://pay.google.com/gp/v/save/'),
});

/** The Apple Wallet variables that must all be set for it to be on. */
const APPLE_WALLET_REQUIRED = [
  'APPLE_WALLET_PASS_TYPE_ID',
  'APPLE_WALLET_TEAM_ID',
  'APPLE_WALLET_CERT',
  'APPLE_WALLET_KEY',
  'APPLE_WALLET_WWDR',
] as const;

/** Every environment variable the server reads (docs/configuration.md describes each). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);

const ConfigSchema = EnvSchema.refine(
  (env) => (env.TLS_CERT_FILE === undefined) === (env.TLS_KEY_FILE === undefined),
  { message: 'set both TLS_CERT_FILE and TLS_KEY_FILE, or neither', path: ['TLS_CERT_FILE'] },
)
  .refine((env) => env.SMTP_URL === undefined || env.MAIL_FROM !== undefined, {
    message: 'set MAIL_FROM, the sender of the mail SMTP_URL sends (Passgate <passes@example.com>)',
    path: ['MAIL_FROM'],
  })
  .superRefine((env, ctx) => {
    const set = APPLE_WALLET_REQUIRED.filter((name) => env[name] !== undefined);
    if (set.length === 0 || set.length === APPLE_WALLET_REQUIRED.length) return;
    for (const name of APPLE_WALLET_REQUIRED.filter((name) => env[name] === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `Apple Wallet needs it too, as ${set.join(', ')} is set`,
      });
    }
  })
  .refine(
    (env) =>
      (env.GOOGLE_WALLET_ISSUER_ID === undefined) === (env.GOOGLE_WALLET_CREDENTIALS === undefined),
    {
      message: 'set both GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_CREDENTIALS, or neither',
      path: ['GOOGLE_WALLET_CREDENTIALS'],
    },
  )
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DATA_DIR),
    /** Where rate-limit counters live when set; else PostgreSQL (with DATABASE_URL) or memory. */
    redisUrl: env.REDIS_URL,
    /** Without an explicit PUBLIC_URL, links point at localhost on the port actually bound. */
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    /** How long a query may wait for PostgreSQL before it fails (503) and its connection is closed. */
    databaseQueryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
    /** Scan statements one server process runs at once; scans arriving meanwhile go together. */
    scanConcurrency: env.SCAN_CONCURRENCY,
    /** Proxies whose `X-Forwarded-For` names the client, for every per-address limit. */
    trustProxy: env.TRUST_PROXY,
    /** On the embedded database, writes are refused while DATA_DIR has less free space than this. */
    diskFreeMarginBytes: env.DISK_FREE_MARGIN_MB * 1024 * 1024,
    /** The scanner build served under /scanner/, when not the one beside the server. */
    scannerDist: env.SCANNER_DIST === undefined ? undefined : path.resolve(env.SCANNER_DIST),
    /** Where invitations and password links are mailed from, when set; else none is mailed. */
    mail: { smtpUrl: env.SMTP_URL, mailFrom: env.MAIL_FROM },
    /** A certificate and key in PEM files: the server itself speaks HTTPS. */
    tls:
      env.TLS_CERT_FILE && env.TLS_KEY_FILE
        ? { certFile: path.resolve(env.TLS_CERT_FILE), keyFile: path.resolve(env.TLS_KEY_FILE) }
        : undefined,
    /** Apple Wallet passes, when every one of its variables is set (files are read at start). */
    appleWallet:
      env.APPLE_WALLET_PASS_TYPE_ID &&
      env.APPLE_WALLET_TEAM_ID &&
      env.APPLE_WALLET_CERT &&
      env.APPLE_WALLET_KEY &&
      env.APPLE_WALLET_WWDR
        ? {
            passTypeId: env.APPLE_WALLET_PASS_TYPE_ID,
            teamId: env.APPLE_WALLET_TEAM_ID,
            certFile: path.resolve(env.APPLE_WALLET_CERT),
            keyFile: path.resolve(env.APPLE_WALLET_KEY),
            keyPassphrase: env.APPLE_WALLET_KEY_PASSPHRASE,
            wwdrFile: path.resolve(env.APPLE_WALLET_WWDR),
            apnsUrl: env.APPLE_WALLET_APNS_URL.replace(/\/+$/, ''),
          }
        : undefined,
    /**
     * What encrypts the tenants' signing keys: SIGNING_SECRET, else (embedded database) a secret
     * made once in DATA_DIR; with PostgreSQL and no SIGNING_SECRET, passes carry no signed code.
     */
    signingSecret: env.SIGNING_SECRET,
    /** Google Wallet passes, when its issuer and service account are set (read at start). */
    googleWallet:
      env.GOOGLE_WALLET_ISSUER_ID && env.GOOGLE_WALLET_CREDENTIALS
        ? {
            issuerId: env.GOOGLE_WALLET_ISSUER_ID,
            credentialsFile: path.resolve(env.GOOGLE_WALLET_CREDENTIALS),
            apiUrl: env.GOOGLE_WALLET_API_URL.replace(/\/+$/, ''),
            tokenUrl: env.GOOGLE_WALLET_TOKEN_URL,
            saveUrl: env.GOOGLE_WALLET_SAVE_URL,
          }
        : undefined,
    webhooks: {
      /** Allow http:// and private, loopback and link-local targets (development and tests). */
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      /** Seconds to wait before each retry; its length is the number of retries. */
      retrySchedule: env.WEBHOOK_RETRY_SCHEDULE.split(',').map(Number),
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      pollMs: env.WEBHOOK_POLL_MS,
    },
  }));

export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends StartError {}

/** Base of every public link: PUBLIC_URL, or localhost on the given (bound) port. */
export const publicUrlOf = (config: Pick<Config, 'publicUrl' | 'port'>, port = config.port) =>
  config.publicUrl ?? `http://localhost:${port}`;

/** Reads and validates the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

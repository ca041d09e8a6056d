import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import * as core from './migrations/2026-11-22-core';
import * as webhooks from './migrations/2026-11-22-webhooks';
import * as authNotify from './migrations/2026-11-23-auth-notify';
import * as passByTenantCode from './migrations/2026-11-24-pass-by-tenant-code';
import * as rateLimits from './migrations/2026-12-03-rate-limits';
import * as scanDevices from './migrations/2026-12-03-scan-devices';
import * as users from './migrations/2026-12-03-users';
import * as scanClock from './migrations/2026-12-05-scan-clock';
import * as typedCodes from './migrations/2026-12-06-typed-codes';
import * as uniqueClientNames from './migrations/2026-12-06-unique-client-names';
import * as locations from './migrations/2026-12-07-locations';
import * as presence from './migrations/2026-12-07-presence';
import * as presenceOccupancy from './migrations/2026-12-07-presence-occupancy';
import * as doorPresence from './migrations/2026-12-08-door-presence';
import * as templates from './migrations/2026-12-09-templates';
import * as walletRegistrations from './migrations/2026-12-10-wallet-registrations';
import * as walletPushes from './migrations/2026-12-11-wallet-pushes';
import * as walletUpdates from './migrations/2026-12-12-wallet-updates';
import * as signingKeys from './migrations/2026-12-13-signing-keys';
import * as revocations from './migrations/2026-12-14-revocations';
import * as deliveryClaims from './migrations/2026-12-15-delivery-claims';
import * as sessionNotify from './migrations/2026-12-16-session-notify';
import * as passSearchKey from './migrations/2026-12-17-pass-search-key';
import * as passImports from './migrations/2026-12-18-pass-imports';
import type { Database } from './schema';

/** Every migration, by date-prefixed name, listed explicitly so a bundler or a typo cannot drop one. */
const migrations: Record<string, Migration> = {
  '2026-11-22-core': core,
  '2026-11-22-webhooks': webhooks,
  '2026-11-23-auth-notify': authNotify,
  '2026-11-24-pass-by-tenant-code': passByTenantCode,
  '2026-12-03-rate-limits': rateLimits,
  '2026-12-03-scan-devices': scanDevices,
  '2026-12-03-users': users,
  '2026-12-05-scan-clock': scanClock,
  '2026-12-06-typed-codes': typedCodes,
  '2026-12-06-unique-client-names': uniqueClientNames,
  '2026-12-07-locations': locations,
  '2026-12-07-presence': presence,
  '2026-12-07-presence-occupancy': presenceOccupancy,
  '2026-12-08-door-presence': doorPresence,
  '2026-12-09-templates': templates,
  '2026-12-10-wallet-registrations': walletRegistrations,
  '2026-12-11-wallet-pushes': walletPushes,
  '2026-12-12-wallet-updates': walletUpdates,
  '2026-12-13-signing-keys': signingKeys,
  '2026-12-14-revocations': revocations,
  '2026-12-15-delivery-claims': deliveryClaims,
  '2026-12-16-session-notify': sessionNotify,
  '2026-12-17-pass-search-key': passSearchKey,
  '2026-12-18-pass-imports': passImports,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; safe to run from several instances at once (Kysely takes a lock). */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Brings the schema up to the named migration: what a test of the next one starts from. */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

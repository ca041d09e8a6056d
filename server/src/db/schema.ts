import type {
  CustomField,
  EventType,
  PassType,
  RecordedScanResult,
  ScanAnswerResult,
  ScanDirection,
  ScanRejection,
  StoredPassStatus,
  TEST_EVENT,
  TemplateLayout,
} from '@passgate/shared';
import type { ColumnType, Generated, Selectable } from 'kysely';
import type {
  GoogleWalletObjectTable,
  RevocationTable,
  SigningKeyTable,
  WalletFanoutTable,
  WalletPushTable,
  WalletRegistrationTable,
} from './schema-wallets';

export type Plan = 'free' | 'basic' | 'pro';
export type KeyScope = 'full' | 'scan';
export type { EventType };

/** A jsonb column: written as a JSON string, read back parsed. */
type Json<T> = ColumnType<T, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface TenantTable {
  id: string;
  name: string;
  plan: Plan;
  max_passes: number | null;
  webhook_quota: Generated<number>;
  created_at: CreatedAt;
}

export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  /** `2pk_` and the first 8 random characters: shown in listings, used to find the row. */
  prefix: string;
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  key_hash: string;
  scope: KeyScope;
  rate_limit: number | null;
  /** The door device this key is the credential of, if any. */
  device_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

/** A named door scanner (phone or tablet); its credential is a scan-scope key bound to it. */
export interface DeviceTable {
  id: string;
  tenant_id: string;
  name: string;
  /** Requests a minute its credential may make (a door's default is above a key's). */
  rate_limit: number;
  created_at: CreatedAt;
  last_seen_at: Date | null;
  last_sync_at: Date | null;
  /** The device's clock minus the server's, at its last request that said its time. */
  clock_skew_ms: number | null;
  /** Scans waiting on the device to upload, as of its last report. */
  queue_size: ColumnType<number | null, number | null | undefined, number | null>;
  revoked_at: Date | null;
  /** The location it stands at; null: it admits at any. */
  location_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A place of a tenant: passes and doors belong to one, or to none (good everywhere). */
export interface LocationTable {
  tenant_id: string;
  /** `loc_…`, or a value passes named it by before locations existed. */
  id: string;
  name: string;
  address: string | null;
  timezone: Generated<string>;
  latitude: number | null;
  longitude: number | null;
  capacity: number | null;
  reentry: Generated<boolean>;
  created_at: CreatedAt;
  archived_at: Date | null;
  /** Passes inside now, kept by a trigger on `presence`. */
  occupancy: ColumnType<number, never, never>;
  /** Occupancy reached capacity, and `location.capacity_reached` was told; till it drops below. */
  at_capacity: ColumnType<boolean, never, never>;
}

/** A PNG kept once, by the SHA-256 (hex) of its bytes: its public address is made of that. */
export interface ImageTable {
  id: string;
  png: Uint8Array;
  width: number;
  height: number;
  created_at: CreatedAt;
}

/** How a tenant's passes look: on the holder's page and in the wallets. */
export interface TemplateTable {
  tenant_id: string;
  /** `tpl_…`, or a value passes named it by before templates existed. */
  id: string;
  name: string;
  organization_name: string;
  description: string;
  background_color: string;
  foreground_color: string;
  label_color: string;
  layout: ColumnType<TemplateLayout, string, string>;
  logo_image_id: string | null;
  icon_image_id: string | null;
  strip_image_id: string | null;
  support_url: string | null;
  support_email: string | null;
  support_phone: string | null;
  terms_url: string | null;
  is_default: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Date;
  archived_at: Date | null;
}

/** A one-time link that pairs a phone as a device; only the token's hash is kept. */
export interface DevicePairingTable {
  token_hash: string;
  device_id: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

export type Role = 'admin' | 'staff';

/** A person who signs in to the dashboard; `password_hash` is null until the invite is taken. */
export interface UserTable {
  id: string;
  tenant_id: string;
  email: string;
  name: string | null;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (see domain/passwords). */
  password_hash: string | null;
  created_at: CreatedAt;
  last_sign_in_at: Date | null;
  disabled_at: Date | null;
}

/** A one-time link that lets an invited user set a password; only the token's hash is kept. */
export interface UserInviteTable {
  token_hash: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

/** A signed-in browser, keyed by the hash of the token its cookie holds. */
export interface SessionTable {
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
  last_seen_at: Date;
  /** The latest it may last, however busy (7 days after sign-in). */
  expires_at: Date;
  ended_at: Date | null;
}

export interface ClientTable {
  id: string;
  tenant_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  notes: string | null;
  created_at: CreatedAt;
  /** The name folded (case and accents off, `domain/folding.ts`), made by the database: unique per tenant. */
  name_key: ColumnType<string, never, never>;
}

export interface PassTable {
  id: string;
  tenant_id: string;
  code: string;
  public_token: string;
  name: string | null;
  note: string | null;
  type: PassType;
  status: StoredPassStatus;
  usages_count: Generated<number>;
  max_usages: number | null;
  valid_from: Date | null;
  valid_until: Date | null;
  fields: Json<CustomField[]>;
  template_id: string | null;
  location_id: string | null;
  client_id: string | null;
  last_admitted_at: Date | null;
  created_at: CreatedAt;
  updated_at: Date;
  /** The id of the transaction that last wrote the row (set by a trigger): the sync order. */
  sync_xid: ColumnType<string, never, never>;
  /** Some wallet holds (or held) the pass: only then do the wallet triggers fire (set by one). */
  in_wallet: ColumnType<boolean, never, never>;
  /** Name, client's name and code, folded, for `search` (kept by triggers). */
  search_key: ColumnType<string, never, never>;
}

export interface ScanTable {
  id: string;
  tenant_id: string;
  /** Null only for `unknown_pass`: an exit of a code that is no pass. */
  pass_id: string | null;
  /** The code as scanned, kept only where no pass has it (`unknown_pass`). */
  code: ColumnType<string | null, string | null | undefined, string | null>;
  api_key_id: string | null;
  /** Free text a caller may send to name its door. */
  device: string | null;
  device_id: ColumnType<string | null, string | null | undefined, string | null>;
  result: RecordedScanResult;
  /** When the door scanned: the server's clock online, the device's for an upload. */
  scanned_at: Date;
  /** When the server recorded it. */
  received_at: Date;
  /** Decided on the phone and uploaded afterwards. */
  offline: ColumnType<boolean, boolean | undefined, boolean>;
  /** An offline admit the server's rule would have refused: the server's reason. */
  conflict: ColumnType<
    ScanRejection | null,
    ScanRejection | null | undefined,
    ScanRejection | null
  >;
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
  annulled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** How far the server moved an upload's `scanned_at` because the phone's clock was off. */
  clock_corrected_ms: ColumnType<string | null, number | null | undefined, number | null>;
  /** The id of the transaction that wrote the scan: the order of the live scan stream. */
  stream_xid: ColumnType<string, never, never>;
  /** Which way it let the pass through. */
  direction: ColumnType<ScanDirection, ScanDirection | undefined, ScanDirection>;
  /** Where it counted: its door's location (or the one its key named), else the pass's. */
  location_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A pass's last successful entry (inside) or exit at a location. */
export interface PresenceTable {
  tenant_id: string;
  pass_id: string;
  location_id: string;
  inside: boolean;
  changed_at: Date;
}

export interface EventTable {
  id: string;
  tenant_id: string;
  /** What happened; `webhook.test` is a test sent to one subscription. */
  type: EventType | typeof TEST_EVENT;
  /** The id of the object the event is about (pass, client). */
  subject_id: string;
  data: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface IdempotencyKeyTable {
  api_key_id: string;
  key: string;
  fingerprint: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_body: string | null;
  created_at: Date;
}

export interface WebhookTable {
  id: string;
  tenant_id: string;
  event: EventType;
  target_url: string;
  /** `whsec_…`: the Standard Webhooks signing secret, shown to the tenant once. */
  secret: string;
  active: Generated<boolean>;
  created_at: CreatedAt;
}

/** One message for one subscription; written by the `events_fan_out` trigger. */
export interface WebhookDeliveryTable {
  webhook_id: string;
  event_id: string;
  tenant_id: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  /** A worker's lease while it sends; another may take the delivery after it passes. */
  locked_until: Date | null;
  created_at: Date;
}

export interface WebhookAttemptTable {
  id: string;
  webhook_id: string;
  event_id: string;
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  next_retry_at: Date | null;
  attempted_at: Date;
}

/** rate-limiter-flexible's counters on PostgreSQL (written by the library only). */
export interface RateLimitTable {
  key: string;
  points: Generated<number>;
  /** Milliseconds since the epoch when the window ends. */
  expire: number | null;
}

/** A CSV import accepted whole and written in parts: gone once its last pass is written. */
export interface PassImportTable {
  id: string;
  tenant_id: string;
  /** The checked passes, as JSON, in the file's order. */
  passes: string;
  total: number;
  /** How many of them are written: the next part starts here. */
  written: Generated<number>;
  /** Until when the server writing it holds it; past this, any server may take it on. */
  lease_until: Date;
  created_at: Generated<Date>;
}

export interface Database {
  tenants: TenantTable;
  api_keys: ApiKeyTable;
  devices: DeviceTable;
  locations: LocationTable;
  templates: TemplateTable;
  images: ImageTable;
  wallet_registrations: WalletRegistrationTable;
  wallet_pushes: WalletPushTable;
  google_wallet_objects: GoogleWalletObjectTable;
  wallet_fanouts: WalletFanoutTable;
  signing_keys: SigningKeyTable;
  revocations: RevocationTable;
  presence: PresenceTable;
  users: UserTable;
  user_invites: UserInviteTable;
  sessions: SessionTable;
  device_pairings: DevicePairingTable;
  clients: ClientTable;
  passes: PassTable;
  pass_imports: PassImportTable;
  scans: ScanTable;
  events: EventTable;
  idempotency_keys: IdempotencyKeyTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  rate_limits: RateLimitTable;
}

export type Tenant = Selectable<TenantTable>;
export type ApiKey = Selectable<ApiKeyTable>;
export type ClientRow = Selectable<ClientTable>;
export type PassRow = Selectable<PassTable>;
export type DeviceRow = Selectable<DeviceTable>;
export type LocationRow = Selectable<LocationTable>;
export type TemplateRow = Selectable<TemplateTable>;
export type SigningKeyRow = Selectable<SigningKeyTable>;
export type UserRow = Selectable<UserTable>;
export type UserInviteRow = Selectable<UserInviteTable>;
export type ScanRow = Selectable<ScanTable>;
/** A scan of a pass: every scan row but an `unknown_pass` exit. */
export type PassScanRow = ScanRow & { pass_id: string; result: ScanAnswerResult };

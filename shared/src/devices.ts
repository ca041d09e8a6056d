import { z } from 'zod';
import { RECORDED_SCAN_RESULTS, SCAN_DIRECTIONS, SCAN_RESULTS } from './core';
import { IsoDate } from './dates';
import { DOOR_PASS_FIELDS, shapeOf } from './pass-fields';
import { SigningKey } from './signing-keys';

export const Device = z
  .object({
    id: z.string().describe('dev_…'),
    name: z.string(),
    rateLimit: z.number().int().describe('Requests a minute its credential may make'),
    createdAt: z.string(),
    lastSeenAt: z.string().nullable().describe('Its last request with its own credential'),
    lastSyncAt: z.string().nullable().describe('Its last pass sync'),
    clockSkewMs: z
      .number()
      .int()
      .nullable()
      .describe("The device's clock minus the server's, as of its last request that told it"),
    queueSize: z
      .number()
      .int()
      .nullable()
      .describe('Scans decided on the device and not yet uploaded, as of its last request'),
    revokedAt: z.string().nullable(),
    locationId: z
      .string()
      .nullable()
      .describe('The location it stands at: it admits only passes good there; null: any'),
  })
  .meta({ id: 'Device' });
export type Device = z.infer<typeof Device>;

/** A door scans, syncs and uploads what it decided offline: more than a key's default 30 a minute. */
export const DOOR_RATE_LIMIT = 600;

export const CreateDeviceBody = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(100),
    rateLimit: z
      .number()
      .int()
      .min(1)
      .max(1_000_000_000)
      .optional()
      .describe(`Requests a minute its credential may make (default ${DOOR_RATE_LIMIT})`),
    locationId: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .describe('The location it stands at (of this tenant); null or left out: any'),
  })
  .meta({ id: 'CreateDevice' });
export type CreateDeviceBody = z.infer<typeof CreateDeviceBody>;

export const UpdateDeviceBody = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(100).optional(),
    locationId: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .describe('The location it stands at (of this tenant); null: any'),
  })
  .meta({ id: 'UpdateDevice' });
export type UpdateDeviceBody = z.infer<typeof UpdateDeviceBody>;

export const DevicePairing = z
  .object({
    device: Device,
    pairingUrl: z
      .string()
      .describe('PUBLIC_URL/scanner/#pair=TOKEN: opening it on the phone pairs it. Shown once.'),
    expiresAt: z.string().describe('The token works once, until then (24 hours)'),
  })
  .meta({ id: 'DevicePairing' });
export type DevicePairing = z.infer<typeof DevicePairing>;

export const PairDeviceBody = z
  .object({ token: z.string().min(1, 'token must not be empty').max(200) })
  .meta({ id: 'PairDevice' });
export type PairDeviceBody = z.infer<typeof PairDeviceBody>;

export const PairedDevice = z
  .object({
    apiKey: z.string().describe("The device's scan-scope key (2pk_…). Shown once."),
    device: Device,
    tenant: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({ id: 'PairedDevice' });
export type PairedDevice = z.infer<typeof PairedDevice>;

export const PairingPreview = z
  .object({
    device: z.object({ name: z.string() }),
    tenant: z.object({ name: z.string() }),
    expiresAt: z.string().describe('Until when the link works'),
  })
  .meta({ id: 'PairingPreview' });
export type PairingPreview = z.infer<typeof PairingPreview>;

/** What a door needs of a pass to decide a scan and to greet its holder, and nothing more. */
export const SyncPass = z
  .object({
    ...shapeOf(DOOR_PASS_FIELDS),
    inside: z
      .boolean()
      .nullable()
      .describe(
        "Where this door's scans of the pass count (its location, else the pass's): true when " +
          'its last successful scan there was an entry, false an exit, null none',
      ),
  })
  .meta({ id: 'SyncPass' });
export type SyncPass = z.infer<typeof SyncPass>;

export const SyncAnswer = z
  .object({
    passes: z.array(SyncPass),
    cursor: z.string().describe('Send it back as `cursor` to get what changed since'),
    hasMore: z.boolean().describe('true: ask again at once with the new cursor'),
    signingKeys: z
      .array(SigningKey)
      .describe(
        "The tenant's keys for signed codes, retired ones included: with each page, whole, so " +
          'a retirement reaches the door with its next sync',
      ),
  })
  .meta({ id: 'SyncAnswer' });
export type SyncAnswer = z.infer<typeof SyncAnswer>;

export const ScanRejectionReason = z.enum(SCAN_RESULTS).exclude(['success']);

export const ScanListItem = z
  .object({
    id: z.string(),
    passId: z
      .string()
      .nullable()
      .describe('null: an exit of a code that is no pass (`unknown_pass`)'),
    code: z.string().describe("The pass's code, or for `unknown_pass` the code as scanned"),
    name: z.string().nullable().describe("The pass's name: the guest, as door staff know them"),
    clientName: z.string().nullable(),
    result: z.enum(RECORDED_SCAN_RESULTS),
    success: z.boolean(),
    offline: z.boolean().describe('Decided on the phone, then uploaded'),
    conflict: ScanRejectionReason.nullable().describe(
      "An offline admit the server's rule refuses: its reason",
    ),
    deviceId: z.string().nullable(),
    deviceName: z.string().nullable(),
    direction: z.enum(SCAN_DIRECTIONS),
    locationId: z
      .string()
      .nullable()
      .describe("Where it counted: its door's location (or the one named), else the pass's"),
    scannedAt: z
      .string()
      .describe("When the door scanned (for an upload, the device's clock, corrected by its skew)"),
    receivedAt: z.string().describe('When the server recorded it'),
    annulledAt: z.string().nullable().describe('Undone: the use was given back'),
    clockCorrectedMs: z
      .number()
      .int()
      .nullable()
      .describe(
        "An upload whose phone's clock was off: how far the server moved scannedAt (negative: back)",
      ),
  })
  .meta({ id: 'ScanListItem' });
export type ScanListItem = z.infer<typeof ScanListItem>;

const flag = (name: string) =>
  z.enum(['true', 'false'], { error: `${name} must be true or false` }).optional();

export const ScanListQuery = {
  passId: z.string().max(100).optional(),
  deviceId: z.string().max(100).optional(),
  result: z
    .enum(RECORDED_SCAN_RESULTS, {
      error: `result must be one of ${RECORDED_SCAN_RESULTS.join(', ')}`,
    })
    .optional(),
  offline: flag('offline'),
  conflict: flag('conflict'),
  since: IsoDate.optional().describe('Only scans received after this instant'),
};

export const ScanSummary = z
  .object({
    since: z.string(),
    doors: z.array(
      z.object({
        deviceId: z.string().nullable().describe('null: scans made with a key or a user, no door'),
        deviceName: z.string().nullable(),
        admits: z.number().int(),
        refusals: z.number().int(),
        conflicts: z.number().int(),
      }),
    ),
    admissions: z
      .array(z.object({ at: z.string(), count: z.number().int() }))
      .describe(
        'Admits (not undone) per 5 minutes, from `since`; buckets without any are left out',
      ),
  })
  .meta({ id: 'ScanSummary' });
export type ScanSummary = z.infer<typeof ScanSummary>;

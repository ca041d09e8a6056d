/** Every answer `POST /scan` can give, in the order the rule checks them. */
export const SCAN_RESULTS = [
  'success',
  'revoked',
  'wrong_location',
  'already_used',
  'not_yet_valid',
  'expired',
  'max_usages_reached',
] as const;
export type ScanResult = (typeof SCAN_RESULTS)[number];
export type ScanRejection = Exclude<ScanResult, 'success'>;

/**
 * Every answer a scan can get: the rule's, and `invalid_signature`, a signed code that does not
 * verify (forged or edited, a retired or unknown key) or that a newer one replaced.
 */
export const SCAN_ANSWER_RESULTS = [...SCAN_RESULTS, 'invalid_signature'] as const;
export type ScanAnswerResult = (typeof SCAN_ANSWER_RESULTS)[number];

/**
 * Every result a scan row can hold: the answers, and `unknown_pass`, an exit of a code that is
 * no pass of the tenant (answered 404, recorded all the same: a guest leaving is never unseen).
 */
export const RECORDED_SCAN_RESULTS = [...SCAN_ANSWER_RESULTS, 'unknown_pass'] as const;

/** Why a signed code is refused, in the words a door shows. */
export const SIGNATURE_PROBLEMS = ['forged', 'unknown_key', 'retired_key', 'replaced'] as const;
export type SignatureProblem = (typeof SIGNATURE_PROBLEMS)[number];
export type RecordedScanResult = (typeof RECORDED_SCAN_RESULTS)[number];

/** Which way a scan lets a pass through a door: in (the default), or out. */
export const SCAN_DIRECTIONS = ['entry', 'exit'] as const;
export type ScanDirection = (typeof SCAN_DIRECTIONS)[number];

export const PASS_TYPES = ['single', 'multi'] as const;
export type PassType = (typeof PASS_TYPES)[number];

/** Status as stored. */
export const STORED_PASS_STATUSES = ['active', 'used', 'revoked'] as const;
export type StoredPassStatus = (typeof STORED_PASS_STATUSES)[number];

/** Status as reported: `expired` is derived from `validUntil` at read time. */
export const PASS_STATUSES = ['active', 'used', 'expired', 'revoked'] as const;
export type PassStatus = (typeof PASS_STATUSES)[number];

/** The events a webhook may subscribe to and `GET /triggers` may poll. */
export const EVENT_TYPES = [
  'pass.created',
  'pass.scanned',
  'pass.status_changed',
  'pass.scan_annulled',
  'scan.conflict',
  'client.created',
  'client.merged',
  'location.created',
  'location.updated',
  'location.capacity_reached',
  'pass.wallet_added',
  'pass.wallet_removed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

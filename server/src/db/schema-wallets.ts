import type { ColumnType, Generated } from 'kysely';

// The tables of the holder's pass in wallets, and of the keys that sign pass codes (`Database`
// in schema.ts lists them with the rest).

type CreatedAt = ColumnType<Date, Date | undefined, never>;

/** A phone holding a pass in Apple Wallet, and the token that pushes it an update. */
export interface WalletRegistrationTable {
  tenant_id: string;
  pass_id: string;
  device_library_id: string;
  push_token: string;
  created_at: CreatedAt;
  updated_at: Date;
  /** When a template or location edit last reached this phone's copy (a fan-out batch). */
  changed_at: Date | null;
}

/** An Apple Wallet push owed to a phone holding a pass (the outbox the push worker drains). */
export interface WalletPushTable {
  pass_id: string;
  device_library_id: string;
  tenant_id: string;
  push_token: string;
  due_at: Date;
  attempts: Generated<number>;
  last_error: string | null;
}

/** A pass a holder saved to Google Wallet: its object there, and whether a PATCH is owed. */
export interface GoogleWalletObjectTable {
  pass_id: string;
  tenant_id: string;
  created_at: CreatedAt;
  /** Set while the object's latest state is owed to Google; the worker clears it. */
  due_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
}

/** A template or location edit on its way to every wallet copy of the passes it touches. */
export interface WalletFanoutTable {
  tenant_id: string;
  kind: 'template' | 'default_template' | 'location';
  /** The template or location id; '' for the tenant's default template. */
  subject_id: string;
  /** The passes up to this id have been reached. */
  after_pass_id: Generated<string>;
  due_at: Generated<Date>;
}

/** A tenant's Ed25519 key for signed pass codes; the private key encrypted with the server's secret. */
export interface SigningKeyTable {
  tenant_id: string;
  /** `sk_…` */
  id: string;
  /** What a signed code names (0–7); one unretired key at most holds it. */
  slot: number;
  /** The raw 32-byte public key, base64url. */
  public_key: string;
  /** The PKCS#8 private key, AES-256-GCM under the server's secret: `iv.ciphertext.tag`. */
  private_key: string;
  created_at: CreatedAt;
  retired_at: Date | null;
}

/**
 * A signed code's statement that a change of its pass replaced, or (`whole_pass`) every statement
 * of a pass once revoked; whether it revokes now is read with the pass (routes/signing-keys).
 */
export interface RevocationTable {
  id: Generated<string>;
  tenant_id: string;
  pass_id: string;
  whole_pass: boolean;
  type: 'single' | 'multi' | null;
  max_usages: number | null;
  valid_from: Date | null;
  valid_until: Date | null;
  location_id: string | null;
  /** The last transaction that changed the pass's statement or status (ADR 4's order). */
  sync_xid: Generated<string>;
}

import { type Kysely, sql } from 'kysely';

// Templates: how a tenant's passes look (colours, images, which facts show where), on the
// holder's page and in the wallets. Images are kept once each, by the SHA-256 of their bytes, and
// served at an address made of it. `passes.template_id` was free text: each distinct value of a
// tenant becomes a template of that id, named by it, so no pass loses its value.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE images (
    id text PRIMARY KEY,
    png bytea NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE TABLE templates (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text NOT NULL,
    name text NOT NULL,
    organization_name text NOT NULL,
    description text NOT NULL,
    background_color text NOT NULL,
    foreground_color text NOT NULL,
    label_color text NOT NULL,
    layout jsonb NOT NULL,
    logo_image_id text REFERENCES images (id),
    icon_image_id text REFERENCES images (id),
    strip_image_id text REFERENCES images (id),
    support_url text,
    support_email text,
    support_phone text,
    terms_url text,
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    PRIMARY KEY (tenant_id, id)
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX templates_one_default ON templates (tenant_id) WHERE is_default`.execute(
    db,
  );
  await sql`CREATE INDEX templates_tenant_newest ON templates (tenant_id, created_at DESC, id DESC)`.execute(
    db,
  );
  await sql`INSERT INTO templates (tenant_id, id, name, organization_name, description,
                                   background_color, foreground_color, label_color, layout,
                                   created_at, updated_at)
            SELECT passes.tenant_id, passes.template_id, passes.template_id, tenants.name,
                   passes.template_id, '#ffffff', '#18181b', '#52525b',
                   '{"primary":["name"],"secondary":["clientName","validUntil"],"auxiliary":["usesLeft","location"],"back":["validFrom","publicFields"]}',
                   min(passes.created_at), min(passes.created_at)
              FROM passes JOIN tenants ON tenants.id = passes.tenant_id
             WHERE passes.template_id IS NOT NULL
             GROUP BY passes.tenant_id, passes.template_id, tenants.name`.execute(db);
  await sql`ALTER TABLE passes ADD CONSTRAINT passes_template
              FOREIGN KEY (tenant_id, template_id) REFERENCES templates (tenant_id, id)`.execute(
    db,
  );
  await sql`CREATE INDEX passes_tenant_template ON passes (tenant_id, template_id)
             WHERE template_id IS NOT NULL`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS passes_tenant_template`.execute(db);
  await sql`ALTER TABLE passes DROP CONSTRAINT IF EXISTS passes_template`.execute(db);
  await sql`DROP TABLE IF EXISTS templates`.execute(db);
  await sql`DROP TABLE IF EXISTS images`.execute(db);
}

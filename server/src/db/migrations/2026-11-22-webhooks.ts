import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`CREATE INDEX webhooks_tenant_event ON webhooks (tenant_id, event) WHERE active`.execute(
    db,
  );
  await sql`CREATE INDEX webhooks_tenant_newest ON webhooks (tenant_id, created_at DESC, id DESC)`.execute(
    db,
  );

  // One row per (subscription, event): the message to deliver, with its retry state.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('webhook_id', 'text', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state IN ('pending', 'delivered', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['webhook_id', 'event_id'])
    .execute();
  await sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'`.execute(
    db,
  );

  // Every attempt, for `GET /webhooks/:id/deliveries`.
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('next_retry_at', 'timestamptz')
    .addColumn('attempted_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`CREATE INDEX webhook_attempts_newest ON webhook_attempts (webhook_id, attempted_at DESC, id DESC)`.execute(
    db,
  );

  // The fan-out: an event gets a delivery for every active subscription to it, in the same
  // transaction as the event, whichever code path wrote the event.
  await sql`
    CREATE FUNCTION fan_out_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO webhook_deliveries (webhook_id, event_id, tenant_id, state, attempts, next_attempt_at, created_at)
      SELECT w.id, NEW.id, NEW.tenant_id, 'pending', 0, NEW.created_at, NEW.created_at
        FROM webhooks w
       WHERE w.tenant_id = NEW.tenant_id AND w.event = NEW.type AND w.active;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER events_fan_out AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION fan_out_event()`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS events_fan_out ON events`.execute(db);
  await sql`DROP FUNCTION IF EXISTS fan_out_event()`.execute(db);
  for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhooks']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

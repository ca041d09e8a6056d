import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { AdminCommandError, admin } from '../support/admin';
import { migratedDataDir } from '../support/data-dir';
import { newDataDir, REPO_ROOT } from '../support/server';

const _databaseUrl = inject('databaseUrl');

describe('admin CLI', () => {
  /** A DATA_DIR as a first start leaves it, so each command opens it in a second. */
  const env = () => ({ DATA_DIR: migratedDataDir() });

  it('creates tenants and keys in the documented JSON shape, lists and shows them', async () => {
    // An empty DATA_DIR: the CLI can be an operator's first command, before any server start.
    const e = { DATA_DIR: newDataDir() };
    const created = await admin<{ tenant: Record<string, unknown>; apiKey: string }>(
      e,
      'tenant',
      'create',
      '--name',
      'Acme',
      '--plan',
      'basic',
      '--max-passes',
      '100',
      '--webhook-quota',
      '3',
    );
    expect(created.tenant).toMatchObject({
      name: 'Acme',
      plan: 'basic',
      maxPasses: 100,
      webhookQuota: 3,
    });
    expect(created.apiKey).toMatch(/^2pk_[A-Za-z0-9_-]{32}$/);
    const key = await admin<Record<string, unknown>>(
      e,
      'key',
      'create',
      '--tenant',
      String(created.tenant.id),
      '--scope',
      'scan',
      '--rate-limit',
      '240',
    );
    expect(key).toMatchObject({ scope: 'scan', rateLimit: 240, tenantId: created.tenant.id });
    expect(key.apiKey).toMatch(/^2pk_/);
    expect(key.pairingUrl).toBe(`http://localhost:3000/scanner/#key=${key.apiKey}`);
    const shown = await admin<{ keys: { prefix: string }[]; counts: Record<string, number> }>(
      e,
      'tenant',
      'show',
      '--tenant',
      String(created.tenant.id),
    );
    expect(shown.keys.map((k) => k.prefix)).toEqual([
      created.apiKey.slice(0, 12),
      String(key.apiKey).slice(0, 12),
    ]);
    expect(shown.counts).toEqual({ passes: 0, clients: 0, scans: 0, events: 0 });
    // Only hashes are stored: the key itself appears nowhere in what the CLI can read back.
    expect(JSON.stringify(shown)).not.toContain(created.apiKey);
  });

  it('prints a pairing QR on stderr with --qr, keeping stdout pure JSON, and says when phones cannot use it', () => {
    const e = env();
    const run = (env: Record<string, string>, ...argv: string[]) =>
      spawnSync('pnpm', ['admin', ...argv], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...e, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const tenant = JSON.parse(run({}, 'tenant', 'create', '--name', 'Door').stdout);
    const res = run(
      {},
      'device',
      'create',
      '--tenant',
      tenant.tenant.id,
      '--name',
      'North',
      '--qr',
    );
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).device.name).toBe('North');
    expect(res.stderr).toContain('http://localhost:3000/scanner/#pair=');
    expect(res.stderr).toMatch(/[▀▄█]/);
    // Written to a pipe, as into a file: no terminal colour codes.
    expect(res.stderr).not.toContain('\u001b[');
    expect(res.stderr).toContain(
      'This link names localhost, which on a phone is the phone itself: a phone will not reach Passgate there. Start Passgate with "pnpm start --lan"',
    );
    const https = { PUBLIC_URL: 'https://passes.example.com' };
    const key = run(
      https,
      'key',
      'create',
      '--tenant',
      tenant.tenant.id,
      '--scope',
      'scan',
      '--qr',
    );
    expect(key.status).toBe(0);
    expect(JSON.parse(key.stdout).scope).toBe('scan');
    expect(key.stderr).toContain('https://passes.example.com/scanner/#key=2pk_');
    expect(key.stderr).not.toContain('This link');
  });

  it('prints its usage as text, exit 0, when asked for help (or run bare)', () => {
    for (const argv of [[], ['help'], ['--help'], ['tenant', 'create', '-h']]) {
      const res = spawnSync('pnpm', ['admin', ...argv], {
        cwd: REPO_ROOT,
        // A configuration that would stop any command: help needs none.
        env: { ...process.env, DATA_DIR: newDataDir(), PORT: 'not-a-port' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(res.status, argv.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/^Usage:\n {2}pnpm admin tenant create --name NAME/);
      expect(res.stdout).toContain('pnpm admin key revoke --key-id ID\n');
    }
  });

  it('reports operator mistakes as { error } with exit code 1', async () => {
    const e = env();
    for (const argv of [
      ['tenant', 'create'],
      ['tenant', 'create', '--name', 'X', '--plan', 'gold'],
      ['key', 'create', '--tenant', 'ten_missing'],
      ['key', 'revoke', '--key-id', 'key_missing'],
      ['frobnicate'],
      ['tenant', 'create', '--name', 'X', '--bogus'],
    ]) {
      const error = await admin(e, ...argv).catch((err: unknown) => err);
      expect(error, argv.join(' ')).toBeInstanceOf(AdminCommandError);
      expect((error as AdminCommandError).exitCode).toBe(1);
      expect(
        JSON.parse((error as AdminCommandError).stderr.trim().split('\n')[0]!).error,
      ).toBeTypeOf('string');
    }
  });

  it('changes nothing on a mistake: a bad --rate-limit creates no tenant', async () => {
    const e = env();
    const error = await admin(e, 'tenant', 'create', '--name', 'Half', '--rate-limit', '0').catch(
      (err: unknown) => err,
    );
    expect((error as AdminCommandError).stderr).toContain(
      '--rate-limit must be a whole number from 1 to 1000000000',
    );
    // The key is checked before the tenant is inserted: no tenant is left without a key.
    expect(await admin(e, 'tenant', 'list')).toEqual([]);
  });

  it('creates, revokes and activates a pass through the passes service, checked like the API', async () => {
    const e = env();
    const { tenant } = await admin<{ tenant: { id: string } }>(
      e,
      'tenant',
      'create',
      '--name',
      'Door',
      '--max-passes',
      '1',
    );
    const pass = await admin<{ id: string; code: string; name: string; type: string }>(
      e,
      'pass',
      'create',
      '--tenant',
      tenant.id,
      '--type',
      'multi',
      '--name',
      'Ana',
      '--client-name',
      'Ana Lima',
      '--max-usages',
      '3',
    );
    expect(pass).toMatchObject({
      type: 'multi',
      name: 'Ana',
      maxUsages: 3,
      publicUrl: expect.stringContaining('/p/'),
    });
    expect(pass.code).toMatch(/^[A-Za-z0-9]{12}$/);
    const revoke = ['pass', 'revoke', '--tenant', tenant.id, '--pass-id', pass.id];
    expect(await admin(e, ...revoke)).toMatchObject({ id: pass.id, status: 'revoked' });
    const mistakes: [string[], string][] = [
      // The plan's limit, as the API applies it.
      [['pass', 'create', '--tenant', tenant.id], 'Pass limit reached: this plan allows 1 passes'],
      // The same check, said again, as the route says it.
      [revoke, 'Pass is already revoked'],
      [['pass', 'revoke', '--tenant', tenant.id, '--pass-id', 'pass_none'], 'Pass not found'],
      // The API's zod schemas, their messages naming the flag.
      [
        ['pass', 'create', '--tenant', tenant.id, '--type', 'x'],
        'type must be "single" or "multi"',
      ],
      [
        ['pass', 'create', '--tenant', tenant.id, '--type', 'multi', '--max-usages', '0'],
        '--max-usages must be',
      ],
      [
        ['user', 'create', '--tenant', tenant.id, '--email', 'nope'],
        '--email: expected an email address',
      ],
      [['device', 'create', '--tenant', tenant.id, '--name', '  '], '--name must not be empty'],
      [['key', 'create', '--tenant', tenant.id, '--scope', 'door'], '--scope must be one of'],
    ];
    for (const [argv, message] of mistakes) {
      const error = await admin(e, ...argv).catch((err: unknown) => err);
      expect(error, argv.join(' ')).toBeInstanceOf(AdminCommandError);
      const said = JSON.parse((error as AdminCommandError).stderr.trim().split('\n')[0]!).error;
      expect(said, argv.join(' ')).toContain(message);
    }
    const activated = await admin(
      e,
      'pass',
      'activate',
      '--tenant',
      tenant.id,
      '--pass-id',
      pass.id,
    );
    expect(activated).toMatchObject({ id: pass.id, status: 'active' });
    const shown = await admin<{ counts: Record<string, number> }>(
      e,
      'tenant',
      'show',
      '--tenant',
      tenant.id,
    );
    expect(shown.counts).toMatchObject({ passes: 1, clients: 1 });
    // pass.created, pass.status_changed twice, client.created: committed with the changes.
    expect(shown.counts.events).toBe(4);
  }, 150_000); // thirteen runs of the CLI, each opening the embedded database cold
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SCHEMA_FILE, schemaText } from '../../client/scripts/schema-text';
import { REPO_ROOT } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

const run = promisify(execFile);
const { url } = inject('server');
const EXAMPLE = path.join(REPO_ROOT, 'client/examples/create-and-scan.ts');

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

describe('@passgate/client', () => {
  it('is generated from the document the server serves: regenerating it changes nothing', async () => {
    const document = (await http(`${url}/api/v1/openapi.json`)).body;
    const checkedIn = readFileSync(SCHEMA_FILE, 'utf8');
    // On a difference: `pnpm --filter @passgate/client generate`, and commit the result.
    expect(await schemaText(document)).toBe(checkedIn);
  });

  it("its README's example creates and scans a pass against the real server", async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', EXAMPLE], {
      cwd: REPO_ROOT,
      env: { ...process.env, PASSGATE_URL: url, PASSGATE_API_KEY: tenant.apiKey },
    });
    const [created, first, second] = stdout.trim().split('\n');
    const code = /^Created ([A-Za-z0-9]{12}): (\S+)$/.exec(created ?? '');
    expect(code, stdout).not.toBeNull();
    expect(first).toBe('Scan 1: admitted');
    expect(second).toBe('Scan 2: refused (already_used)');
    const pass = await http(`${tenant.apiUrl}/passes?search=${code?.[1]}`, { key: tenant.apiKey });
    expect(pass.body).toHaveLength(1);
    expect(pass.body[0]).toMatchObject({ name: 'Ana Lima', status: 'used', usagesCount: 1 });

    const readme = readFileSync(path.join(REPO_ROOT, 'client/README.md'), 'utf8');
    expect(readme).toContain(readFileSync(EXAMPLE, 'utf8').trim());
  });
});

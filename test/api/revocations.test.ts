import { parseSignedCode, statementKey } from '@passgate/shared/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

// The revocation list of signed codes through the real server, read as an integrator who
// verifies codes with the public keys alone would follow it: by cursor, incrementally.

let tenant: TestTenant;
let other: TestTenant;
beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});

interface Revocation {
  code: string;
  statement: string | null;
  revoked: boolean;
  expiresAt: string | null;
}

const api = (owner: TestTenant, path: string, init: Parameters<typeof http>[1] = {}) =>
  http(`${owner.apiUrl}${path}`, { key: owner.apiKey, ...init });
const signedCodeOf = async (passId: string) =>
  (await api(tenant, `/passes/${passId}`)).body.signedCode as string;
const patch = (passId: string, json: object) =>
  api(tenant, `/passes/${passId}`, { method: 'PATCH', json });

/** What a verifier compares with the list: the code's statement, whatever key signed it. */
function statementOfCode(signedCode: string) {
  const parsed = parseSignedCode(signedCode);
  if (!parsed) throw new Error(`not a signed code: ${signedCode}`);
  return statementKey(parsed.statement);
}

/** Follows the list from `cursor` to its end, `limit` entries a page. */
async function follow(owner: TestTenant, cursor?: string, limit = 2) {
  const entries: Revocation[] = [];
  let at = cursor;
  for (;;) {
    const query = new URLSearchParams({ limit: String(limit), ...(at ? { cursor: at } : {}) });
    const page = await api(owner, `/signing-keys/revocations?${query}`);
    expect(page.status).toBe(200);
    entries.push(...page.body.revocations);
    at = page.body.cursor;
    if (!page.body.hasMore) return { entries, cursor: at as string };
  }
}

/** The list as a verifier keeps it: the latest word on each entry. */
function kept(entries: Revocation[], start = new Map<string, Revocation>()) {
  const list = new Map(start);
  for (const entry of entries) list.set(`${entry.code}:${entry.statement}`, entry);
  return list;
}
const refuses = (list: Map<string, Revocation>, signedCode: string) => {
  const code = parseSignedCode(signedCode)?.statement.code;
  return [list.get(`${code}:null`), list.get(`${code}:${statementOfCode(signedCode)}`)].some(
    (entry) => entry?.revoked,
  );
};

describe('the revocation list', () => {
  it('names a replaced code and a revoked pass, and takes them off again', async () => {
    const start = await follow(tenant);
    const moving = await tenant.newPass({
      name: 'Moving guest',
      validUntil: '2099-01-01T00:00:00Z',
    });
    const revoked = await tenant.newPass({ type: 'multi', name: 'Revoked guest' });
    const steady = await tenant.newPass({ type: 'multi', maxUsages: 5, name: 'Steady guest' });
    const first = await signedCodeOf(moving.id);
    const revokedCode = await signedCodeOf(revoked.id);
    const steadyCode = await signedCodeOf(steady.id);

    await patch(moving.id, { validUntil: '2099-06-01T00:00:00Z' });
    const second = await signedCodeOf(moving.id);
    await api(tenant, `/passes/${revoked.id}/revoke`, { method: 'POST' });
    // Admitting a pass changes nothing on the list.
    expect((await api(tenant, '/scan', { json: { code: steadyCode } })).body.success).toBe(true);

    const changed = await follow(tenant, start.cursor);
    let list = kept(changed.entries, kept(start.entries));
    expect(refuses(list, first)).toBe(true);
    expect(refuses(list, second)).toBe(false);
    expect(refuses(list, revokedCode)).toBe(true);
    expect(refuses(list, steadyCode)).toBe(false);
    expect(changed.entries.map((entry) => entry.code).sort()).toEqual(
      [moving.code, revoked.code].sort(),
    );
    expect(changed.entries).toContainEqual({
      code: moving.code,
      statement: statementOfCode(first),
      revoked: true,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(changed.entries).toContainEqual({
      code: revoked.code,
      statement: null,
      revoked: true,
      expiresAt: null,
    });

    // Nothing changed since: what comes again (a transaction elsewhere may have been running)
    // tells nothing new.
    expect(kept((await follow(tenant, changed.cursor)).entries, list)).toEqual(list);

    // The pass states its first facts again, and the revoked one is activated: both codes are
    // good again, told by the entries coming again.
    await patch(moving.id, { validUntil: '2099-01-01T00:00:00Z' });
    expect(await signedCodeOf(moving.id)).toBe(first);
    await api(tenant, `/passes/${revoked.id}/activate`, { method: 'POST' });
    const after = await follow(tenant, changed.cursor);
    list = kept(after.entries, list);
    expect(refuses(list, first)).toBe(false);
    expect(refuses(list, second)).toBe(true);
    expect(refuses(list, revokedCode)).toBe(false);
    // A full read from nothing tells the same.
    const whole = kept((await follow(tenant, undefined, 1)).entries);
    for (const code of [first, second, revokedCode, steadyCode]) {
      expect(refuses(whole, code), code).toBe(refuses(list, code));
    }
  });

  it('leaves out codes that have expired anyway, and is the tenant’s own', async () => {
    const start = await follow(tenant);
    const past = await tenant.newPass({ name: 'Past guest', validUntil: '2020-01-01T00:00:00Z' });
    await patch(past.id, { validUntil: '2020-02-01T00:00:00Z' });
    await api(tenant, `/passes/${past.id}/revoke`, { method: 'POST' });
    const since = await follow(tenant, start.cursor);
    expect(since.entries.map((entry) => entry.code)).not.toContain(past.code);

    const mine = await tenant.newPass({ name: 'Mine' });
    await api(tenant, `/passes/${mine.id}/revoke`, { method: 'POST' });
    const theirs = await follow(other);
    expect(theirs.entries.map((entry) => entry.code)).not.toContain(mine.code);
  });

  it('answers 400 to a cursor it did not give, and to a bad limit', async () => {
    const sync = await http(`${tenant.apiUrl}/scanner/sync?limit=1`, { key: tenant.apiKey });
    for (const cursor of ['nonsense', sync.body.cursor, 'v1.99999999999999999']) {
      const answer = await api(tenant, `/signing-keys/revocations?cursor=${cursor}`);
      expect(answer.status, cursor).toBe(400);
      expect(answer.body.error).toMatch(/^cursor: /);
    }
    for (const limit of ['0', '5001', 'x']) {
      const answer = await api(tenant, `/signing-keys/revocations?limit=${limit}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/limit/);
    }
  });
});

import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseSignedCode, signedMessage } from '@passgate/shared/core';
import QRCode from 'qrcode';
import { beforeAll, describe, expect, it } from 'vitest';
import { failedStart } from '../support/failed-start';
import { newDataDir, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

// Signed pass codes through the real server: the pass carries one, its page's QR shows it, a scan
// by it admits, and a code that was edited, replaced, signed by a retired key or by another
// tenant is refused. Keys rotate and retire; doors and integrators read the public keys.

let tenant: TestTenant;
let other: TestTenant;
beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});

const api = (owner: TestTenant, path: string, init: Parameters<typeof http>[1] = {}) =>
  http(`${owner.apiUrl}${path}`, { key: owner.apiKey, ...init });
const signedCodeOf = async (passId: string, owner = tenant) =>
  (await api(owner, `/passes/${passId}`)).body.signedCode as string;
const scan = (code: string, owner = tenant) => api(owner, '/scan', { json: { code } });

describe('signed pass codes', () => {
  it('are on the pass and in its QR, small, and admit at the door like the plain code', async () => {
    const pass = await tenant.newPass({
      type: 'multi',
      maxUsages: 3,
      name: 'Signed guest',
      validUntil: '2099-12-31T23:59:59Z',
    });
    const signedCode = await signedCodeOf(pass.id);
    expect(signedCode).toMatch(/^PG1\.[\w-]+$/);
    expect(signedCode.length).toBeLessThanOrEqual(120);
    // Nothing personal in it: it states the code, the type and the limits.
    expect(parseSignedCode(signedCode)?.statement).toEqual({
      code: pass.code,
      type: 'multi',
      maxUsages: 3,
      validFrom: null,
      validUntil: new Date('2099-12-31T23:59:59Z'),
      locationTag: null,
    });
    expect(QRCode.create(signedCode, { errorCorrectionLevel: 'M' }).version).toBeLessThanOrEqual(7);
    const page = await (await fetch(pass.publicUrl)).text();
    const svg = await QRCode.toString(signedCode, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    expect(page).toContain(svg);

    const admitted = await scan(signedCode);
    expect(admitted.status).toBe(200);
    expect(admitted.body).toMatchObject({ success: true, result: 'success' });
    expect(admitted.body.pass).toMatchObject({ id: pass.id, code: pass.code, usagesCount: 1 });
    expect((await scan(` ${signedCode}\n`)).body.pass.usagesCount).toBe(2);
  });

  it('refuse an edited code, and one a change of the pass replaced', async () => {
    const pass = await tenant.newPass({
      name: 'Changing guest',
      validUntil: '2099-01-01T00:00:00Z',
    });
    const first = await signedCodeOf(pass.id);
    // One character changed in the signature: forged.
    const last = first.at(-2) === 'A' ? 'B' : 'A';
    const edited = `${first.slice(0, -2)}${last}${first.at(-1)}`;
    const forged = await scan(edited);
    expect(forged.body).toMatchObject({
      success: false,
      result: 'invalid_signature',
      signature: 'forged',
      pass: { id: pass.id, usagesCount: 0 },
    });
    // Validity changed: a new code; the old one is refused as replaced, the new one admits.
    await api(tenant, `/passes/${pass.id}`, {
      method: 'PATCH',
      json: { validUntil: '2099-06-01T00:00:00Z' },
    });
    const second = await signedCodeOf(pass.id);
    expect(second).not.toBe(first);
    expect((await scan(first)).body).toMatchObject({
      result: 'invalid_signature',
      signature: 'replaced',
    });
    expect((await scan(second)).body).toMatchObject({ success: true });
    // The refusals are in the pass's scan history, and told as pass.scanned.
    const history = await api(tenant, `/scans?passId=${pass.id}`);
    expect(history.body.map((row: { result: string }) => row.result).sort()).toEqual([
      'invalid_signature',
      'invalid_signature',
      'success',
    ]);
    const told = await api(tenant, '/triggers?event=pass.scanned');
    expect(
      told.body
        .filter((item: { passId: string }) => item.passId === pass.id)
        .map((item: { result: string; success: boolean }) => [item.result, item.success])
        .sort(),
    ).toEqual([
      ['invalid_signature', false],
      ['invalid_signature', false],
      ['success', true],
    ]);
  });

  it('follow revoke and activate, and name no pass of another tenant', async () => {
    const pass = await tenant.newPass({ type: 'multi', name: 'Revoked guest' });
    const code = await signedCodeOf(pass.id);
    await api(tenant, `/passes/${pass.id}/revoke`, { method: 'POST' });
    expect((await scan(code)).body).toMatchObject({ success: false, result: 'revoked' });
    await api(tenant, `/passes/${pass.id}/activate`, { method: 'POST' });
    expect((await scan(code)).body).toMatchObject({ success: true });
    // At another tenant the code names no pass: refused as unknown, and nothing is recorded.
    const elsewhere = await scan(code, other);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error).toMatch(/Unknown pass/);
    expect(parseSignedCode('PG1.garbage')).toBeUndefined();
    expect((await scan('PG1.garbage')).status).toBe(404);
  });

  it('rotate and retire: old codes verify until their key retires, then are refused', async () => {
    const owner = await createTenant();
    const pass = await owner.newPass({ type: 'multi', name: 'Rotating guest' });
    const before = await signedCodeOf(pass.id, owner);
    const [firstKey] = (await api(owner, '/signing-keys')).body;
    expect(firstKey).toMatchObject({ algorithm: 'Ed25519', retiredAt: null });
    // An integrator verifies a code with the published key alone.
    const parsed = parseSignedCode(before);
    if (!parsed) throw new Error('not a signed code');
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: firstKey.publicKey },
      format: 'jwk',
    });
    expect(
      verifySignature(null, signedMessage(parsed.statementBytes), publicKey, parsed.signature),
    ).toBe(true);
    expect(parsed.slot).toBe(firstKey.slot);

    const rotated = await api(owner, '/signing-keys/rotate', { method: 'POST' });
    expect(rotated.status).toBe(201);
    expect(rotated.body.slot).not.toBe(firstKey.slot);
    const after = await signedCodeOf(pass.id, owner);
    expect(parseSignedCode(after)?.slot).toBe(rotated.body.slot);
    expect((await scan(before, owner)).body.success).toBe(true);

    const retired = await api(owner, `/signing-keys/${firstKey.id}/retire`, { method: 'POST' });
    expect(retired.status).toBe(200);
    expect(retired.body.retiredAt).toEqual(expect.any(String));
    expect((await scan(before, owner)).body).toMatchObject({
      result: 'invalid_signature',
      signature: 'retired_key',
    });
    expect((await scan(after, owner)).body.success).toBe(true);
    // A door's sync carries the keys, the retired one marked.
    const door = await owner.createKey({ scope: 'scan' });
    const sync = await http(`${owner.apiUrl}/scanner/sync`, { key: door.apiKey });
    expect(sync.body.signingKeys).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: firstKey.id, retiredAt: expect.any(String) }),
        expect.objectContaining({ id: rotated.body.id, retiredAt: null }),
      ]),
    );
    // Eight keys that verify at most (one does now): the ninth waits for a retirement.
    const answers = [];
    for (let i = 0; i < 8; i++) {
      answers.push((await api(owner, '/signing-keys/rotate', { method: 'POST' })).status);
    }
    expect(answers).toEqual([201, 201, 201, 201, 201, 201, 201, 409]);
    expect((await api(owner, '/signing-keys/sk_none/retire', { method: 'POST' })).status).toBe(404);
    // Another tenant's key is not found either.
    expect(
      (await api(other, `/signing-keys/${firstKey.id}/retire`, { method: 'POST' })).status,
    ).toBe(404);
  });
});

describe('the signing secret', () => {
  it('is made once in DATA_DIR on the embedded database, and a wrong one stops the start', async () => {
    const dataDir = newDataDir();
    const first = await startServer({ dataDir });
    const owner = await createTenant({ server: first });
    const pass = await owner.newPass({ name: 'Kept' });
    const code = await signedCodeOf(pass.id, owner);
    expect(code).toMatch(/^PG1\./);
    await first.stop();
    expect(statSync(path.join(dataDir, 'signing-secret')).mode & 0o777).toBe(0o600);
    // The same secret after a restart: the same key signs, the same code.
    const again = await startServer({ dataDir });
    expect(await signedCodeOf(pass.id, { ...owner, apiUrl: `${again.url}/api/v1` })).toBe(code);
    await again.stop();
    expect(
      failedStart({ DATA_DIR: dataDir, SIGNING_SECRET: 'another secret, long enough to be one' }),
    ).toMatch(/SIGNING_SECRET does not open the signing keys in the database/);
  });
});

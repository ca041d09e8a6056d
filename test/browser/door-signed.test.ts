import { generateKeyPairSync, sign } from 'node:crypto';
import { formatSignedCode, parseSignedCode, signedMessage } from '@passgate/shared/core';
import { describe, expect, it } from 'vitest';
import { hasChromium } from '../support/browser';
import {
  listIsSynced,
  openDoor,
  passOf,
  scanAt,
  scansOf,
  useDoorBrowsers,
} from '../support/door-pages';
import { createTenant, http } from '../support/tenant';

// Signed codes at a door in Chromium with its network cut: a pass issued after the door's last
// sync is admitted by its signed code (verified on the phone with @noble/ed25519) and counted
// once uploaded; a forged code and one of a pass revoked before the sync are refused.

useDoorBrowsers();

describe.skipIf(!hasChromium())('signed codes at an offline door', () => {
  it('admits a pass it has never seen, refuses a forged or revoked one, and uploads the admit', async () => {
    const owner = await createTenant();
    const revoked = await owner.newPass({ name: 'Revoked before' });
    const revokedCode = (await passOf(owner, revoked.id)).signedCode as string;
    await http(`${owner.apiUrl}/passes/${revoked.id}/revoke`, {
      key: owner.apiKey,
      method: 'POST',
    });
    const { page, context, deviceId } = await openDoor(owner);
    await context.setOffline(true);
    await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/^Offline/);

    // Sold at the box office while the door is cut off.
    const walkIn = await owner.newPass({ name: 'Walk-in' });
    const signedCode = (await passOf(owner, walkIn.id)).signedCode as string;
    expect(await scanAt(page, signedCode)).toEqual({
      tone: 'admit',
      title: "ADMIT · offline · not in this phone's list",
      detail: walkIn.code,
    });
    expect((await scanAt(page, signedCode)).title).toBe('Already used · offline');

    // Edited, and re-signed with a key that is not the tenant's: both refused.
    const at = signedCode.length - 3;
    const edited = `${signedCode.slice(0, at)}${signedCode[at] === 'A' ? 'B' : 'A'}${signedCode.slice(at + 1)}`;
    expect(await scanAt(page, edited)).toMatchObject({
      tone: 'reject',
      title: 'Invalid code · offline',
    });
    const parsed = parseSignedCode(signedCode);
    if (!parsed) throw new Error('not a signed code');
    const { privateKey } = generateKeyPairSync('ed25519');
    const resigned = formatSignedCode(
      parsed.statementBytes,
      sign(null, signedMessage(parsed.statementBytes), privateKey),
    );
    const forged = await scanAt(page, resigned);
    expect(forged).toMatchObject({ tone: 'reject', title: 'Invalid code · offline' });
    expect(forged.detail).toMatch(/forged/);
    expect((await scanAt(page, revokedCode)).title).toBe('Revoked · offline');

    await context.setOffline(false);
    await listIsSynced(page);
    expect(await passOf(owner, walkIn.id)).toMatchObject({ usagesCount: 1, status: 'used' });
    const scans = await scansOf(owner, `passId=${walkIn.id}`);
    expect(scans.map((scan: { result: string }) => scan.result)).toEqual([
      'already_used',
      'success',
    ]);
    for (const scan of scans) expect(scan).toMatchObject({ offline: true, deviceId });
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { adminSocketPath, claimDataDir, sendToAdminSocket } from './socket';

/** A socket file that nobody answers, as a server killed with SIGKILL leaves behind. */
async function staleSocketIn(dataDir: string) {
  const socketPath = adminSocketPath(dataDir);
  const holder = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(socketPath)})`,
  ]);
  await vi.waitUntil(() => existsSync(socketPath), { timeout: 10_000 });
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  expect(await sendToAdminSocket(socketPath, [])).toBeUndefined();
}

describe('claimDataDir', () => {
  it('lets exactly one of two simultaneous claims take over a stale socket', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'passgate-claim-'));
    await staleSocketIn(dataDir);
    const claims = await Promise.allSettled([
      claimDataDir(dataDir, 'the first'),
      claimDataDir(dataDir, 'the second'),
    ]);
    const held = claims.flatMap((claim) => (claim.status === 'fulfilled' ? [claim.value] : []));
    const refused = claims.flatMap((claim) => (claim.status === 'rejected' ? [claim.reason] : []));
    try {
      expect(held).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(String(refused[0])).toMatch(/is in use by another running Passgate process/);
      // The socket on the path is the holder's own: it answers, busy until it serves a database.
      const answer = await sendToAdminSocket(adminSocketPath(dataDir), []);
      expect(answer?.body).toEqual({ error: expect.stringMatching(/^DATA_DIR is busy/) });
      expect(existsSync(`${adminSocketPath(dataDir)}.lock`)).toBe(false);
    } finally {
      await Promise.all(held.map((claim) => claim.close()));
    }
  });
});

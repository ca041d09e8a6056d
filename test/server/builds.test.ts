import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { newDataDir, REPO_ROOT } from '../support/server';

const _databaseUrl = inject('databaseUrl');

describe('the server bundle (server/dist)', () => {
  it('is built again when it is older than a source, and left alone when it is not', () => {
    const main = path.join(REPO_ROOT, 'server/dist/main.js');
    const build = () => {
      const run = spawnSync(process.execPath, ['server/build-if-stale.mjs'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      return statSync(main).mtimeMs;
    };
    const built = build(); // global setup built it: nothing to do
    const bundle = readFileSync(main, 'utf8');
    expect(build()).toBe(built);
    // A bundle older than its sources, as after an edit or a pull, is what `pnpm start` must not run.
    const longAgo = new Date('2000-01-01T00:00:00Z');
    utimesSync(main, longAgo, longAgo);
    // What another build left: a chunk of other sources, and a write that a dead build began.
    const leftovers = [
      'chunk-EARLIER1.js',
      'earlier/chunk-EARLIER2.js.map',
      'main.js.4242.partial',
    ];
    for (const name of leftovers) {
      const file = path.join(REPO_ROOT, 'server/dist', name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '// an earlier build\n');
      utimesSync(file, longAgo, longAgo);
    }
    // Another build's write in progress is not touched.
    const inFlight = path.join(REPO_ROOT, 'server/dist', `main.js.${process.pid}.partial`);
    writeFileSync(inFlight, '');
    expect(build()).toBeGreaterThan(longAgo.getTime());
    // The same sources make the same bundle: processes starting meanwhile ran what they should.
    expect(readFileSync(main, 'utf8')).toBe(bundle);
    for (const name of leftovers) {
      expect(existsSync(path.join(REPO_ROOT, 'server/dist', name)), name).toBe(false);
    }
    expect(existsSync(path.join(REPO_ROOT, 'server/dist/earlier')), 'the emptied folder').toBe(
      false,
    );
    expect(existsSync(inFlight)).toBe(true);
    rmSync(inFlight);
    // Every file the bundle imports, at once or later (the CLI's database chunk), is still there.
    const dist = path.join(REPO_ROOT, 'server/dist');
    const scripts = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.js'),
    );
    const imported = scripts.flatMap((name) =>
      [
        ...readFileSync(path.join(dist, name), 'utf8').matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g),
      ].map((match) => path.join(dist, path.dirname(name), match[1] as string)),
    );
    expect(imported.length).toBeGreaterThan(1);
    expect(imported.filter((file) => !existsSync(file))).toEqual([]);
  });
});

describe('the scanner build (scanner/dist)', () => {
  it('carries no schema library: the scanner takes only the zod-free parts of @passgate/shared', () => {
    const assets = path.join(REPO_ROOT, 'scanner/dist/assets');
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) {
      // zod's classes are named $ZodType, ZodError… in every build, minified or not.
      expect(readFileSync(path.join(assets, name), 'utf8'), name).not.toMatch(
        /\$?Zod(Type|Error)\b/,
      );
    }
  });

  it('is built again after an edit in client/src, whole and in one move, and left alone when nothing changed', async () => {
    // A copy of the scanner global setup built, so the one the other tests are using stays put.
    const dist = path.join(newDataDir(), 'dist');
    cpSync(path.join(REPO_ROOT, 'scanner/dist'), dist, { recursive: true });
    const index = path.join(dist, 'index.html');
    /**
     * Runs the build, looking for the page every 2 ms meanwhile as a running server would;
     * `onBuilding` runs once the build says it has found the copy stale.
     */
    const build = async (onBuilding = () => {}) => {
      let looks = 0;
      let missing = 0;
      const look = setInterval(() => {
        looks += 1;
        if (!existsSync(index)) missing += 1;
      }, 2);
      const run = spawn(process.execPath, ['scanner/build-if-stale.mjs', dist], { cwd: REPO_ROOT });
      let stderr = '';
      run.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('Building the scanner')) onBuilding();
      });
      const status = await new Promise((resolve) => run.on('close', resolve));
      clearInterval(look);
      expect(status, stderr).toBe(0);
      return { builtAt: statSync(index).mtimeMs, looks, missing };
    };
    const copied = statSync(index).mtimeMs;
    expect((await build()).builtAt).toBe(copied);
    // What is stale is read from what the bundler bundled: the workspace packages and the worker
    // included, so an edit in client/src builds the scanner again.
    const recorded = ['sources.json', 'worker-sources.json'].flatMap((name) =>
      JSON.parse(readFileSync(path.join(dist, '.vite', name), 'utf8')),
    );
    expect(recorded).toEqual(
      expect.arrayContaining([
        'client/src/index.ts',
        'shared/src/core/scan-rule.ts',
        'scanner/src/main.ts',
        'scanner/src/decoder.worker.ts',
      ]),
    );
    const page = readFileSync(index, 'utf8');
    const leftover = path.join(dist, 'assets/index-EARLIER.js'); // an asset of other sources
    writeFileSync(leftover, '// an earlier build\n');
    // An edit in client/src, which no folder of the scanner holds: touched after the copy was
    // made, and given its time back as soon as the build has found the copy stale, so the
    // scanner/dist that other tests serve stays current.
    const clientSource = path.join(REPO_ROOT, 'client/src/index.ts');
    const { atime, mtime } = statSync(clientSource);
    const editedAt = new Date(copied + 60_000);
    utimesSync(clientSource, editedAt, editedAt);
    const restore = () => utimesSync(clientSource, atime, mtime);
    const rebuilt = await build(restore).finally(restore);
    expect(rebuilt.builtAt).toBeGreaterThan(copied);
    // Vite empties its output first: built in place, the page would be gone for most of the
    // build. Moved in, it is gone only between two renames, which few looks can fall between
    // (more than one on a busy machine, where a look waits on the renames' disk work).
    expect(rebuilt.looks).toBeGreaterThan(100);
    expect(rebuilt.missing).toBeLessThan(rebuilt.looks / 20);
    expect(readFileSync(index, 'utf8')).toBe(page);
    const script = /src="\/scanner\/(assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    expect(existsSync(path.join(dist, script as string))).toBe(true);
    expect(existsSync(leftover)).toBe(false);
    // Nothing is left beside it: the build happened next door and was moved in.
    expect(readdirSync(path.dirname(dist))).toEqual(['dist']);
  });
});

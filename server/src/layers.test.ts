import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Who may import whom inside the server (docs/architecture.md, "Layers"): routes call domain/
// and db/; middleware and services reach what a request needs through domain/, never through a
// route's module.

const SRC = path.dirname(new URL(import.meta.url).pathname);

/** Each non-test module under `folder`, with the modules of src/ it imports (`routes/...`). */
function importsUnder(folder: string) {
  const files = readdirSync(path.join(SRC, folder), { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  return files.map((file) => {
    const from = path.join(SRC, folder, file);
    const imported = [...readFileSync(from, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) =>
      path.relative(SRC, path.resolve(path.dirname(from), m[1] as string)),
    );
    return { module: `${folder}/${file}`, imported };
  });
}

describe('the layers of the server', () => {
  it('middleware and services import no route module', () => {
    const modules = [...importsUnder('middleware'), ...importsUnder('services')];
    expect(modules.length).toBeGreaterThan(10);
    for (const { module, imported } of modules) {
      expect(
        imported.filter((target) => target.startsWith('routes')),
        module,
      ).toEqual([]);
    }
  });

  it('domain imports no route module, and no middleware but idempotency', () => {
    const modules = importsUnder('domain');
    expect(modules.length).toBeGreaterThan(10);
    for (const { module, imported } of modules) {
      const outside = imported.filter(
        (target) =>
          target.startsWith('routes') ||
          (target.startsWith('middleware') && target !== 'middleware/idempotency'),
      );
      expect(outside, module).toEqual([]);
    }
  });
});

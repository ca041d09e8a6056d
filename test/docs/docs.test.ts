import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../../server/src/admin/parse';
import { CONFIG_VARIABLES } from '../../server/src/config';
import { REPO_ROOT } from '../support/server';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const docs = [
  'README.md',
  ...readdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file)),
];

describe('the docs describe the product as it is', () => {
  it('name every environment variable the server reads, in docs/configuration.md', () => {
    const configuration = read('docs/configuration.md');
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(10);
    for (const name of CONFIG_VARIABLES) expect(configuration, name).toContain(`\`${name}\``);
  });

  it('show every admin command in docs/operations.md', () => {
    const operations = read('docs/operations.md');
    const commands = [...USAGE.matchAll(/pnpm admin (\w+ \w+)/g)].map((match) => match[1]!);
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) expect(operations, command).toContain(`pnpm admin ${command}`);
  });

  it('keep the README a front door of at most 150 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(150);
  });

  it('link only to files that exist in a clone', () => {
    for (const file of docs) {
      for (const [, target] of read(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // a web address
        const resolved = path.resolve(REPO_ROOT, path.dirname(file), target!);
        expect(resolved.startsWith(REPO_ROOT), `${file} → ${target}`).toBe(true);
        expect(existsSync(resolved), `${file} → ${target}`).toBe(true);
      }
    }
  });

  it('tell no history of how the project was made', () => {
    const history =
      /\b(\w+th|first|second|third|\d+(st|nd|rd)|this|last|earlier|previous) sessions?\b/i;
    for (const file of docs) expect(read(file), file).not.toMatch(history);
  });
});

#!/usr/bin/env node
// `pnpm admin …` resolves to this bin (no package script of that name), so pnpm prints no
// banner and stdout carries nothing but the command's JSON.
import { register } from 'tsx/esm/api';

register();
await import('../src/admin/cli.ts');

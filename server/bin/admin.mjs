#!/usr/bin/env node
// `pnpm admin …` resolves to this bin (no package script of that name), so pnpm prints no
// banner and stdout carries nothing but the command's JSON. It runs the bundled CLI, bundling
// it first if its sources changed (see ../build-if-stale.mjs).
await import('../build-if-stale.mjs');
process.setSourceMapsEnabled(true);
await import('../dist/admin/cli.js');
